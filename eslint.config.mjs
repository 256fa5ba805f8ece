// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** An arrow or function whose body does nothing: `() => undefined`, `() => {}`, `function () {}`. */
const NOTHING =
  ':matches(ArrowFunctionExpression[body.type="Identifier"][body.name="undefined"], ArrowFunctionExpression[body.type="BlockStatement"][body.body.length=0], FunctionExpression[body.body.length=0])';
export const EMPTY_CATCH = 'CatchClause > BlockStatement.body[body.length=0]';
export const SWALLOWING_CATCH = `CallExpression[callee.property.name="catch"] > ${NOTHING}.arguments`;
export const SWALLOWING_THEN = `CallExpression[callee.property.name="then"][arguments.length=2] > ${NOTHING}.arguments:nth-child(2)`;
export const IGNORED_ERROR_EVENT = `CallExpression[callee.property.name=/^(on|once|addListener|prependListener)$/][arguments.0.value="error"] > ${NOTHING}.arguments`;

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'examples/**',
      'test/fixtures/**',
      'test/output/**',
      'schemas/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      '.kael/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
              package: 'node:test',
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['server/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // No swallowed errors: an empty catch block, an empty `.catch()` handler and an ignored 'error'
    // event hide failures. Log with context, record or propagate; best-effort cleanup uses bestEffort()
    // (runtime/src/util/best-effort.ts), which logs at debug.
    files: ['runtime/src/**/*.ts', 'server/src/**/*.ts', 'extension/src/**/*.ts', 'test/support/**/*.ts'],
    rules: {
      // An empty catch is reported by the selector below, with a message that says what to do instead
      // (it also catches a block holding only a comment, which no-empty lets through).
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: EMPTY_CATCH,
          message:
            'Swallowed error: an empty catch block hides the failure. Log it with context, record it, or propagate it (best-effort cleanup: bestEffort() from runtime/src/util/best-effort.ts).',
        },
        {
          selector: SWALLOWING_CATCH,
          message:
            'Swallowed error: a .catch() handler that does nothing hides the failure. Log it with context (or use bestEffort() from runtime/src/util/best-effort.ts), record it, or propagate it.',
        },
        {
          selector: SWALLOWING_THEN,
          message:
            'Swallowed error: a rejection handler that does nothing hides the failure. Log it with context (or use bestEffort() from runtime/src/util/best-effort.ts), record it, or propagate it.',
        },
        {
          selector: IGNORED_ERROR_EVENT,
          message:
            "Ignored 'error' event: the listener must do something meaningful — log it with context, record it, or propagate it.",
        },
      ],
    },
  },
);
