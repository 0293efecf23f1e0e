/**
 * ESM + @swc/jest: tests import sources with `.js` suffixes, mapped back to the `.ts` files.
 *
 * Two projects: `unit` (logic, files, ptys and host tools; seconds, no QEMU) and `integration` (QEMU, the hil
 * CLI end to end, a browser). `npm run test:unit` and `npm run test:integration` run one each; `npm test` both.
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
};

/** Folders whose tests boot QEMU or run the hil CLI, and the files elsewhere that start QEMU or chromium. */
const INTEGRATION = [
  '<rootDir>/test/cli/',
  '<rootDir>/test/faults/',
  '<rootDir>/test/integration/',
  '<rootDir>/test/virtual/',
  '<rootDir>/test/drivers/console/qemu.test.ts',
  '<rootDir>/test/drivers/output/qemu.test.ts',
  '<rootDir>/test/drivers/probe/gdb.test.ts',
  '<rootDir>/test/drivers/probe/qemu.test.ts',
  '<rootDir>/test/image/bootloaderAcceptsImages.test.ts',
  '<rootDir>/test/report/html.test.ts',
  '<rootDir>/test/report/htmlScreenshots.test.ts',
  '<rootDir>/test/rig/rigCheck.test.ts',
];

export default {
  testTimeout: 60000,
  reporters: ['default', ['jest-junit', { outputDirectory: 'reports/self', outputName: 'jest-junit.xml' }]],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION],
    },
    { ...shared, displayName: 'integration', testMatch: INTEGRATION.map((p) => (p.endsWith('/') ? `${p}**/*.test.ts` : p)) },
  ],
};
