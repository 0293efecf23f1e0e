/**
 * No import cycles in src/, type-only imports included: a type cycle ties two files together as much as a
 * value cycle does (ESLint's import-x/no-cycle skips type imports, so this check is dependency-cruiser's).
 * The layer rule itself is in eslint.config.js.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycle: cut it by moving the shared piece down a layer (docs/ARCHITECTURE.md).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
