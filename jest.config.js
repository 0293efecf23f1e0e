/** ESM + @swc/jest: tests import sources with `.js` suffixes, mapped back to the `.ts` files. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  testTimeout: 60000,
  reporters: ['default', ['jest-junit', { outputDirectory: 'reports/self', outputName: 'jest-junit.xml' }]],
};
