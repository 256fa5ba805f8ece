import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NamespaceSessions } from 'kael-vscode/dist/client/namespace-sessions';
import { callService } from 'kael-vscode/dist/commands/call-flow';
import { rollbackPackage, updatePackage } from 'kael-vscode/dist/commands/change-flows';
import { frameLabels } from 'kael-vscode/dist/tree/frame-labels';
import { buildTree } from 'kael-vscode/dist/tree/tree-model';
import type { TreeNode } from 'kael-vscode/dist/tree/tree-model';
import { deleteNamespace, randomNamespace } from '../support/broker.js';
import { makeFrameDir, startFrameProcess, testClient, versionedService } from '../support/frames.js';
import type { FrameProcess } from '../support/frames.js';
import { byLabel, MemorySecrets, ScriptedHost } from './scripted-host.js';

const HEARTBEAT_MS = 500;

const stars = (nodes: readonly TreeNode[]): number =>
  nodes.reduce((n, x) => n + (x.icon === 'star-full' ? 1 : 0) + stars(x.children), 0);

describe('extension flows against live frames', () => {
  const ns = randomNamespace();
  const procs: FrameProcess[] = [];
  let sessions: NamespaceSessions;
  const secrets = new MemorySecrets();

  before(async () => {
    const cron = {
      'setting.yaml':
        "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo tick']\n",
    };
    for (const version of ['1.0', '1.2'])
      procs.push(
        startFrameProcess(await makeFrameDir({ calc: versionedService('calc', version), ticker: cron }), ns, [
          '--heartbeat',
          String(HEARTBEAT_MS),
        ]),
      );
    await Promise.all(procs.map((p) => p.ready));
    sessions = new NamespaceSessions((name) => testClient(name));
    await sessions.show([ns]);
    const deadline = Date.now() + 10_000;
    while (sessions.frames(ns).length !== 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  });

  after(async () => {
    await sessions.dispose();
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(ns);
  });

  it('calls a service pinned to each frame from its node, and the document names that frame', async () => {
    const labels = frameLabels(sessions.frames(ns));
    for (const f of sessions.frames(ns)) {
      const host = new ScriptedHost(['[20, 22]']);
      await callService(
        { host, sessions, secrets, node: { namespace: ns, frameId: f.id, service: 'calc__ver' } },
        'pinned',
      );
      assert.match(
        host.shown[0]?.title ?? '',
        new RegExp(`^calc__ver · answered by ${labels.get(f.id) ?? '?'} · [\\d.]+ (ms|s)$`),
      );
      const version = f.packages.find((p) => p.name === 'calc')?.version ?? '';
      assert.equal(host.shown[0]?.content, JSON.stringify(version));
    }
  });

  it('updates to a picked version, then names the version the rollback goes back to', async () => {
    const up = new ScriptedHost([byLabel('calc'), byLabel('1.2'), byLabel('All frames'), true]);
    await updatePackage({ host: up, sessions, secrets });
    assert.deepEqual(
      up.notes.map((n) => n.level),
      ['info'],
    );
    const older = sessions.frames(ns).find((f) => f.packages.some((p) => p.name === 'calc'));
    assert.ok(older);
    const back = new ScriptedHost([false]);
    await rollbackPackage({
      host: back,
      sessions,
      secrets,
      node: { namespace: ns, packageName: 'calc', kind: 'service' },
    });
    const asked = back.asked[0];
    assert.equal(asked?.kind, 'confirm');
    // One frame moved 1.0 → 1.2 and keeps 1.0; the other was at 1.2 already and keeps nothing.
    assert.match(
      asked?.kind === 'confirm' ? asked.message : '',
      /^Roll calc back from 1\.2 to 1\.0 on .+ in /,
    );
    assert.match(
      asked?.kind === 'confirm' ? (asked.detail ?? '') : '',
      /skipped \(no previous version kept\)/,
    );
  });

  it('after kill -9 of the active frame, never shows two ★ and drops the frame within its timeout + 1 s', async () => {
    // The first election waits one lease after the frames start.
    let holder = sessions.frames(ns).find((f) => f.crontabs.some((c) => c.active));
    for (const deadline = Date.now() + 15_000; holder === undefined && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      holder = sessions.frames(ns).find((f) => f.crontabs.some((c) => c.active));
    }
    assert.ok(holder, 'a frame runs the crontab');
    const victim = procs.find((p) => p.child.pid === holder.pid);
    assert.ok(victim);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    let goneAfter: number | undefined;
    let maxStars = 0;
    let takenOver = false;
    while (Date.now() - killedAt < 3 * HEARTBEAT_MS + 3000) {
      const tree = buildTree(sessions.states(), 'frame');
      maxStars = Math.max(maxStars, stars(tree));
      const present = sessions.frames(ns).some((f) => f.id === holder.id);
      if (!present && goneAfter === undefined) goneAfter = Date.now() - killedAt;
      takenOver = stars(tree) === 1 && !present;
      if (takenOver) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(maxStars, 1);
    assert.ok(goneAfter !== undefined && goneAfter <= 3 * HEARTBEAT_MS + 1000, `gone after ${goneAfter} ms`);
    assert.ok(takenOver, 'the other frame shows ★');
  });
});
