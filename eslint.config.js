import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * typescript-eslint's recommended type-checked rules and the layer rule. Import cycles are checked by
 * dependency-cruiser (.dependency-cruiser.cjs), which also sees type-only imports.
 *
 * The layers of src/, bottom to top (docs/ARCHITECTURE.md): a file imports only from its own folder and the
 * folders before it, so a lower layer never depends on a higher one.
 */
const LAYERS = [
  'core',
  'config',
  'image',
  'flash',
  'protocols',
  'gdb',
  'virtual',
  'drivers',
  'rig',
  'expect',
  'steps',
  'scenario',
  'report',
  'run',
  'teeth',
  'api',
  'cli',
  'testing',
];
/** Driver roles: each stands alone, and the shared helpers in drivers/support/ serve them all. */
const ROLES = ['console', 'power', 'probe', 'output', 'usb'];

const layerZones = LAYERS.slice(0, -1).map((layer, i) => ({
  target: `./src/${layer}`,
  from: LAYERS.slice(i + 1).map((above) => `./src/${above}`),
  message: `${layer}/ sits below these layers and must not import them (docs/ARCHITECTURE.md).`,
}));
const roleZones = ['support', ...ROLES].map((folder) => ({
  target: `./src/drivers/${folder}`,
  from: ROLES.filter((role) => role !== folder).map((role) => `./src/drivers/${role}`),
  message: `drivers/${folder}/ must not import another role's drivers: shared code goes in drivers/support/.`,
}));

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'reports/', 'rigs/', 'docs/examples/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { globals: globals.node, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Console, tool and report text is cleaned of terminal escapes and control bytes on purpose.
      'no-control-regex': 'off',
      // `const { message: _, ...rest }` is how a field is dropped from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // `m[1]!` marks an element known to be there; without noUncheckedIndexedAccess this rule calls every such mark
      // unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `async` says a function returns a promise (an interface method, a callback), whether or not it awaits.
      '@typescript-eslint/require-await': 'off',
      // `log` and `onOutput` are callbacks declared with method syntax; every one passed around is a plain function.
      '@typescript-eslint/unbound-method': 'off',
      // A caught error and an abort signal's reason are passed on as they came: they are errors by construction.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Size: a source file reads in one sitting and a function on one screen. A function that must be longer says
    // why in a comment beside an `eslint-disable-next-line max-lines-per-function`.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Tests build deliberately malformed models and options to feed the validators, and read parsed JSON reports
    // and timeline events to assert on them: expect() checks their shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // Plain JavaScript (configs, bench and scripts, the bin stub) is outside the TypeScript project.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...roleZones] }],
    },
  },
);
