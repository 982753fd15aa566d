/**
 * NestJS 12 ships as ES modules only, so Jest runs in its native ESM mode
 * (`--experimental-vm-modules`, set by the npm scripts) and ts-jest emits ESM from
 * tsconfig.spec.json. The service itself is compiled to CommonJS and loads Nest through
 * Node's require(esm).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.spec.json', useESM: true }];
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  // TEST_CLOCK=HH:mm: the run's clock at that time of day in Asia/Shanghai (issue 19, scripts/clock-runs.sh)
  setupFiles: ['<rootDir>/test/support/clock-setup.ts'],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/console/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    // the console in Debian's Chromium against the built service (issue 20); needs `npm run build`
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
