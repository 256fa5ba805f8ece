import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(__dirname, '../../..');

/** Where the rule applies: product code of every workspace, and the tests' shared support code. */
const COVERED = [
  'runtime/src/client/frame-client.ts',
  'server/src/main.ts',
  'extension/src/extension.ts',
  'test/support/broker.ts',
];

/**
 * The rules the project's eslint.config.mjs applies to `file`, run on snippets without type
 * information (the swallowed-error rules are syntactic, so the check takes milliseconds).
 */
async function linterFor(file: string): Promise<ESLint> {
  const config = (await new ESLint({ cwd: ROOT }).calculateConfigForFile(file)) as Linter.Config;
  const rules = config.rules ?? {};
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: {
          'no-empty': rules['no-empty'] ?? 'off',
          'no-restricted-syntax': rules['no-restricted-syntax'] ?? 'off',
        },
      },
    ],
  });
}

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await (await linterFor(file)).lintText(code, { filePath: path.join(ROOT, 'snippet.ts') });
  return (result?.messages ?? []).map((m) => `${m.line}:${m.ruleId ?? 'parse'}`);
}

const SWALLOWING: Record<string, string> = {
  'an empty catch block': 'try {\n  f();\n} catch {}',
  'a catch block holding only a comment': 'try {\n  f();\n} catch (e) {\n  // fine\n}',
  '.catch(() => undefined)': 'p.catch(() => undefined);',
  '.catch(() => {})': 'p.catch(() => {});',
  '.catch(function () {})': 'p.catch(function () {});',
  '.then(ok, () => undefined)': 'p.then(() => f(), () => undefined);',
  ".on('error', () => undefined)": "conn.on('error', () => undefined);",
  ".on('error', () => {})": "conn.on('error', () => {});",
  ".once('error', () => {})": "child.once('error', () => {});",
};

const MEANINGFUL: Record<string, string> = {
  'a catch that logs': "try {\n  f();\n} catch (e) {\n  log.warn('f failed', { error: String(e) });\n}",
  'a catch that gives a fallback value': 'p.catch(() => 0);',
  '.catch() that logs': "p.catch((e: Error) => log.debug('close failed', { error: e.message }));",
  "an 'error' listener that records": "conn.on('error', (e: Error) => {\n  last = e;\n});",
  'a listener of another event': "conn.on('close', () => undefined);",
  '.then() whose fulfilment handler does nothing':
    'p.then(() => undefined, (e: Error) => log.warn(e.message));',
};

describe('the no-swallowed-errors lint rule', () => {
  for (const file of COVERED) {
    describe(`in ${file}`, () => {
      for (const [name, code] of Object.entries(SWALLOWING)) {
        it(`rejects ${name}`, async () => {
          const found = await problems(file, code);
          assert.equal(found.length, 1, `${name}: ${found.join(', ')}`);
          assert.match(found[0] ?? '', /:no-restricted-syntax$/);
        });
      }
      for (const [name, code] of Object.entries(MEANINGFUL)) {
        it(`accepts ${name}`, async () => {
          assert.deepEqual(await problems(file, code), []);
        });
      }
    });
  }
});
