import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServiceProxy } from '@kael/runtime';
import type { FrameProcess } from '@kael/runtime/bench/frame-process';
import { deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  makeFrameDir,
  startFrameProcess,
  testClient,
  TOOLS_SERVICE,
  versionedService,
} from '../../support/frames.js';
import { until } from '../../support/wait.js';

/** A crontab package whose one entry never fires during a test (midnight on January 1st). */
function crontab(name: string): Record<string, string> {
  return {
    'setting.yaml': `type: crontab\ncrontab_name: ${name}\nversion: 1.0\npublish:\n  - ['0 0 1 1 *', 'true']\n`,
  };
}

/** One parsed stderr line of `kael run --log-format json`. */
interface LogLine {
  time: string;
  level: string;
  scope: string;
  pid: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * `kael run --log-format json` on tools + alpha; frame.yaml is rewritten to tools + beta and the frame
 * gets SIGHUP, while a client keeps calling tools; then frame.yaml is broken and SIGHUP sent again.
 */
describe('kael run reloading frame.yaml on SIGHUP', () => {
  const ns = randomNamespace();
  let conf: string;
  let frame: FrameProcess;
  let client: ServiceProxy;
  const lines: LogLine[] = [];
  const unparsed: string[] = [];
  let waiters: (() => void)[] = [];

  /** Resolves with the first log line (seen or to come) that `match` accepts. */
  async function logLine(what: string, match: (l: LogLine) => boolean): Promise<LogLine> {
    for (;;) {
      const found = lines.find(match);
      if (found !== undefined) return found;
      if (frame.child.exitCode !== null) throw new Error(`frame exited before logging ${what}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  before(async () => {
    conf = await makeFrameDir({
      tools: TOOLS_SERVICE,
      alpha: versionedService('alpha', '1.0'),
      keeper: crontab('keeper'),
      gone: crontab('gone'),
    });
    const later = { beta: versionedService('beta', '2.0'), fresh: crontab('fresh') };
    for (const [name, files] of Object.entries(later)) {
      await fs.mkdir(path.join(path.dirname(conf), name));
      for (const [file, text] of Object.entries(files))
        await fs.writeFile(path.join(path.dirname(conf), name, file), text);
    }
    frame = startFrameProcess(conf, ns, ['--log-format', 'json', '--heartbeat', '300']);
    let rest = '';
    frame.child.stderr?.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      const complete = rest.split('\n');
      rest = complete.pop() ?? '';
      for (const text of complete) {
        if (text === '') continue;
        try {
          lines.push(JSON.parse(text) as LogLine);
        } catch {
          unparsed.push(text);
        }
      }
      const woken = waiters;
      waiters = [];
      for (const w of woken) w();
    });
    await frame.ready;
    client = await testClient(ns);
  });

  after(async () => {
    await client?.close();
    await frame?.stop();
    await deleteNamespace(ns);
  });

  it('adds beta and fresh, removes alpha and gone, without failing a call of tools', async () => {
    let failed = 0;
    let answered = 0;
    let loading = true;
    const load = async (): Promise<void> => {
      while (loading) {
        try {
          assert.equal(await client.call('tools__add', [2, 3], { timeoutMs: 5000 }), 5);
          answered++;
        } catch {
          failed++;
        }
      }
    };
    const callers = [load(), load()];
    await until('calls answered before the reload', () => Promise.resolve(answered >= 20 ? true : undefined));
    await fs.writeFile(
      conf,
      'service_group: test_group\npath:\n  - ./tools\n  - ./beta\n  - ./keeper\n  - ./fresh\n',
    );
    const before = answered;
    frame.child.kill('SIGHUP');
    const reloaded = await logLine('the reload', (l) => l.msg === 'frame.yaml reloaded');
    await until('calls answered after the reload', () =>
      Promise.resolve(answered >= before + 20 ? true : undefined),
    );
    loading = false;
    await Promise.all(callers);
    assert.deepEqual(
      {
        added: reloaded['added'],
        removed: reloaded['removed'],
        changed: reloaded['changed'],
        unchanged: reloaded['unchanged'],
      },
      { added: ['beta', 'fresh'], removed: ['alpha', 'gone'], changed: [], unchanged: ['tools', 'keeper'] },
    );
    process.stdout.write(`# reload under load: ${answered} calls of tools answered, ${failed} failed\n`);
    assert.equal(failed, 0);
    assert.equal(await client.call('beta__ver', [], { timeoutMs: 5000 }), '2.0');
    const names = await until('the frame announcing the new packages', async () => {
      const list = (await client.servers()).flatMap((f) => f.packages.map((p) => p.name)).sort();
      return list.join() === 'beta,fresh,keeper,tools' ? list : undefined;
    });
    assert.deepEqual(names, ['beta', 'fresh', 'keeper', 'tools']);
    const crontabs = await until('both crontabs active', async () => {
      const list = (await client.servers()).flatMap((f) =>
        f.crontabs.map((c) => ({ name: c.name, active: c.active })),
      );
      return list.length === 2 && list.every((c) => c.active) ? list : undefined;
    });
    assert.deepEqual(
      crontabs.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'fresh', active: true },
        { name: 'keeper', active: true },
      ],
    );
  });

  it('keeps its packages and logs CONFIG_INVALID when frame.yaml is broken', async () => {
    await fs.writeFile(conf, 'service_group: [not a name\npath: ./tools\n');
    frame.child.kill('SIGHUP');
    const refused = await logLine('the refused reload', (l) => l.msg.startsWith('frame.yaml not reloaded'));
    assert.equal(refused.level, 'error');
    assert.equal(refused['code'], 'CONFIG_INVALID');
    assert.equal(await client.call('tools__add', [1, 1], { timeoutMs: 5000 }), 2);
    assert.equal(await client.call('beta__ver', [], { timeoutMs: 5000 }), '2.0');
  });

  it('writes every log line as one JSON object with time, level, scope, pid and msg', async () => {
    assert.equal(await frame.stop(), 0);
    assert.deepEqual(unparsed, []);
    assert.ok(lines.length >= 4);
    for (const l of lines) {
      assert.ok(!Number.isNaN(Date.parse(l.time)), `time of ${JSON.stringify(l)}`);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(l.level));
      assert.equal(typeof l.scope, 'string');
      assert.equal(typeof l.pid, 'number');
      assert.equal(typeof l.msg, 'string');
    }
    const loaded = lines.filter((l) => l.msg === 'package loaded').map((l) => l['name']);
    assert.deepEqual(loaded.sort(), ['alpha', 'gone', 'keeper', 'tools']);
    // The service workers inherit the format: lines from more than the frame process.
    assert.ok(new Set(lines.map((l) => l.pid)).size >= 2);
  });
});
