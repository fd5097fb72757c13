/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js').preset(__dirname),
  // Typed arrays as node-opcua expects them, and quiet node-opcua logs: see test/jest-setup.ts.
  setupFiles: ['<rootDir>/test/jest-setup.ts'],
};
