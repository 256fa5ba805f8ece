import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { diskFileView } from '@kael/runtime/config/file-view';
import { complete, hover, hoverWithCode, problemFixes, publishFixes, validateDocument } from '@kael/server';

async function pkgDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-help-'));
  for (const [n, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, n)), { recursive: true });
    await fs.writeFile(path.join(dir, n), c);
  }
  return dir;
}

const SERVICE = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - minus\n';
const ENTRY =
  'export function add() {}\nexport const times = () => 2;\nexport function divide() {}\nexport const limit = 3;\n';

describe('editor help', () => {
  it('completes keys and enum values from the schemas', async () => {
    assert.deepEqual(
      (await complete('setting', 'type: ', { line: 0, character: 6 })).map((s) => s.label),
      ['service', 'crontab'],
    );
    const keys = (await complete('setting', 'type: crontab\n', { line: 1, character: 0 })).map(
      (s) => s.label,
    );
    assert.ok(keys.includes('crontab_name') && keys.includes('timezone') && !keys.includes('type'));
  });

  it('offers the exported functions not yet published in a block publish list', async () => {
    const dir = await pkgDir({ 'index.ts': ENTRY });
    const text = SERVICE + '  - di';
    const context = { file: path.join(dir, 'setting.yaml'), view: diskFileView };
    assert.deepEqual(await complete('setting', text, { line: 6, character: 6 }, context), [
      {
        label: 'times',
        kind: 'function',
        detail: 'exported by index.ts',
        insertText: 'times',
        replace: { start: { line: 6, character: 4 }, end: { line: 6, character: 6 } },
      },
      {
        label: 'divide',
        kind: 'function',
        detail: 'exported by index.ts',
        insertText: 'divide',
        replace: { start: { line: 6, character: 4 }, end: { line: 6, character: 6 } },
      },
    ]);
  });

  it('offers exported functions in a flow publish list', async () => {
    const dir = await pkgDir({ 'index.ts': ENTRY });
    const text = 'type: service\nservice_base_name: calc\nversion: 1\npublish: [add, ';
    const context = { file: path.join(dir, 'setting.yaml'), view: diskFileView };
    assert.deepEqual(
      (await complete('setting', text, { line: 3, character: 15 }, context)).map((s) => s.label),
      ['times', 'divide'],
    );
  });

  it('offers package folders (holding a setting.yaml) not yet listed in frame.yaml path', async () => {
    const dir = await pkgDir({
      'calc/setting.yaml': SERVICE,
      'jobs/print/setting.yaml': 'type: crontab\n',
      'docs/readme.md': '',
      'node_modules/x/setting.yaml': '',
    });
    const text = 'service_group: g\npath:\n  - ./calc\n  - ./';
    const context = { file: path.join(dir, 'frame.yaml'), view: diskFileView };
    assert.deepEqual(await complete('frame', text, { line: 3, character: 6 }, context), [
      {
        label: './jobs/print',
        kind: 'folder',
        detail: 'package folder (holds setting.yaml)',
        insertText: './jobs/print',
        replace: { start: { line: 3, character: 4 }, end: { line: 3, character: 6 } },
      },
    ]);
  });

  it('hovers with descriptions, and a schedule as code with its meaning and next run', () => {
    assert.match(
      hover('setting', SERVICE, { line: 1, character: 3 }) ?? '',
      /^\*\*service_base_name\*\*: Base name/,
    );
    const text =
      "type: crontab\ncrontab_name: c\nversion: 1\ntimezone: Europe/Berlin\npublish:\n  - ['0 0 1 * 1', run.sh]\n";
    assert.equal(
      hover('setting', text, { line: 5, character: 8 }, new Date('2026-11-24T12:00:00Z')),
      '`0 0 1 * 1`: at 00:00 on day 1 or on Monday; next: 2026-11-30T00:00:00+01:00',
    );
    const never = "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['0 0 31 2 *', run.sh]\n";
    assert.match(
      hover('setting', never, { line: 4, character: 8 }) ?? '',
      /^`0 0 31 2 \*`: .*; next: never$/,
    );
  });

  it('hovers a published name with what its entry module says of it, else the schema', async () => {
    const dir = await pkgDir({ 'index.ts': ENTRY });
    const context = { file: path.join(dir, 'setting.yaml'), view: diskFileView };
    assert.equal(
      await hoverWithCode('setting', SERVICE, { line: 4, character: 4 }, context),
      '```javascript\nadd\n```\n\nexported by index.ts',
    );
    assert.match(
      (await hoverWithCode('setting', SERVICE, { line: 5, character: 4 }, context)) ?? '',
      /^\*\*publish\*\*: /,
    );
  });

  it('offers to publish exported functions and to remove names that are not exported', async () => {
    const dir = await pkgDir({ 'index.js': 'exports.add = () => 1;\nexports.times = () => 2;\n' });
    const fixes = await publishFixes(path.join(dir, 'setting.yaml'), SERVICE, diskFileView);
    assert.deepEqual(
      fixes.map((f) => [f.title, f.newText]),
      [
        ['Publish "times"', '- add\n  - minus\n  - times'],
        ['Remove "minus" from publish (not exported)', '- add'],
      ],
    );
  });

  it('turns "did you mean" into a quick fix at the cursor', async () => {
    const dir = await pkgDir({ 'index.js': 'exports.add = () => 1;' });
    const text = 'type: service\nservice_name: calc\nversion: 1\npublish: [add]\n';
    const problems = await validateDocument(path.join(dir, 'setting.yaml'), text);
    const at = { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } };
    assert.deepEqual(problemFixes(problems, at), [
      {
        title: 'Change to "service_base_name"',
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } },
        newText: 'service_base_name',
      },
    ]);
    const elsewhere = { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } };
    assert.deepEqual(problemFixes(problems, elsewhere), []);
  });
});
