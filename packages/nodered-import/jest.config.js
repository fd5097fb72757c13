/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js').preset(__dirname),
  // The OPC UA test runs a node-opcua server in the test process: see test/jest-setup.ts.
  setupFiles: ['<rootDir>/test/jest-setup.ts'],
};
