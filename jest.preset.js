// One Jest setup for every package: @swc/jest compiles TypeScript (type-checking is `tsc --noEmit`).
const path = require('node:path');

exports.preset = (dir) => ({
  displayName: path.relative(__dirname, dir) || 'root',
  rootDir: dir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // ESM-only dependencies (aedes, hexy via node-opcua) are compiled by swc too, pnpm layout aware.
  transformIgnorePatterns: [
    'node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(aedes|aedes-packet|aedes-persistence|mqemitter|hexy)/)',
  ],
  testTimeout: 30000,
});
