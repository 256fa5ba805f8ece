import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from '@kael/runtime';
import { NamespaceSessions } from 'kael-vscode/dist/client/namespace-sessions';
import { callService, restart, showCrontabRuns, updatePackage } from 'kael-vscode/dist/commands/flows';
import type { Pick, UiHost } from 'kael-vscode/dist/host/ui-host';
import { buildTree } from 'kael-vscode/dist/tree/tree-model';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import { makeFrameDir, startFrameProcess, testClient, versionedService } from '../support/frames.js';
import type { FrameProcess } from '../support/frames.js';

/** A UiHost answering from a script, recording what it showed. */
class ScriptedHost implements UiHost {
  shown: { title: string; content: string }[] = [];
  infos: string[] = [];
  errors: string[] = [];
  constructor(private readonly answers: ((items?: Pick<unknown>[]) => unknown)[]) {}
  async pick<T>(items: Pick<T>[]): Promise<T | undefined> {
    return Promise.resolve(this.next(items as Pick<unknown>[]) as T | undefined);
  }
  async input(): Promise<string | undefined> {
    return Promise.resolve(this.next() as string | undefined);
  }
  async confirm(): Promise<boolean> {
    return Promise.resolve(this.next() as boolean);
  }
  info(m: string): void {
    this.infos.push(m);
  }
  error(m: string): void {
    this.errors.push(m);
  }
  async progress<T>(_title: string, task: (report: (line: string) => void) => Promise<T>): Promise<T> {
    return task(() => undefined);
  }
  async show(title: string, content: string): Promise<void> {
    this.shown.push({ title, content });
    return Promise.resolve();
  }
  private next(items?: Pick<unknown>[]): unknown {
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error('the flow asked more than the script answers');
    return answer(items);
  }
}

const byLabel = (label: string) => (items?: Pick<unknown>[]) => items?.find((i) => i.label === label)?.value;

describe('extension command flows against live frames', () => {
  const ns = randomNamespace();
  const procs: FrameProcess[] = [];
  let sessions: NamespaceSessions;

  before(async () => {
    const cron = {
      'setting.yaml':
        "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo tick']\n",
    };
    procs.push(
      startFrameProcess(await makeFrameDir({ calc: versionedService('calc', '1.0'), ticker: cron }), ns, [
        '--heartbeat',
        '500',
      ]),
    );
    procs.push(
      startFrameProcess(await makeFrameDir({ calc: versionedService('calc', '1.2'), ticker: cron }), ns, [
        '--heartbeat',
        '500',
      ]),
    );
    await Promise.all(procs.map((p) => p.ready));
    sessions = new NamespaceSessions((name) => testClient(name));
    await sessions.show([ns]);
    const deadline = Date.now() + 10_000;
    while (sessions.states()[0]?.frames.length !== 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    await sessions.dispose();
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(ns);
  });

  it('builds the live tree from membership events', () => {
    const [root] = buildTree(sessions.states(), 'frame');
    assert.equal(root?.children.length, 2);
    const crontabs =
      root?.children.flatMap((f) => f.children.filter((p) => p.context === 'crontab-package')) ?? [];
    assert.equal(crontabs.filter((c) => c.description?.endsWith('active')).length, 1);
  });

  it('calls a service with JSON arguments and shows the result', async () => {
    const host = new ScriptedHost([byLabel('calc__add'), () => '[2, 3]']);
    await callService({ host, sessions });
    assert.deepEqual(
      host.shown.map((s) => [s.title, s.content]),
      [['calc__add result', '5']],
    );
  });

  it('updates a package to a picked version on all frames and reports per-frame results', async () => {
    const host = new ScriptedHost([byLabel('calc'), byLabel('1.2'), byLabel('All frames'), () => true]);
    await updatePackage({ host, sessions });
    assert.deepEqual(host.errors, []);
    assert.match(host.shown[0]?.content ?? '', /1\.0 → 1\.2/);
    assert.match(host.shown[0]?.content ?? '', /2 of 2 frame\(s\) succeeded/);
  });

  it('does nothing when a changing command is not confirmed', async () => {
    const host = new ScriptedHost([() => false]);
    await restart({ host, sessions }, 'service');
    assert.deepEqual([host.shown, host.infos], [[], []]);
  });

  it('restarts crontabs on the selected frame only', async () => {
    const frameId = sessions.states()[0]?.frames[0]?.id ?? '';
    const host = new ScriptedHost([() => true]);
    await restart({ host, sessions, node: { namespace: ns, frameId } }, 'crontab');
    assert.match(host.shown[0]?.content ?? '', /1 of 1 frame\(s\) succeeded/);
  });

  it('shows crontab runs with their output', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    const host = new ScriptedHost([]);
    await showCrontabRuns({
      host,
      sessions,
      node: { namespace: ns, packageName: 'ticker', kind: 'crontab' },
    });
    assert.match(host.shown[0]?.content ?? '', /ACTIVE/);
    assert.match(host.shown[0]?.content ?? '', /\n {4}tick/);
  });
});

describe('a namespace whose broker cannot be reached', () => {
  it('shows the error and reconnects by itself', async () => {
    let attempts = 0;
    const sessions = new NamespaceSessions(async (name) => {
      attempts++;
      return connectClient({ name, auri: attempts < 2 ? 'amqp://guest:guest@127.0.0.1:1' : AURI });
    }, 100);
    try {
      await sessions.show(['nowhere']);
      assert.match(sessions.states()[0]?.error ?? '', /unreachable/);
      const deadline = Date.now() + 5000;
      while (sessions.states()[0]?.error !== undefined && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(sessions.states()[0]?.error, undefined);
    } finally {
      await sessions.dispose();
    }
  });
});
