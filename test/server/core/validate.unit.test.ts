import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  complete,
  documentKind,
  hover,
  publishFixes,
  readModuleExports,
  validateDocument,
  validatePath,
} from '@kael/server';
import type { ConfigProblem } from '@kael/runtime';

const ROOT = path.resolve(__dirname, '../../../..');

async function pkgDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-lsp-'));
  for (const [n, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, n)), { recursive: true });
    await fs.writeFile(path.join(dir, n), c);
  }
  return dir;
}

/** Problems of a setting.yaml written with the given package files, as [code, pointer, line] triples. */
async function settingProblems(
  setting: string,
  files: Record<string, string> = {},
): Promise<ConfigProblem[]> {
  const dir = await pkgDir({ 'setting.yaml': setting, ...files });
  return validateDocument(path.join(dir, 'setting.yaml'), setting);
}

function brief(problems: readonly ConfigProblem[]): [string, string, number | undefined][] {
  return problems.map((p) => [p.code, p.pointer, p.range?.start.line]);
}

const SERVICE = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - minus\n';

describe('the validation core', () => {
  it('gives the seed examples zero problems', async () => {
    assert.deepEqual(await validatePath(path.join(ROOT, 'examples')), []);
  });

  const table: [string, string, Record<string, string>, [string, string, number | undefined][]][] = [
    ['a YAML syntax error', 'type: service\npublish: [add\n', {}, [['yaml-syntax', '', 2]]],
    [
      'an unknown key',
      SERVICE + 'colour: red\n',
      { 'index.js': 'exports.add=()=>1;exports.minus=()=>1;' },
      [['schema', '/colour', 6]],
    ],
    ['a missing key', 'type: service\nversion: 1\npublish: [add]\n', {}, [['schema', '', 0]]],
    [
      'a wrong type',
      'type: service\nservice_base_name: calc\nversion: 1\npublish: add\n',
      {},
      [['schema', '/publish', 3]],
    ],
    ['a bad package type', 'type: cron\n', {}, [['type-unknown', '/type', 0]]],
    [
      'a version kael cannot order',
      'type: service\nservice_base_name: calc\nversion: 1.x\npublish: [add]\n',
      {},
      [['version-invalid', '/version', 2]],
    ],
    [
      'a published name not exported',
      SERVICE,
      { 'index.js': 'exports.add = (a, b) => a + b;' },
      [['export-missing', '/publish/1', 5]],
    ],
    [
      'a published name that is not a function',
      SERVICE,
      { 'index.ts': 'export function add() { return 1; }\nexport const minus = 3;\n' },
      [['export-not-function', '/publish/1', 5]],
    ],
    ['a package without an entry module', SERVICE, {}, [['entry-missing', '/publish', 3]]],
    [
      'an args key that is not published',
      SERVICE + 'args:\n  times: { type: array }\n',
      { 'index.js': 'module.exports = { add() {}, minus: () => 0 };' },
      [['args-unknown', '/args/times', 7]],
    ],
    [
      'a bad schedule',
      "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['*/2 * * *', 'echo hi']\n",
      {},
      [['schedule-invalid', '/publish/0/0', 4]],
    ],
    [
      'a command naming a missing file',
      "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['* * * * *', write.py]\n",
      {},
      [['command-file-missing', '/publish/0/1', 4]],
    ],
  ];
  for (const [what, setting, files, expected] of table) {
    it(`reports ${what}`, async () => {
      assert.deepEqual(brief(await settingProblems(setting, files)), expected);
    });
  }

  it('reads ESM, CommonJS and TypeScript exports without running the code', () => {
    const esm = readModuleExports(
      'export function a() {}\nexport const b = () => 1;\nconst c = function () {};\nexport { c as d };\nexport const e = 5;\nthrow new Error("never run");\n',
      'x.mjs',
    );
    assert.deepEqual(
      [...esm.names],
      [
        ['a', 'function'],
        ['b', 'function'],
        ['d', 'function'],
        ['e', 'value'],
      ],
    );
    const cjs = readModuleExports('function f() {}\nexports.g = () => 1;\nmodule.exports.h = 2;\n', 'x.js');
    assert.deepEqual(
      [...cjs.names],
      [
        ['g', 'function'],
        ['h', 'value'],
      ],
    );
    assert.equal(readModuleExports('export * from "./other";', 'x.ts').dynamic, true);
  });

  it('checks frame.yaml paths, missing settings and duplicate names', async () => {
    const root = await pkgDir({
      'a/setting.yaml': 'type: service\nservice_base_name: same\nversion: 1\npublish: [f]\n',
      'a/index.js': 'exports.f = () => 1;',
      'b/setting.yaml': 'type: service\nservice_base_name: same\nversion: 2\npublish: [f]\n',
      'b/index.js': 'exports.f = () => 1;',
      'empty/readme.txt': '',
    });
    const text = 'service_group: g\npath:\n  - ./a\n  - ./b\n  - ./missing\n  - ./empty\n';
    const problems = await validateDocument(path.join(root, 'frame.yaml'), text);
    assert.deepEqual(brief(problems), [
      ['duplicate-name', '/path/1', 3],
      ['path-missing', '/path/2', 4],
      ['setting-missing', '/path/3', 5],
    ]);
  });

  it('knows which files are kael files', () => {
    assert.equal(documentKind('/x/setting.yaml', ''), 'setting');
    assert.equal(documentKind('/x/frame.yaml', ''), 'frame');
    assert.equal(documentKind('/x/cluster.yaml', 'service_group: g\npath: []\n'), 'frame');
    assert.equal(documentKind('/x/other.yaml', 'a: 1\n'), undefined);
  });

  it('completes keys and enum values from the schemas', () => {
    assert.deepEqual(
      complete('setting', 'type: ', { line: 0, character: 6 }).map((s) => s.label),
      ['service', 'crontab'],
    );
    const keys = complete('setting', 'type: crontab\n', { line: 1, character: 0 }).map((s) => s.label);
    assert.ok(keys.includes('crontab_name') && keys.includes('timezone') && !keys.includes('type'));
  });

  it('hovers with descriptions and a schedule in plain words with its next run', () => {
    assert.match(
      hover('setting', SERVICE, { line: 1, character: 3 }) ?? '',
      /^\*\*service_base_name\*\*: Base name/,
    );
    const text =
      "type: crontab\ncrontab_name: c\nversion: 1\ntimezone: Europe/Berlin\npublish:\n  - ['0 0 1 * 1', run.sh]\n";
    assert.equal(
      hover('setting', text, { line: 5, character: 8 }, new Date('2026-11-24T12:00:00Z')),
      '**0 0 1 * 1**: at 00:00 on day 1 or on Monday; next: 2026-11-30T00:00:00+01:00',
    );
  });

  it('offers to publish exported functions and to remove names that are not exported', async () => {
    const dir = await pkgDir({ 'index.js': 'exports.add = () => 1;\nexports.times = () => 2;\n' });
    const fixes = await publishFixes(
      path.join(dir, 'setting.yaml'),
      SERVICE,
      (await import('@kael/runtime/config/file-view')).diskFileView,
    );
    assert.deepEqual(
      fixes.map((f) => [f.title, f.newText]),
      [
        ['Publish "times"', '- add\n  - minus\n  - times'],
        ['Remove "minus" from publish (not exported)', '- add'],
      ],
    );
  });
});
