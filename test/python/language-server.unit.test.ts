import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { diskFileView } from '@kael/runtime/config/file-view';
import { planCommand } from '@kael/runtime/cron/command-line';
import { LspClient } from '@kael/server/bench/lsp-client';
import { publishFixes, validateDocument, validatePath } from '@kael/server';
import type { ConfigProblem } from '@kael/runtime';
import { runCli } from '../support/frames.js';

async function pkgDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-py-lsp-'));
  for (const [n, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, n)), { recursive: true });
    await fs.writeFile(path.join(dir, n), c);
  }
  return dir;
}

const SETTING = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - minus\n';

async function problems(setting: string, files: Record<string, string>): Promise<ConfigProblem[]> {
  const dir = await pkgDir({ 'setting.yaml': setting, ...files });
  return validateDocument(path.join(dir, 'setting.yaml'), setting);
}

function brief(list: readonly ConfigProblem[]): [string, string, number | undefined, string][] {
  return list.map((p) => [p.code, p.pointer, p.range?.start.line, p.message]);
}

describe('validating a Python service package', () => {
  it('accepts functions, async functions and imported names defined at top level', async () => {
    const init = 'from .ops import minus\n\nasync def add(a, b):\n    return a + b\n';
    assert.deepEqual(
      await problems(SETTING, { '__init__.py': init, 'ops.py': 'def minus(a, b):\n    return a - b\n' }),
      [],
    );
  });

  const table: [string, Record<string, string>, [string, string, number | undefined, string][]][] = [
    [
      'a published name not defined at top level',
      { '__init__.py': 'def add(a, b):\n    def minus():\n        pass\n    return a + b\n' },
      [
        [
          'export-missing',
          '/publish/1',
          5,
          'publish[1]: "minus" is not defined at the top level of __init__.py',
        ],
      ],
    ],
    [
      'a generator and a class',
      { '__init__.py': 'def add():\n    yield 1\n\nclass minus:\n    pass\n' },
      [
        [
          'export-not-function',
          '/publish/0',
          4,
          'publish[0]: "add" is defined by __init__.py but is a generator function, which cannot be published (return a list instead)',
        ],
        [
          'export-not-function',
          '/publish/1',
          5,
          'publish[1]: "minus" is defined by __init__.py but is a class, not a function',
        ],
      ],
    ],
    [
      'a syntax error, with the Python line and column',
      { '__init__.py': 'def add(a, b):\n    return a +\n\ndef minus(a, b):\n    return a - b\n' },
      [['entry-syntax', '/publish', 3, 'publish: __init__.py cannot be loaded: line 2:15: invalid syntax']],
    ],
    [
      'every import that cannot succeed (a missing pip module, missing relative modules), then the names',
      {
        '__init__.py':
          'import os\nimport kael_no_such_module_xyz.sub\nfrom .nowhere import x\ntry:\n    import also_not_there\nexcept ImportError:\n    pass\nfrom . import helper, absent\nfrom .. import up\n\ndef add(): pass\n',
        'helper.py': '',
      },
      [
        [
          'entry-import',
          '/publish',
          3,
          "publish: __init__.py cannot be loaded: line 2: ModuleNotFoundError: No module named 'kael_no_such_module_xyz'",
        ],
        [
          'entry-import',
          '/publish',
          3,
          "publish: __init__.py cannot be loaded: line 3: ModuleNotFoundError: No module named '.nowhere'",
        ],
        [
          'entry-import',
          '/publish',
          3,
          "publish: __init__.py cannot be loaded: line 8: ImportError: cannot import name 'absent' from '.'",
        ],
        [
          'entry-import',
          '/publish',
          3,
          'publish: __init__.py cannot be loaded: line 9: ImportError: attempted relative import beyond top-level package',
        ],
        [
          'export-missing',
          '/publish/1',
          5,
          'publish[1]: "minus" is not defined at the top level of __init__.py',
        ],
      ],
    ],
  ];
  for (const [what, files, expected] of table) {
    it(`reports ${what}`, async () => {
      assert.deepEqual(brief(await problems(SETTING, files)), expected);
    });
  }

  it('never imports user code while reading it', async () => {
    const dir = await pkgDir({
      'setting.yaml': SETTING,
      '__init__.py': 'open("imported", "w").close()\n\ndef add(): pass\ndef minus(): pass\n',
    });
    assert.deepEqual(await validateDocument(path.join(dir, 'setting.yaml'), SETTING), []);
    await assert.rejects(fs.stat(path.join(dir, 'imported')), { code: 'ENOENT' });
  });

  it('warns once when no interpreter can read __init__.py', async () => {
    const saved = process.env['KAEL_PYTHON'];
    process.env['KAEL_PYTHON'] = '/nonexistent/python3';
    try {
      const got = await problems(SETTING, { '__init__.py': 'def add(): pass\n' });
      assert.deepEqual(
        got.map((p) => [p.code, p.severity, p.pointer]),
        [['entry-unchecked', 'warning', '/publish']],
      );
    } finally {
      if (saved === undefined) delete process.env['KAEL_PYTHON'];
      else process.env['KAEL_PYTHON'] = saved;
    }
  });

  it('offers quick fixes from the functions __init__.py defines', async () => {
    const dir = await pkgDir({
      'setting.yaml': SETTING,
      '__init__.py': 'def add(): pass\ndef times(): pass\n_private = 1\n',
    });
    const fixes = await publishFixes(path.join(dir, 'setting.yaml'), SETTING, diskFileView);
    assert.deepEqual(
      fixes.map((f) => f.title),
      ['Publish "times"', 'Remove "minus" from publish (not exported)'],
    );
  });

  it('reads many packages of a workspace, a few Python helpers at a time', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) {
      files[`p${i}/setting.yaml`] = SETTING.replace('calc', `calc${i}`);
      files[`p${i}/__init__.py`] = `def add(a, b):\n    return a + b + ${i}\n`;
    }
    const found = await validatePath(await pkgDir(files));
    assert.deepEqual(
      found.map((p) => [path.basename(path.dirname(p.file)), p.code, p.pointer]),
      Array.from({ length: 12 }, (_, i) => [`p${i}`, 'export-missing', '/publish/1']).sort(),
    );
  });

  it('makes kael validate exit 1 with the Python line', async () => {
    const dir = await pkgDir({ 'setting.yaml': SETTING, '__init__.py': 'def add(:\n    pass\n' });
    const r = await runCli(['validate', dir]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      `${path.join(dir, 'setting.yaml')}:4:1: publish: __init__.py cannot be loaded: line 1:9: invalid syntax [entry-syntax]\n1 error(s), 0 warning(s)\n`,
    );
  });
});

describe('a Python package in the language server', () => {
  let dir: string;
  let file: string;
  let client: LspClient;
  const init = [
    'def add(a, b=1, *, scale: int = 2) -> int:',
    '    """Adds a and b, then scales."""',
    '    return (a + b) * scale',
    '',
    'async def fetch(url):',
    '    return url',
    '',
    'def _hidden():',
    '    pass',
    '',
  ].join('\n');
  const setting = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - \n';

  before(async () => {
    dir = await pkgDir({ '__init__.py': init, 'setting.yaml': setting });
    file = path.join(dir, 'setting.yaml');
    client = new LspClient();
    await client.initialize(dir);
    await client.open(file, setting);
  });

  after(async () => {
    await client.stop();
  });

  it('completes publish items with the functions not yet published, with signature and docstring', async () => {
    const items = await client.connection.sendRequest<
      { label: string; detail?: string; documentation?: string }[]
    >('textDocument/completion', {
      textDocument: { uri: pathToFileURL(file).href },
      position: { line: 5, character: 4 },
    });
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [['fetch', 'async def fetch(url)']],
    );
  });

  it('hovers a published name with its signature and docstring', async () => {
    const h = await client.connection.sendRequest<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: pathToFileURL(file).href },
      position: { line: 4, character: 5 },
    });
    assert.equal(
      h.contents.value,
      '```python\ndef add(a, b=1, *, scale: int=2) -> int\n```\n\nAdds a and b, then scales.\n\ndefined by __init__.py, line 1',
    );
  });

  it('re-checks setting.yaml when __init__.py is edited in the editor', async () => {
    const valid = client.nextDiagnostics(file);
    await client.change(file, SETTING.replace('  - minus\n', ''));
    assert.deepEqual((await valid).diagnostics, []);
    const entry = path.join(dir, '__init__.py');
    await client.open(entry, init);
    const published = client.nextDiagnostics(file);
    await client.change(entry, 'def other():\n    pass\n');
    assert.deepEqual(
      (await published).diagnostics.map((d) => [d.code, d.range.start.line]),
      [['export-missing', 4]],
    );
    await client.close(entry);
  });
});

describe('crontab .py commands', () => {
  it('run with KAEL_PYTHON when it is set, else python3', () => {
    const saved = process.env['KAEL_PYTHON'];
    try {
      process.env['KAEL_PYTHON'] = '/opt/py/bin/python3.12';
      assert.deepEqual(
        planCommand('write.py --fast', '/pkg', () => true),
        {
          file: '/opt/py/bin/python3.12',
          args: ['/pkg/write.py', '--fast'],
          script: '/pkg/write.py',
        },
      );
      delete process.env['KAEL_PYTHON'];
      assert.equal(planCommand('write.py', '/pkg', () => true).file, 'python3');
    } finally {
      if (saved === undefined) delete process.env['KAEL_PYTHON'];
      else process.env['KAEL_PYTHON'] = saved;
    }
  });
});
