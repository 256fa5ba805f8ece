import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { planCommand } from '@kael/runtime/cron/command-line';
import { runCommand } from '@kael/runtime/cron/command-runner';

async function pkg(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-cron-'));
  for (const [n, c] of Object.entries(files)) await fs.writeFile(path.join(dir, n), c);
  return dir;
}

const ENV = {
  KAEL_NAMESPACE: 'ns',
  KAEL_CRONTAB: 'c',
  KAEL_ENTRY: '0',
  KAEL_SCHEDULED_AT: '2026-11-24T00:00:00.000Z',
};

describe('running crontab commands', () => {
  it('runs a Python file of the package in the package folder with the KAEL_ variables', async () => {
    const dir = await pkg({
      'write.py':
        "import os\nprint(os.getcwd(), os.environ['KAEL_CRONTAB'], os.environ['KAEL_SCHEDULED_AT'])\nopen('out.txt', 'w').write('py')\n",
    });
    const r = await runCommand('write.py', dir, ENV, 10_000);
    assert.equal(r.exitCode, 0);
    assert.equal(r.output.trim(), `${await fs.realpath(dir)} c 2026-11-24T00:00:00.000Z`);
    assert.equal(await fs.readFile(path.join(dir, 'out.txt'), 'utf8'), 'py');
  });

  it('runs a JavaScript file with the current node and a TypeScript file without a build', async () => {
    const dir = await pkg({
      'job.js': 'console.log("js", process.argv[2]);',
      'job.ts': 'const n: number = 41;\nconsole.log("ts", n + 1);\n',
    });
    assert.equal((await runCommand('job.js arg1', dir, ENV, 10_000)).output.trim(), 'js arg1');
    const ts = await runCommand('job.ts', dir, ENV, 10_000);
    assert.equal(ts.output.trim(), 'ts 42');
  });

  it('runs anything else as a shell line, as the seed does', async () => {
    const dir = await pkg({ 'word.txt': 'hello\n' });
    const r = await runCommand('cat word.txt >> log.txt; echo done $KAEL_ENTRY; exit 3', dir, ENV, 10_000);
    assert.equal(r.exitCode, 3);
    assert.equal(r.output.trim(), 'done 0');
    assert.equal(await fs.readFile(path.join(dir, 'log.txt'), 'utf8'), 'hello\n');
  });

  it('treats a first word naming a missing file as a shell line', () => {
    assert.deepEqual(
      planCommand('write.py', '/nowhere', () => false),
      { file: '/bin/sh', args: ['-c', 'write.py'] },
    );
  });

  it('kills a runaway command and its children at the timeout', async () => {
    const dir = await pkg({});
    const started = Date.now();
    const r = await runCommand('sleep 30 & sleep 30; echo never', dir, ENV, 500);
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - started < 5000);
    assert.equal(r.output.includes('never'), false);
  });

  it('keeps only the last 64 KB of output', async () => {
    const dir = await pkg({});
    const r = await runCommand('head -c 200000 /dev/zero | tr "\\0" a; echo END', dir, ENV, 10_000);
    assert.ok(r.output.length <= 64 * 1024);
    assert.ok(r.output.trimEnd().endsWith('END'));
  });
});
