// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Imports run one way: web -> curation -> db; indexer -> curation/db; devnet only from tests and scripts. */
const layers = {
  db: ['@curia/curation', '@curia/indexer', '@curia/web', '@curia/e2e', '@curia/devnet'],
  curation: ['@curia/indexer', '@curia/web', '@curia/e2e', '@curia/devnet'],
  indexer: ['@curia/web', '@curia/e2e', '@curia/devnet'],
  web: ['@curia/indexer', '@curia/e2e', '@curia/devnet'],
  devnet: ['@curia/db', '@curia/curation', '@curia/indexer', '@curia/web', '@curia/e2e'],
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/dist/**',
      'data/**',
      '.tmp/**',
      '**/*.tmp.ts',
      '**/.turbo/**',
      '**/playwright-report/**',
      '**/test-results/**',
      'web/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a literal union.' }],
    },
  },
  ...Object.entries(layers).map(([pkg, forbidden]) => ({
    files: [
      `${pkg}/src/**/*.{ts,tsx}`,
      ...(pkg === 'web'
        ? ['web/app/**/*.{ts,tsx}', 'web/components/**/*.{ts,tsx}', 'web/server/**/*.ts']
        : []),
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((name) => ({
            group: [name, `${name}/*`],
            message: `${pkg} must not import ${name}`,
          })),
        },
      ],
    },
  })),
  {
    // Only the process entry points read the environment; everything else takes options.
    files: ['**/*.{ts,tsx}'],
    ignores: [
      '**/config.ts',
      '**/test/**',
      'scripts/**',
      'bench/**',
      'e2e/**',
      'devnet/**',
      '**/*.config.ts',
      'db/src/testing.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read env in config.ts only.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
