// One lint configuration for the whole tree: typescript-eslint's type-aware recommended rules plus
// the few that matter here (no floating promises, no unused variables, no `any` without a reason,
// exhaustive switches). Each package runs `eslint .` with it (turbo `lint`); the root's own
// scripts run as the root task `lint:root`. Rules turned down below say why.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.tools/**',
      '**/.turbo/**',
      '**/.data/**',
      '**/coverage/**',
      '**/test-results/**',
      'packages/bench/results/**',
      'packages/cli/vendor/**',
      // Scaffolding with placeholder names (__NODE_TYPE__) that `tagflow new-node` copies into a new
      // package; the CLI's scaffold test builds, type-checks and tests what it becomes.
      'packages/cli/templates/**',
      // ajv standalone code generated from the flow schema; a test keeps it current and exact.
      'packages/flow-model/src/flow-validator.generated.ts',
    ],
  },
  {
    // A disable comment that silences nothing is an error: it would hide the next real problem.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Every eslint-disable comment gives its reason after `--`, so an exception reads as a decision.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          // `const { secret, ...rest } = x` is how a field is left out of a copy.
          ignoreRestSiblings: true,
        },
      ],
      // A `default` that takes the remaining members on purpose (the local historian back-end, the
      // OPC UA types without a codec) is exhaustive; a switch without one must name every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Passing on a rejection reason received from elsewhere (a failed operation's, an abort
      // signal's, typed unknown or any) is fine; inventing a non-Error rejection is not.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // Callbacks and options are declared in method shorthand (`onClose(): void`) and implemented by
      // closures that never read `this`: the rule flagged every destructured callback (69) and no
      // method that loses its `this`.
      '@typescript-eslint/unbound-method': 'off',
      // `async` marks a method that fulfils a Promise-returning contract (close, ack, a store's
      // write): it turns a throw into a rejection, which dropping `async` would undo.
      '@typescript-eslint/require-await': 'off',
      // A lazy `require()` is deliberate where it appears: CLI commands, historian back-ends and the
      // engine's default logger load only when used, synchronously. Each is cast to
      // `typeof import(...)`; an uncast one is still caught by no-unsafe-assignment.
      '@typescript-eslint/no-require-imports': 'off',
      // It reads `{}`, what `unknown` narrows to, as an object without toString: every hit
      // stringified an arbitrary JSON or thrown value on purpose (tag values, topic templates,
      // error text). Objects in template literals are still caught by restrict-template-expressions.
      '@typescript-eslint/no-base-to-string': 'off',
      // The stores and package checks re-word a low-level failure for the user with its message in
      // the new text; attaching `cause` changes what logs and the admin API print (the error
      // catalogue's work, not this gate's).
      'preserve-caught-error': 'off',
    },
  },
  {
    files: ['editor/src/**/*.{ts,tsx}', 'editor/test/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // The editor's end-to-end tests have their own tsconfig (Node types, no DOM).
    files: ['editor/e2e/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: ['./editor/tsconfig.e2e.json'] },
    },
  },
  {
    files: ['**/test/**/*.{ts,tsx}', '**/e2e/**/*.ts'],
    rules: {
      // Tests read untyped JSON (HTTP bodies, files, child processes' output) and assert on it with
      // expect: typing each body would restate the shapes the assertions already check.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (Jest configs, launchers, simulators, the Node-RED harness) and the few
    // TypeScript files outside every tsconfig (Vite's config, a declaration): no type information.
    files: ['**/*.{js,cjs,mjs}', 'editor/vite.config.ts', 'editor/index.d.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
