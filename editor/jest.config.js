/** @type {import('jest').Config} */
const base = require('../jest.preset.js').preset(__dirname);
// Unit tests of the editor's state logic (test/) and end-to-end tests in real Chromium (e2e/).
module.exports = { ...base, testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/e2e/**/*.e2e.test.ts'] };
