import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LspClient } from '@kael/server/bench/lsp-client';

const SETTING = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - minus\n';

describe('the language server over stdio', () => {
  let dir: string;
  let file: string;
  let client: LspClient;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-lsp-'));
    file = path.join(dir, 'setting.yaml');
    await fs.writeFile(
      path.join(dir, 'index.ts'),
      'export function add(a: number, b: number) { return a + b; }\n',
    );
    await fs.writeFile(file, SETTING);
    client = new LspClient();
    await client.initialize(dir);
  });

  after(async () => {
    await client.stop();
  });

  it('publishes whole diagnostics on open: range, code, source and message', async () => {
    const published = client.nextDiagnostics(file);
    await client.open(file, SETTING);
    assert.deepEqual((await published).diagnostics, [
      {
        range: { start: { line: 5, character: 4 }, end: { line: 5, character: 9 } },
        severity: 1,
        code: 'export-missing',
        source: 'kael',
        message: 'publish[1]: "minus" is not exported by index.ts',
      },
    ]);
  });

  it('re-validates on change', async () => {
    const published = client.nextDiagnostics(file);
    await client.change(file, 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n');
    assert.deepEqual((await published).diagnostics, []);
    const again = client.nextDiagnostics(file);
    await client.change(
      file,
      'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\ncolour: red\n',
    );
    assert.deepEqual((await again).diagnostics, [
      {
        range: { start: { line: 5, character: 0 }, end: { line: 5, character: 6 } },
        severity: 1,
        code: 'key-unknown',
        source: 'kael',
        message:
          'colour: unknown field "colour" (known fields: type, service_base_name, version, publish, args)',
      },
    ]);
  });

  it('re-checks a setting.yaml when the code it depends on changes', async () => {
    await client.change(file, SETTING);
    await client.nextDiagnostics(file);
    await fs.writeFile(
      path.join(dir, 'index.ts'),
      'export const add = (a: number, b: number) => a + b;\nexport function minus(a: number, b: number) { return a - b; }\n',
    );
    const published = client.nextDiagnostics(file);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: pathToFileURL(path.join(dir, 'index.ts')).href, type: 2 }],
    });
    assert.deepEqual((await published).diagnostics, []);
  });

  it('re-checks a setting.yaml when its entry module is edited in the editor, before it is saved', async () => {
    const entry = path.join(dir, 'index.ts');
    const diskText = await fs.readFile(entry, 'utf8');
    await client.open(entry, diskText);
    const published = client.nextDiagnostics(file);
    await client.change(entry, 'export function add() { return 1; }\n');
    assert.deepEqual(
      (await published).diagnostics.map((d) => d.code),
      ['export-missing'],
    );
    const fixed = client.nextDiagnostics(file);
    await client.change(entry, diskText);
    assert.deepEqual((await fixed).diagnostics, []);
    await client.close(entry);
  });

  it('completes enum values and hovers with descriptions', async () => {
    const items = await client.connection.sendRequest<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri: pathToFileURL(file).href },
      position: { line: 0, character: 6 },
    });
    assert.deepEqual(
      items.map((i) => i.label),
      ['service', 'crontab'],
    );
    const h = await client.connection.sendRequest<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: pathToFileURL(file).href },
      position: { line: 2, character: 2 },
    });
    assert.match(h.contents.value, /^\*\*version\*\*: Version of this package's code/);
  });

  it('offers quick fixes for publish', async () => {
    await fs.writeFile(
      path.join(dir, 'index.ts'),
      'export function add() { return 1; }\nexport function times() { return 2; }\n',
    );
    const actions = await client.connection.sendRequest<{ title: string }[]>('textDocument/codeAction', {
      textDocument: { uri: pathToFileURL(file).href },
      range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Publish "times"', 'Remove "minus" from publish (not exported)'],
    );
  });

  it('offers "did you mean" as a quick fix and completes published names from the exports', async () => {
    const misspelt = SETTING.replace('service_base_name', 'service_name');
    const published = client.nextDiagnostics(file);
    await client.change(file, misspelt);
    const [diagnostic] = (await published).diagnostics.filter((d) => d.code === 'key-unknown');
    assert.equal(
      diagnostic?.message,
      'service_name: unknown field "service_name"; did you mean "service_base_name"?',
    );
    const actions = await client.connection.sendRequest<
      { title: string; edit: { changes: Record<string, { range: unknown; newText: string }[]> } }[]
    >('textDocument/codeAction', {
      textDocument: { uri: pathToFileURL(file).href },
      range: { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } },
      context: { diagnostics: diagnostic === undefined ? [] : [diagnostic] },
    });
    assert.deepEqual(actions[0], {
      title: 'Change to "service_base_name"',
      kind: 'quickfix',
      edit: {
        changes: {
          [pathToFileURL(file).href]: [
            {
              range: { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } },
              newText: 'service_base_name',
            },
          ],
        },
      },
    });
    const restored = client.nextDiagnostics(file);
    await client.change(file, SETTING + '  - ');
    await restored;
    const items = await client.connection.sendRequest<{ label: string; kind: number }[]>(
      'textDocument/completion',
      {
        textDocument: { uri: pathToFileURL(file).href },
        position: { line: 6, character: 4 },
      },
    );
    assert.deepEqual(
      items.map((i) => [i.label, i.kind]),
      [['times', 3]],
    );
    const back = client.nextDiagnostics(file);
    await client.change(file, SETTING);
    await back;
  });

  it('validates the whole workspace on request', async () => {
    const result = await client.connection.sendRequest<{
      files: number;
      diagnostics: Record<string, { code: string }[]>;
    }>('kael/validateWorkspace', {});
    assert.equal(result.files, 1);
    assert.deepEqual(
      Object.values(result.diagnostics)[0]?.map((d) => d.code),
      ['export-missing'],
    );
  });

  it('clears diagnostics when the file closes', async () => {
    const published = client.nextDiagnostics(file);
    await client.close(file);
    assert.deepEqual((await published).diagnostics, []);
  });
});
