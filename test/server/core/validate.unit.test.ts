import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { documentKind, validateDocument, validatePath } from '@kael/server';
import type { ConfigProblem, ProblemCode } from '@kael/runtime';

const ROOT = path.resolve(__dirname, '../../../..');

async function pkgDir(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-lsp-'));
  for (const [n, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, n)), { recursive: true });
    await fs.writeFile(path.join(dir, n), c);
  }
  return dir;
}

/** A whole expected problem: file (relative), pointer, code, message, range as [line, char, line, char]. */
function problem(
  dir: string,
  file: string,
  pointer: string,
  code: ProblemCode,
  message: string,
  [l1, c1, l2, c2]: [number, number, number, number],
  extra: Partial<ConfigProblem> = {},
): ConfigProblem {
  return {
    file: path.join(dir, file),
    pointer,
    code,
    message,
    severity: 'error',
    range: { start: { line: l1, character: c1 }, end: { line: l2, character: c2 } },
    ...extra,
  };
}

/** Problems as plain objects (a problem's optional keys are absent, not undefined). */
function plain(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return JSON.parse(JSON.stringify(problems)) as ConfigProblem[];
}

const SERVICE = 'type: service\nservice_base_name: calc\nversion: 1.0\npublish:\n  - add\n  - minus\n';
const BOTH = 'exports.add = (a, b) => a + b;\nexports.minus = (a, b) => a - b;\n';

interface SettingCase {
  what: string;
  setting: string;
  files?: Record<string, string>;
  expected: (dir: string) => ConfigProblem[];
}

const SETTING_CASES: SettingCase[] = [
  {
    what: 'an unknown key whose likely meaning is already there, listing the known keys',
    setting: 'type: service\nservice_name: calc\nversion: 1\npublish: [add]\nservice_base_name: x\n',
    files: { 'index.js': BOTH },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/service_name',
        'key-unknown',
        'service_name: unknown field "service_name" (known fields: type, service_base_name, version, publish, args)',
        [1, 0, 1, 12],
      ),
    ],
  },
  {
    what: 'a misspelt key the file lacks, with the key it was meant to be',
    setting: 'type: service\nservice_name: calc\nversion: 1\npublish: [add]\n',
    files: { 'index.js': BOTH },
    expected: (d) => [
      problem(d, 'setting.yaml', '', 'schema', 'missing required field "service_base_name"', [0, 0, 4, 0]),
      problem(
        d,
        'setting.yaml',
        '/service_name',
        'key-unknown',
        'service_name: unknown field "service_name"; did you mean "service_base_name"?',
        [1, 0, 1, 12],
        { fix: { title: 'Change to "service_base_name"', newText: 'service_base_name' } },
      ),
    ],
  },
  {
    what: 'an unknown key with nothing close, listing the known ones',
    setting: SERVICE + 'colour: red\n',
    files: { 'index.js': BOTH },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/colour',
        'key-unknown',
        'colour: unknown field "colour" (known fields: type, service_base_name, version, publish, args)',
        [6, 0, 6, 6],
      ),
    ],
  },
  {
    what: 'a misspelt package type with its fix',
    setting: 'type: servise\n',
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/type',
        'type-unknown',
        'type: unknown package type "servise"; expected "service" or "crontab"; did you mean "service"?',
        [0, 6, 0, 13],
        { fix: { title: 'Change to "service"', newText: 'service' } },
      ),
    ],
  },
  {
    what: 'a version kael cannot order',
    setting: 'type: service\nservice_base_name: calc\nversion: 1.x\npublish: [add]\n',
    files: { 'index.js': BOTH },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/version',
        'version-invalid',
        'version: "1.x" is not a version kael can order (expected e.g. 1.0, 1.10 or 1.2.3)',
        [2, 9, 2, 12],
      ),
    ],
  },
  {
    what: 'a published name not exported, together with another problem of the file',
    setting: SERVICE.replace('version: 1.0', 'version: 1.x'),
    files: { 'index.js': 'exports.add = (a, b) => a + b;' },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/version',
        'version-invalid',
        'version: "1.x" is not a version kael can order (expected e.g. 1.0, 1.10 or 1.2.3)',
        [2, 9, 2, 12],
      ),
      problem(
        d,
        'setting.yaml',
        '/publish/1',
        'export-missing',
        'publish[1]: "minus" is not exported by index.js',
        [5, 4, 5, 9],
      ),
    ],
  },
  {
    what: 'a published name that is not a function',
    setting: SERVICE,
    files: { 'index.ts': 'export function add() { return 1; }\nexport const minus = 3;\n' },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/publish/1',
        'export-not-function',
        'publish[1]: "minus" is exported by index.ts but is not a function',
        [5, 4, 5, 9],
      ),
    ],
  },
  {
    what: 'a package without an entry module',
    setting: SERVICE,
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/publish',
        'entry-missing',
        'publish: the package has no entry module (package.json main, index.js, index.mjs, index.cjs, index.ts, or __init__.py for a Python package)',
        [3, 0, 3, 7],
      ),
    ],
  },
  {
    what: 'an entry module with a syntax error',
    setting: SERVICE,
    files: { 'index.js': 'exports.add = (a, b) => a + b;\nexports.minus = (a, b) => { return a - b;\n' },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/publish',
        'entry-syntax',
        "publish: index.js cannot be loaded: line 3:1: '}' expected.",
        [3, 0, 3, 7],
      ),
    ],
  },
  {
    what: 'an args key that is not published (a warning)',
    setting: SERVICE + 'args:\n  times: { type: array }\n',
    files: { 'index.js': 'module.exports = { add() {}, minus: () => 0 };' },
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/args/times',
        'args-unknown',
        'args.times: "times" is not a published function',
        [7, 2, 7, 7],
        {
          severity: 'warning',
        },
      ),
    ],
  },
  {
    what: 'a bad schedule and, in the same entry, a missing command file',
    setting: "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['*/2 * * *', job.py]\n",
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/publish/0/0',
        'schedule-invalid',
        'publish[0][0]: "*/2 * * *" has 4 fields; expected 5 (or 6 with seconds)',
        [4, 5, 4, 16],
      ),
      problem(
        d,
        'setting.yaml',
        '/publish/0/1',
        'command-file-missing',
        'publish[0][1]: "job.py" is not a file of this package',
        [4, 18, 4, 24],
      ),
    ],
  },
  {
    what: 'a schedule that can never fire (a warning)',
    setting: "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['0 0 31 2 *', 'echo hi']\n",
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/publish/0/0',
        'schedule-never',
        'publish[0][0]: "0 0 31 2 *" never fires (no such date in the next years), so this entry never runs',
        [4, 5, 4, 17],
        { severity: 'warning' },
      ),
    ],
  },
  {
    what: 'a misspelt enum value with its fix',
    setting:
      "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['* * * * *', 'echo hi']\noverlap: skp\n",
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '/overlap',
        'schema',
        'overlap: must be one of "skip", "allow"; did you mean "skip"?',
        [5, 9, 5, 12],
        {
          fix: { title: 'Change to "skip"', newText: 'skip' },
        },
      ),
    ],
  },
  {
    what: 'an empty file, saying what it must contain',
    setting: '',
    expected: (d) => [
      problem(
        d,
        'setting.yaml',
        '',
        'schema',
        'setting.yaml is empty: a service package needs `type: service`, `service_base_name`, `version` and `publish` (function names); a crontab package needs `type: crontab`, `crontab_name`, `version` and `publish` ([schedule, command] pairs)',
        [0, 0, 0, 0],
      ),
    ],
  },
];

describe('the validation core', () => {
  it('gives the seed examples zero problems', async () => {
    assert.deepEqual(await validatePath(path.join(ROOT, 'examples')), []);
  });

  for (const c of SETTING_CASES) {
    it(`reports ${c.what}`, async () => {
      const dir = await pkgDir({ 'setting.yaml': c.setting, ...(c.files ?? {}) });
      const problems = await validateDocument(path.join(dir, 'setting.yaml'), c.setting);
      assert.deepEqual(plain(problems), c.expected(dir));
    });
  }

  it('reports every problem of a frame.yaml in one pass: a duplicate does not hide a missing folder', async () => {
    const dir = await pkgDir({
      'a/setting.yaml': 'type: service\nservice_base_name: a\nversion: 1\npublish: [f]\n',
      'a/index.js': 'exports.f = () => 1;',
      'empty/readme.txt': '',
    });
    const text = 'service_group: g\npath:\n  - ./a\n  - ./a\n  - ./missing\n  - ./empty\n';
    assert.deepEqual(plain(await validateDocument(path.join(dir, 'frame.yaml'), text)), [
      problem(
        dir,
        'frame.yaml',
        '/path/1',
        'schema',
        'path[1]: "./a" is listed twice (also item 0)',
        [3, 4, 3, 7],
      ),
      problem(
        dir,
        'frame.yaml',
        '/path/2',
        'path-missing',
        `path[2]: package folder ${path.join(dir, 'missing')} does not exist`,
        [4, 4, 4, 13],
      ),
      problem(
        dir,
        'frame.yaml',
        '/path/3',
        'setting-missing',
        'path[3]: ./empty has no setting.yaml (every package folder needs one)',
        [5, 4, 5, 11],
      ),
    ]);
  });

  it('fails a frame.yaml path line with the code of the package problem, which it reports in the package file', async () => {
    const dir = await pkgDir({
      'calc/setting.yaml': SERVICE,
      'calc/index.js': 'exports.add = (a, b) => a + b;',
      'cron/setting.yaml':
        "type: crontab\ncrontab_name: c\nversion: 1\npublish:\n  - ['*/2 * * *', job.py]\n",
      'one/setting.yaml': 'type: service\nservice_base_name: same\nversion: 1\npublish: [f]\n',
      'one/index.js': 'exports.f = () => 1;',
      'two/setting.yaml': 'type: service\nservice_base_name: same\nversion: 2\npublish: [f]\n',
      'two/index.js': 'exports.f = () => 1;',
    });
    const text = 'service_group: g\npath:\n  - ./calc\n  - ./cron\n  - ./one\n  - ./two\n';
    assert.deepEqual(plain(await validateDocument(path.join(dir, 'frame.yaml'), text)), [
      problem(
        dir,
        'calc/setting.yaml',
        '/publish/1',
        'export-missing',
        'publish[1]: "minus" is not exported by index.js',
        [5, 4, 5, 9],
      ),
      problem(
        dir,
        'frame.yaml',
        '/path/0',
        'export-missing',
        'path[0]: package ./calc fails to load: publish[1]: "minus" is not exported by index.js (setting.yaml:6)',
        [2, 4, 2, 10],
      ),
      problem(
        dir,
        'cron/setting.yaml',
        '/publish/0/0',
        'schedule-invalid',
        'publish[0][0]: "*/2 * * *" has 4 fields; expected 5 (or 6 with seconds)',
        [4, 5, 4, 16],
      ),
      problem(
        dir,
        'cron/setting.yaml',
        '/publish/0/1',
        'command-file-missing',
        'publish[0][1]: "job.py" is not a file of this package',
        [4, 18, 4, 24],
      ),
      problem(
        dir,
        'frame.yaml',
        '/path/1',
        'schedule-invalid',
        'path[1]: package ./cron fails to load: publish[0][0]: "*/2 * * *" has 4 fields; expected 5 (or 6 with seconds) (setting.yaml:5) (and 1 more problem)',
        [3, 4, 3, 10],
      ),
      problem(
        dir,
        'frame.yaml',
        '/path/3',
        'duplicate-name',
        'path[3]: service_base_name "same" of ./two is already used by ./one',
        [5, 4, 5, 9],
      ),
    ]);
  });

  it('reports each problem once when a folder holds a frame.yaml and the packages it lists', async () => {
    const dir = await pkgDir({
      'calc/setting.yaml': SERVICE,
      'calc/index.js': 'exports.add = (a, b) => a + b;',
      'frame.yaml': 'service_group: g\npath:\n  - ./calc\n',
    });
    assert.deepEqual(
      (await validatePath(dir)).map((p) => [path.relative(dir, p.file), p.code]),
      [
        ['calc/setting.yaml', 'export-missing'],
        ['frame.yaml', 'export-missing'],
      ],
    );
  });

  it('says what an empty frame.yaml must contain', async () => {
    const dir = await pkgDir({});
    assert.deepEqual(plain(await validateDocument(path.join(dir, 'frame.yaml'), '')), [
      problem(
        dir,
        'frame.yaml',
        '',
        'schema',
        'frame.yaml is empty: it must contain `service_group: <name>` (the namespace when the frame gets no --name) and `path:` with a list of package folders (each holding a setting.yaml), absolute or relative to this file',
        [0, 0, 0, 0],
      ),
    ]);
  });

  it('knows which files are kael files', () => {
    assert.equal(documentKind('/x/setting.yaml', ''), 'setting');
    assert.equal(documentKind('/x/frame.yaml', ''), 'frame');
    assert.equal(documentKind('/x/cluster.yaml', 'service_group: g\npath: []\n'), 'frame');
    assert.equal(documentKind('/x/other.yaml', 'a: 1\n'), undefined);
  });
});
