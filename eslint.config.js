// eslint for the TypeScript sources (src, test, bench), type-aware so that promise rules can see types.
// `npm run lint` runs it and `npm test` runs lint first. Rules are typescript-eslint's recommended set plus the
// promise rules that catch real bugs here (a floating promise is an unhandled rejection or a write nobody waits
// for); style is the formatter's business, not the linter's.
import { createRequire } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// typescript is CommonJS: required, not imported (an ECMAScript import of it first scans its 9 MB for named exports:
// ~0.7 s of CPU)
const ts = createRequire(import.meta.url)('typescript');

// Types come from one TypeScript Program of tsconfig.json, built once, in a single run (`npm run lint`, `npx eslint`,
// CI; scripts/lint.mjs sets TSESTREE_SINGLE_RUN=true): files do not change during it. Left to typescript-eslint,
// a single run also builds one Program, but it refuses that Program for a file whose text differs from what eslint
// hands the parser, and eslint hands it the shebang files (src/main.ts, src/fabric/site-main.ts) with `//` in place
// of `#!`: those two then went to the project service, which built the whole program a second time (a quarter of a
// CLI run). Our Program reads a leading `#!` as `//` (same length, same positions; both are a comment to TypeScript),
// so every file's text is what eslint parses. Editors and --fix (files change under them) keep the project service.
const singleRun =
  process.env.TSESTREE_SINGLE_RUN === 'true' ||
  (process.env.TSESTREE_SINGLE_RUN !== 'false' &&
    !process.argv.includes('--fix') &&
    (process.env.CI === 'true' || /node_modules[\\/](\.bin[\\/]eslint|eslint[\\/]bin[\\/]eslint\.js)$/.test(process.argv[1] ?? '')));

function lintProgram() {
  const fail = (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(import.meta.dirname, 'tsconfig.json'), { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: fail });
  if (parsed.errors.length) fail(parsed.errors[0]);
  const host = ts.createCompilerHost(parsed.options, true);
  // JSDoc is parsed only where it carries types (JavaScript files): no rule here reads a .ts or .d.ts file's JSDoc,
  // and the type definitions the tests import (@kubernetes/client-node alone: 816 files, 8 MB) are mostly JSDoc.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeInfo;
  const readFile = host.readFile;
  host.readFile = (file) => {
    const text = readFile.call(host, file);
    return text?.startsWith('#!') && !file.includes('node_modules') ? `//${text.slice(2)}` : text;
  };
  // scripts/lint.mjs (`npm run lint`) names the files it lints and those whose declarations reach every file (scripts,
  // `declare global`): TypeScript adds what they import, directly or not, which is all a file's types come from, so each
  // file has the same types as in the whole program. Otherwise: the whole program.
  const roots = process.env.ARM_EMULATOR_LINT_ROOTS?.split('\n').filter(Boolean);
  return ts.createProgram(roots ?? parsed.fileNames, parsed.options, host);
}

// typescript-eslint's parser given that Program, built when the first file is parsed: a run that parses nothing
// (scripts/lint.mjs when every file matches its record; a look-up of a file's configuration) does not build it.
let program;
const parser = {
  meta: { name: 'typescript-eslint-parser-one-program', version: tseslint.parser.meta?.version },
  parseForESLint(code, options) {
    program ??= lintProgram();
    return tseslint.parser.parseForESLint(code, { ...options, programs: [program] });
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-output/**',
      '**/*.cjs',
      '**/*.mjs',
      'eslint.config.js',
      '.arm-emulator/**',
      '.bench-data/**',
      '**/*.generated.ts',
      'src/dashboard/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // tsc already reports undefined names, with Node's globals known; eslint's core rule does not know them.
  { rules: { 'no-undef': 'off' } },
  {
    files: ['**/*.ts'],
    languageOptions: singleRun ? { parser } : { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // '_name' marks a parameter or element a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Wire bodies are JSON of many shapes; `any` at those edges is deliberate (tsc strict still checks the rest).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
