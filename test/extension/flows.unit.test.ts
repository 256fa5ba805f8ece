import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ADMIN_KEY } from 'kael-vscode/dist/client/connection-store';
import { NamespaceSessions } from 'kael-vscode/dist/client/namespace-sessions';
import { callableServices, callService } from 'kael-vscode/dist/commands/call-flow';
import { restart, rollbackPackage, updatePackage } from 'kael-vscode/dist/commands/change-flows';
import { formatCrontabRuns, showCrontabRuns } from 'kael-vscode/dist/commands/crontab-runs';
import type { FlowContext } from 'kael-vscode/dist/commands/flow-context';
import { copyFrameId, showFrameLog } from 'kael-vscode/dist/commands/node-actions';
import type { NodeData } from 'kael-vscode/dist/tree/tree-model';
import { FakeClient, frame } from './fake-client.js';
import { byLabel, ESCAPE, MemorySecrets, ScriptedHost } from './scripted-host.js';

const open: NamespaceSessions[] = [];

/** Sessions over fake clients; every (re)connect makes a new client carrying the stored admin key. */
async function world(frames = [frame('a'), frame('b', { host: 'vm2' })]) {
  const secrets = new MemorySecrets();
  const clients: FakeClient[] = [];
  let configure: (c: FakeClient) => void = () => undefined;
  const sessions = new NamespaceSessions(async (ns) => {
    const c = new FakeClient(ns, frames, await secrets.get(ADMIN_KEY));
    configure(c);
    clients.push(c);
    return c;
  });
  open.push(sessions);
  await sessions.show(['prod']);
  await new Promise((r) => setImmediate(r));
  const ctx = (host: ScriptedHost, node?: NodeData): FlowContext => ({ host, sessions, secrets, node });
  return {
    sessions,
    secrets,
    clients,
    ctx,
    /** Applies `fn` to the current client and every future one. */
    onClient(fn: (c: FakeClient) => void): void {
      configure = fn;
      clients.forEach(fn);
    },
  };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.dispose()));
});

const ok = (value: unknown, frameId = 'a', durationMs = 3) => ({
  reply: { ok: true as const, value },
  frame: frameId,
  durationMs,
  pinned: false,
});

describe('Call Service…', () => {
  it('offers only services of packages that loaded, and asks where the call should run', async () => {
    const w = await world([
      frame('a'),
      frame('b', {
        host: 'vm2',
        packages: [
          {
            kind: 'service',
            name: 'broken',
            version: '1',
            dir: '/b',
            services: ['broken__x'],
            error: { code: 'PACKAGE_INVALID', name: 'E', message: 'm' },
          },
        ],
      }),
    ]);
    w.onClient((c) => (c.handlers.call = async () => Promise.resolve(ok(5))));
    const host = new ScriptedHost([byLabel('calc__add'), '[2, 3]']);
    await callService(w.ctx(host));
    assert.deepEqual(host.asked[0], {
      kind: 'pick',
      placeholder: 'Service to call',
      labels: ['calc__add', 'calc__div'],
    });
    // Only one frame serves it: no routing question; the argument prompt says how it is routed.
    assert.equal(
      host.asked[1]?.kind === 'input' && host.asked[1].prompt,
      'Arguments of calc__add as a JSON array — load-balanced over 1 frame',
    );
    assert.deepEqual(host.shown, [
      { title: 'calc__add · answered by vm · 3 ms', content: '5', language: 'json' },
    ]);
  });

  it('offers no service of a package a frame reports failed or restarting (state), and counts only frames where it runs', async () => {
    const frames = [
      frame('a'),
      frame('b', {
        host: 'vm2',
        packages: [
          {
            kind: 'service',
            name: 'calc',
            version: '1.0',
            dir: '/c',
            services: ['calc__add', 'calc__div'],
            state: 'restarting',
          },
          {
            kind: 'service',
            name: 'broken',
            version: '1',
            dir: '/b',
            services: ['broken__x'],
            state: 'failed',
            reason: 'index.js:1:1: SyntaxError',
          },
        ],
      }),
    ];
    assert.deepEqual(callableServices(frames), [
      { name: 'calc__add', frames: 1 },
      { name: 'calc__div', frames: 1 },
    ]);
    const w = await world(frames);
    const host = new ScriptedHost([byLabel('calc__add'), ESCAPE]);
    await callService(w.ctx(host));
    assert.deepEqual(host.asked[0], {
      kind: 'pick',
      placeholder: 'Service to call',
      labels: ['calc__add', 'calc__div'],
    });
    assert.equal(
      host.asked[1]?.kind === 'input' && host.asked[1].prompt,
      'Arguments of calc__add as a JSON array — load-balanced over 1 frame',
    );
  });

  it('pins a call from a frame node to that frame and names the frame that answered', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.call = async (_s, _a, o) =>
          Promise.resolve({ ...ok({ sum: 5 }, o.frame ?? 'a', 2.4), pinned: true })),
    );
    const host = new ScriptedHost(['[2, 3]']);
    await callService(w.ctx(host, { namespace: 'prod', frameId: 'b', service: 'calc__add' }), 'pinned');
    assert.equal(
      host.asked[0]?.kind === 'input' && host.asked[0].prompt,
      'Arguments of calc__add as a JSON array — pinned to vm2',
    );
    assert.deepEqual(w.clients[0]?.sent[0]?.args, ['calc__add', [2, 3], { timeoutMs: 30_000, frame: 'b' }]);
    assert.deepEqual(host.shown, [
      { title: 'calc__add · answered by vm2 · 2 ms', content: '{\n  "sum": 5\n}', language: 'json' },
    ]);
    assert.match(
      host.log.lines.map((l) => l.text).join('\n'),
      /call answered service=calc__add frame=b ms=2\.4 pinned=true/,
    );
  });

  it('lets the palette choose between load-balanced and one frame', async () => {
    const w = await world();
    w.onClient((c) => (c.handlers.call = async (_s, _a, o) => Promise.resolve(ok(1, o.frame ?? 'a'))));
    const host = new ScriptedHost([byLabel('calc__div'), byLabel('Only vm2 (pinned)'), '[1, 1]']);
    await callService(w.ctx(host));
    assert.deepEqual(host.asked[1], {
      kind: 'pick',
      placeholder: 'Where should calc__div run?',
      labels: ['Any frame (load-balanced)', 'Only vm (pinned)', 'Only vm2 (pinned)'],
    });
    assert.deepEqual((w.clients[0]?.sent[0]?.args[2] as { frame?: string }).frame, 'b');
  });

  it('shows a remote error with its stack on real lines and says where it failed', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.call = async () =>
          Promise.resolve({
            reply: {
              ok: false as const,
              error: {
                code: 'REMOTE_ERROR',
                name: 'RangeError',
                message: 'division by zero',
                stack: 'RangeError: division by zero\n    at div (/srv/calc/index.js:3:9)',
              },
            },
            frame: 'a',
            durationMs: 1,
            pinned: false,
          })),
    );
    const host = new ScriptedHost(['[1, 0]']);
    await callService(w.ctx(host, { namespace: 'prod', frameId: 'a', service: 'calc__div' }), 'balanced');
    assert.equal(host.shown[0]?.title, 'calc__div · failed on vm · 1 ms');
    assert.equal(
      host.shown[0]?.content,
      [
        'calc__div threw on vm after 1 ms',
        '',
        'code:    REMOTE_ERROR',
        'error:   RangeError: division by zero',
        '',
        'stack (remote):',
        '  RangeError: division by zero',
        '      at div (/srv/calc/index.js:3:9)',
      ].join('\n'),
    );
    assert.deepEqual(
      host.notes.map((n) => n.level),
      ['error'],
    );
  });

  it('stops waiting when the user cancels', async () => {
    const w = await world();
    const host = new ScriptedHost(['[]']);
    w.onClient(
      (c) =>
        (c.handlers.call = async () => {
          host.progressAbort?.abort();
          return new Promise(() => undefined);
        }),
    );
    await callService(w.ctx(host, { namespace: 'prod', frameId: 'a', service: 'calc__add' }), 'balanced');
    assert.deepEqual(
      [host.shown, host.notes.map((n) => n.message)],
      [[], ['Kael: stopped waiting for calc__add (the frame may still run it).']],
    );
  });

  it('offers Connect… from the palette when no namespace is shown', async () => {
    const sessions = new NamespaceSessions(async () => Promise.reject(new Error('unused')));
    open.push(sessions);
    const host = new ScriptedHost(['Connect…']);
    await callService({ host, sessions, secrets: new MemorySecrets() });
    assert.deepEqual(host.commands, ['kael.connect']);
    assert.deepEqual(host.notes[0]?.actions, ['Connect…']);
  });
});

describe('changing commands', () => {
  it('asks for the admin key only when the frames refuse an unsigned command, stores it, and retries signed', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.change = async (_op, _args, key) =>
          Promise.resolve(
            key === 's3cret'
              ? { a: { ok: true, value: {} }, b: { ok: true, value: {} } }
              : {
                  a: {
                    ok: false,
                    error: {
                      code: 'UNAUTHORIZED',
                      name: 'KaelError',
                      message: '_restart_service must be signed with the admin key (KAEL_ADMIN_KEY)',
                    },
                  },
                  b: {
                    ok: false,
                    error: { code: 'UNAUTHORIZED', name: 'KaelError', message: 'must be signed' },
                  },
                },
          )),
    );
    const host = new ScriptedHost([true, 's3cret']);
    await restart(w.ctx(host, { namespace: 'prod' }), 'service');
    assert.deepEqual(
      host.asked.map((a) => a.kind),
      ['confirm', 'input', 'notify'],
    );
    assert.equal(host.asked[1]?.kind === 'input' && host.asked[1].options.password, true);
    assert.equal(w.secrets.values.get(ADMIN_KEY), 's3cret');
    assert.deepEqual(
      w.clients.map((c) => c.sent.map((s) => `${s.op}:${s.adminKey ?? '-'}`)),
      [['restart:-'], ['restart:s3cret']],
    );
    assert.equal(host.notes.at(-1)?.message, 'Kael: Restart services in prod: done on 2 frames.');
  });

  it('stores nothing when the admin key prompt is dismissed', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.change = async () =>
          Promise.resolve({
            a: { ok: false, error: { code: 'UNAUTHORIZED', name: 'KaelError', message: 'must be signed' } },
          })),
    );
    const host = new ScriptedHost([true, ESCAPE]);
    await restart(w.ctx(host, { namespace: 'prod', frameId: 'a' }), 'crontab');
    assert.deepEqual(w.secrets.writes, []);
    assert.equal(w.clients.length, 1);
  });

  it('opens the results when a frame failed, offers the actions, and retries only the failed frames', async () => {
    const w = await world([
      frame('a'),
      frame('b', {
        host: 'vm2',
        packages: [{ kind: 'service', name: 'calc', version: '1.2', dir: '/c', services: ['calc__add'] }],
      }),
    ]);
    w.onClient(
      (c) =>
        (c.handlers.change = async (_op, args) => {
          const target = (args[2] as { id?: string }).id;
          if (target === undefined)
            return Promise.resolve({
              a: {
                ok: false,
                from: '1.0',
                to: null,
                error: { code: 'ARCHIVE_INVALID', message: 'sha256 mismatch' },
              },
              b: { ok: true, from: '1.2', to: '1.2', unchanged: true },
            });
          return Promise.resolve({ [target]: { ok: true, from: '1.0', to: '1.2' } });
        }),
    );
    const host = new ScriptedHost([
      byLabel('calc'),
      byLabel('1.2'),
      byLabel('All frames'),
      true,
      'Retry Failed Frames',
    ]);
    await updatePackage(w.ctx(host));
    assert.deepEqual(
      host.asked.map((a) => (a.kind === 'pick' ? `pick ${a.placeholder}: ${a.labels.join(', ')}` : a.kind)),
      [
        'pick Package: calc, print',
        'pick Version of calc: 1.2, 1.0',
        'pick On which frames?: All frames, vm, vm2',
        'confirm',
        'notify',
        'notify',
      ],
    );
    assert.equal(
      host.shown[0]?.content,
      [
        'Update calc to 1.2',
        '',
        '✘ vm (a)  1.0 → -',
        '    [ARCHIVE_INVALID] sha256 mismatch',
        '✔ vm2 (b)  1.2 → 1.2 (already there)',
        '',
        '1 of 2 frame(s) succeeded',
      ].join('\n'),
    );
    assert.deepEqual(
      w.clients[0]?.sent.map((x) => x.args[2]),
      [{ version: '1.2' }, { version: '1.2', id: 'a' }],
    );
    assert.deepEqual(
      host.notes.map((n) => [n.level, n.message, n.actions]),
      [
        [
          'error',
          'Kael: Update calc to 1.2: 1 of 2 frame(s) failed — vm: [ARCHIVE_INVALID] sha256 mismatch',
          ['Show Results', 'Retry Failed Frames', 'Show Log'],
        ],
        ['info', 'Kael: Update calc to 1.2: done on 2 frames.', ['Show Results']],
      ],
    );
  });

  it('names the target version in the rollback confirmation and skips frames that keep none', async () => {
    const w = await world();
    w.onClient((c) => {
      c.handlers.commandAll = async () =>
        Promise.resolve({
          a: { ok: true, value: [{ name: 'calc', version: '1.2', path: '/x', previous: ['1.0', '0.9'] }] },
          b: { ok: true, value: [{ name: 'calc', version: '1.2', path: '/y', previous: [] }] },
        });
      c.handlers.change = async () => Promise.resolve({ a: { ok: true, from: '1.2', to: '1.0' } });
    });
    const host = new ScriptedHost([true]);
    await rollbackPackage(w.ctx(host, { namespace: 'prod', packageName: 'calc', kind: 'service' }));
    assert.deepEqual(host.asked[0], {
      kind: 'confirm',
      message: 'Roll calc back from 1.2 to 1.0 on vm in prod?',
      action: 'Roll Back',
      detail: 'vm: 1.2 → 1.0\nskipped (no previous version kept): vm2',
    });
    assert.deepEqual(w.clients[0]?.sent.at(-1)?.args, ['service', 'calc', { id: 'a' }]);
  });

  it('refuses to roll back when no frame keeps a previous version', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.commandAll = async () =>
          Promise.resolve({
            a: { ok: true, value: [{ name: 'calc', version: '1.0', path: '/x', previous: [] }] },
          })),
    );
    const host = new ScriptedHost([]);
    await rollbackPackage(
      w.ctx(host, { namespace: 'prod', frameId: 'a', packageName: 'calc', kind: 'service' }),
    );
    assert.deepEqual(
      host.notes.map((n) => n.message),
      ['Kael: nothing to roll back: no selected frame keeps a previous version of calc.'],
    );
  });

  it('logs the command with its target and each frame result with its error code', async () => {
    const w = await world();
    w.onClient(
      (c) =>
        (c.handlers.change = async () =>
          Promise.resolve({
            a: { ok: false, error: { code: 'COMMAND_TIMEOUT', name: 'KaelError', message: 'no answer' } },
          })),
    );
    const host = new ScriptedHost([true]);
    await restart(w.ctx(host, { namespace: 'prod', frameId: 'a' }), 'service');
    const lines = host.log.lines.map((l) => `${l.level} ${l.text}`);
    assert.deepEqual(lines, [
      'info command command=_restart_service title="Restart services on vm" namespace=prod target=a',
      'error result command=_restart_service frame=a ok=false code=COMMAND_TIMEOUT error="no answer"',
    ]);
    assert.deepEqual(
      host.shown.map((d) => d.title),
      ['Restart services on vm · 0 of 1 frames ok'],
    );
    assert.deepEqual(host.notes.at(-1)?.actions, ['Show Results', 'Retry Failed Frames', 'Show Log']);
  });
});

describe('node actions', () => {
  it('copies a frame id and shows what was logged about a frame', async () => {
    const w = await world();
    const host = new ScriptedHost([]);
    host.log.info('command', { target: 'a' });
    host.log.info('command', { target: 'b' });
    await copyFrameId(w.ctx(host, { namespace: 'prod', frameId: 'a' }));
    await showFrameLog(w.ctx(host, { namespace: 'prod', frameId: 'a' }), (t) => host.log.matching(t));
    assert.deepEqual(host.copied, ['a']);
    assert.equal(host.shown[0]?.title, 'vm · Kael log');
    assert.match(host.shown[0]?.content ?? '', /\[info\] command target=a$/m);
    assert.doesNotMatch(host.shown[0]?.content ?? '', /target=b/);
  });
});

describe('crontab runs', () => {
  const run = (scheduledAt: string, status: 'ok' | 'failed', output: string, exitCode: number) => ({
    entry: 0,
    command: 'write.py',
    scheduledAt,
    status,
    output,
    exitCode,
    durationMs: 35,
  });
  const status = {
    a: [
      {
        name: 'print',
        version: '1.0',
        dir: '/p',
        active: true,
        timezone: 'UTC',
        entries: [
          {
            index: 0,
            schedule: '* * * * *',
            command: 'write.py',
            nextRun: '2026-11-24T12:03:00.000Z',
            runs: [
              run('2026-11-24T12:02:00.000Z', 'ok', 'wrote 3\n', 0),
              run('2026-11-24T12:01:00.000Z', 'failed', 'Traceback\nKeyError: x\n', 1),
            ],
          },
        ],
      },
    ],
    b: [
      {
        name: 'print',
        version: '1.0',
        dir: '/p',
        active: false,
        timezone: 'UTC',
        entries: [
          {
            index: 0,
            schedule: '* * * * *',
            command: 'write.py',
            runs: [run('2026-11-24T12:00:00.000Z', 'ok', 'wrote 1\n', 0)],
          },
        ],
      },
    ],
  };

  it('lists the runs of an entry across frames, failures first, with the output of each failure', () => {
    const text = formatCrontabRuns('prod', status, 'print', 0, (id) => (id === 'a' ? 'web1' : 'web2'), 'UTC');
    const rows = text.split('\n').filter((l) => l.startsWith('| 2026'));
    assert.deepEqual(rows, [
      '| 2026-11-24 12:01:00 UTC | failed | 1 | 35 ms | web1 | Traceback |',
      '| 2026-11-24 12:02:00 UTC | ok | 0 | 35 ms | web1 | wrote 3 |',
      '| 2026-11-24 12:00:00 UTC | ok | 0 | 35 ms | web2 | wrote 1 |',
    ]);
    assert.match(text, /active on web1 · standby on web2 · zone UTC/);
    assert.match(
      text,
      /### failed: tick 2026-11-24 12:01:00 UTC on web1\n\n```\nTraceback\nKeyError: x\n```/,
    );
  });

  it('opens the runs of the entry of the node as a named Markdown document', async () => {
    const w = await world();
    w.onClient((c) => (c.handlers.crontabs = async () => Promise.resolve(status)));
    const host = new ScriptedHost([]);
    await showCrontabRuns(
      w.ctx(host, { namespace: 'prod', frameId: 'a', packageName: 'print', kind: 'crontab', entry: 0 }),
    );
    assert.deepEqual(
      [host.shown[0]?.title, host.shown[0]?.language],
      ['print entry 0 · runs in prod', 'markdown'],
    );
  });
});
