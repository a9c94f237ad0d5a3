// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering of DESIGN.md §3, enforced: each layer may import only the layers listed for it.
 * domain ← {config, crypto, catalog, connectors, store, lake} ← flows ← services ← {api, cli} ← main
 */
const layers = {
  domain: [],
  config: ['domain'],
  crypto: ['domain'],
  catalog: ['domain'],
  connectors: ['domain'],
  store: ['domain'],
  lake: ['domain'],
  flows: ['domain', 'config', 'crypto', 'catalog', 'connectors', 'store', 'lake'],
  services: ['domain', 'config', 'crypto', 'catalog', 'connectors', 'store', 'lake', 'flows'],
  api: ['domain', 'config', 'crypto', 'catalog', 'connectors', 'store', 'lake', 'flows', 'services'],
  cli: ['domain', 'config', 'crypto', 'catalog', 'connectors', 'store', 'lake', 'flows', 'services', 'api'],
};
const all = Object.keys(layers);
const boundaries = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  ignores: [`src/${layer}/**/*.test.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: all
          .filter((other) => other !== layer && !allowed.includes(other))
          .flatMap((other) => [
            {
              group: [`**/${other}/*`, `../${other}`, `../../${other}`],
              message: `${layer} may not import ${other} (DESIGN.md §3)`,
            },
          ])
          .concat([{ group: ['**/main.ts'], message: 'only the composition root imports main' }]),
      },
    ],
  },
}));

export default tseslint.config(
  // sdk/src/schema.d.ts is generated from /openapi.json (npm run generate:sdk); a test keeps it current.
  { ignores: ['sdk/src/schema.d.ts', 'node_modules/**', '.sluice/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'emulators/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `response.json() as Shape` reads better in tests than json<Shape>().
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  ...boundaries,
);
