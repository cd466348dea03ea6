// eslint for the TypeScript sources (src, test, bench), type-aware so that promise rules can see types.
// `npm run lint` runs it and `npm test` runs lint first. Rules are typescript-eslint's recommended set plus the
// promise rules that catch real bugs here (a floating promise is an unhandled rejection or a write nobody waits
// for); style is the formatter's business, not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.cjs', '**/*.mjs', 'eslint.config.js', '.arm-emulator/**', '.bench-data/**', '**/*.generated.ts', 'src/dashboard/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // tsc already reports undefined names, with Node's globals known; eslint's core rule does not know them.
  { rules: { 'no-undef': 'off' } },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // '_name' marks a parameter or element a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Wire bodies are JSON of many shapes; `any` at those edges is deliberate (tsc strict still checks the rest).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
