import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameSnapshot } from '@kael/runtime';
import { frameLabels } from 'kael-vscode/dist/tree/frame-labels';
import { crontabHolders, trackClaims } from 'kael-vscode/dist/tree/liveness';
import type { LiveFrame } from 'kael-vscode/dist/tree/liveness';
import {
  buildTree,
  findNode,
  problemActions,
  packageHealth,
  problemMessage,
  rowsSignature,
} from 'kael-vscode/dist/tree/tree-model';
import type { NamespaceState, TreeNode } from 'kael-vscode/dist/tree/tree-model';
import { statusItems } from 'kael-vscode/dist/status/status-model';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const TZ = 'Asia/Shanghai'; // UTC+8, no DST: 12:01 UTC is 20:01 there

function frame(
  id: string,
  host: string,
  version: string,
  active: boolean,
  extra: Partial<FrameSnapshot> = {},
): FrameSnapshot {
  return {
    id,
    host,
    pid: 100,
    namespace: 'prod',
    startedAt: '2026-11-24T11:58:00Z',
    heartbeatMs: 2000,
    configFile: `/srv/${id}/frame.yaml`,
    packages: [
      { kind: 'crontab', name: 'print', version: '1.0', dir: '/srv/print' },
      {
        kind: 'service',
        name: 'calculate',
        version,
        dir: '/srv/calc',
        services: ['calculate__add', 'calculate__minus'],
      },
    ],
    crontabs: [
      {
        name: 'print',
        version: '1.0',
        dir: '/srv/print',
        active,
        entries: [
          {
            index: 0,
            schedule: '* * * * *',
            command: 'write.py',
            nextRun: '2026-11-24T12:01:00.000Z',
            lastRun: { scheduledAt: '2026-11-24T12:00:00.000Z', status: 'skipped' },
          },
        ],
      },
    ],
    ...extra,
  };
}

function live(f: FrameSnapshot, lastSeenMs = NOW, activeSince: Record<string, number> = {}): LiveFrame {
  return { snapshot: f, lastSeenMs, activeSince };
}

function ns(frames: LiveFrame[], extra: Partial<NamespaceState> = {}): NamespaceState {
  return { namespace: 'prod', connection: 'connected', frames, ...extra };
}

function shape(nodes: readonly TreeNode[]): unknown[] {
  return nodes.map((n) => {
    const row = [n.label, n.description ?? '', `${n.icon}${n.tone === undefined ? '' : `/${n.tone}`}`];
    return n.children.length === 0 ? row : [...row, shape(n.children)];
  });
}

const stars = (nodes: readonly TreeNode[]): number =>
  nodes.reduce((n, x) => n + (x.icon === 'star-full' ? 1 : 0) + stars(x.children), 0);

describe('the Kael tree', () => {
  it('shows namespace → frames → packages in a stable order, the active crontab, and times in local time', () => {
    const tree = buildTree(
      [
        ns([
          live(frame('b', 'web2', '1.9', false)),
          live(frame('a', 'web1', '1.10', true), NOW, { print: NOW - 5000 }),
        ]),
      ],
      'frame',
      { now: NOW, timeZone: TZ },
    );
    assert.deepEqual(shape(tree), [
      [
        'prod',
        '2 frames',
        'server',
        [
          [
            'web1',
            'pid 100',
            'server-process',
            [
              [
                'calculate',
                '1.10',
                'package',
                [
                  ['calculate__add', '', 'symbol-method'],
                  ['calculate__minus', '', 'symbol-method'],
                ],
              ],
              [
                'print',
                '1.0 · active',
                'star-full/active',
                [['* * * * *  write.py', 'next 20:01:00 · last skipped', 'debug-step-over/warning']],
              ],
            ],
          ],
          [
            'web2',
            'pid 100',
            'server-process',
            [
              [
                'calculate',
                '1.9',
                'package',
                [
                  ['calculate__add', '', 'symbol-method'],
                  ['calculate__minus', '', 'symbol-method'],
                ],
              ],
              [
                'print',
                '1.0 · standby',
                'circle-outline',
                [['* * * * *  write.py', 'last skipped', 'debug-step-over/warning']],
              ],
            ],
          ],
        ],
      ],
    ]);
    const entry = tree[0]?.children[0]?.children[1]?.children[0];
    assert.match(entry?.tooltip ?? '', /next run 2026-11-24 20:01:00 GMT\+8/);
  });

  it('groups by package to show which frame runs which version', () => {
    const tree = buildTree(
      [
        ns([
          live(frame('a', 'web1', '1.10', true), NOW, { print: 1 }),
          live(frame('b', 'web2', '1.9', false)),
        ]),
      ],
      'package',
      { now: NOW },
    );
    assert.deepEqual(shape(tree[0]?.children ?? []), [
      [
        'calculate',
        'service · 1.10, 1.9 (mixed)',
        'versions/warning',
        [
          ['web1', '1.10', 'server-process'],
          ['web2', '1.9', 'server-process'],
        ],
      ],
      [
        'print',
        'crontab · 1.0',
        'package',
        [
          ['web1', '1.0 · active', 'star-full/active'],
          ['web2', '1.0 · standby', 'server-process'],
        ],
      ],
    ]);
  });

  it('shows a failed package with an error icon, the reason in its tooltip, and a ⚠ on its frame that says why', () => {
    const f = frame('a', 'web1', '1.0', true, {
      packages: [
        {
          kind: 'service',
          name: 'broken',
          version: '2',
          dir: '/x',
          services: ['broken__x'],
          error: {
            code: 'PACKAGE_INVALID',
            name: 'ConfigError',
            message: 'publish[0]: "x" is not exported by index.js',
          },
        },
      ],
      crontabs: [],
    });
    const [root] = buildTree([ns([live(f)])], 'frame', { now: NOW });
    const node = root?.children[0];
    assert.deepEqual(
      [node?.icon, node?.tone, node?.description],
      ['warning', 'warning', 'pid 100 · ⚠ 1 failed'],
    );
    assert.match(
      node?.tooltip ?? '',
      /⚠ \*\*broken\*\* failed: publish\\\[0\\\]: "x" is not exported by index\\\.js/,
    );
    assert.deepEqual(shape(node?.children ?? []), [
      [
        'broken',
        '2 · failed',
        'error/failed',
        [['publish[0]: "x" is not exported by index.js', '', 'error/failed']],
      ],
    ]);
    assert.match(node?.children[0]?.tooltip ?? '', /\*\*failed\*\* \(PACKAGE_INVALID\)/);
    assert.equal(node?.children[0]?.context, 'service-package;failed');
    assert.equal(root?.description, '1 frame · 1 package failed');
  });

  it('tells frames on one host apart by their frame.yaml folder, and keeps explicit labels', () => {
    const a = frame('vm-1-aa', 'vm', '1', false, { configFile: '/srv/blue/frame.yaml' });
    const b = frame('vm-2-bb', 'vm', '1', false, { configFile: '/srv/green/frame.yaml' });
    const c = frame('vm-3-cc', 'vm', '1', false, { configFile: '/opt/green/frame.yaml', pid: 7 });
    const d = frame('db-4-dd', 'db', '1', false);
    const e = frame('x-5', 'other', '1', false, { label: 'payments' });
    assert.deepEqual(Object.fromEntries(frameLabels([a, b, c, d, e])), {
      'vm-1-aa': 'vm · blue',
      'vm-2-bb': 'vm · green · pid 100',
      'vm-3-cc': 'vm · green · pid 7',
      'db-4-dd': 'db',
      'x-5': 'payments',
    });
    const [root] = buildTree([ns([live(a), live(b)])], 'frame', { now: NOW });
    assert.deepEqual(
      root?.children.map((n) => n.label),
      ['vm · blue', 'vm · green'],
    );
  });

  it('greys a frame out after one missed heartbeat and stops trusting its crontab claim', () => {
    const dead = live(frame('a', 'web1', '1', true), NOW - 3500, { print: NOW - 60_000 });
    const [root] = buildTree([ns([dead, live(frame('b', 'web2', '1', false))])], 'frame', {
      now: NOW,
      timeZone: TZ,
    });
    const node = root?.children[0];
    assert.deepEqual(
      [node?.icon, node?.tone, node?.description],
      ['debug-disconnect', 'stale', 'no heartbeat since 19:59:56'],
    );
    assert.match(node?.context ?? '', /;stale/);
    const cron = node?.children.find((c) => c.label === 'print');
    assert.deepEqual(
      [cron?.description, cron?.icon, cron?.tone],
      ['1.0 · active? (not confirmed)', 'circle-outline', 'stale'],
    );
    assert.equal(stars(root?.children ?? []), 0);
  });

  it('never shows two ★ for one crontab: the newer claim wins, as the exclusive lock does', () => {
    // a claimed first, b took the lock later (a's claim is stale news from before it lost the lock).
    const a = live(frame('a', 'web1', '1', true), NOW, { print: NOW - 10_000 });
    const b = live(frame('b', 'web2', '1', true), NOW, { print: NOW - 200 });
    const [root] = buildTree([ns([a, b])], 'frame', { now: NOW });
    assert.equal(stars(root?.children ?? []), 1);
    assert.deepEqual(
      root?.children.map((f) => f.children.find((c) => c.label === 'print')?.description),
      ['1.0 · active? (not confirmed)', '1.0 · active'],
    );
    assert.deepEqual(Object.fromEntries(crontabHolders([a, b], NOW)), { print: 'b' });
  });

  it('keeps the time a claim started while it lasts and forgets dropped claims', () => {
    const f = frame('a', 'web1', '1', true);
    assert.deepEqual(trackClaims({ print: 5 }, f, 99), { print: 5 });
    assert.deepEqual(trackClaims({}, f, 99), { print: 99 });
    assert.deepEqual(trackClaims({ print: 5 }, frame('a', 'web1', '1', false), 99), {});
  });

  it('says "no frame runs with --name X" for an empty namespace', () => {
    const [root] = buildTree([ns([])], 'frame', { now: NOW });
    assert.deepEqual(shape([root as TreeNode]), [
      ['prod', '0 frames', 'server', [['no frame runs with --name prod', '', 'info']]],
    ]);
  });

  it('shows a connection problem with its code, its summary split over rows, and the full text in the tooltip', () => {
    const tree = buildTree(
      [
        ns([], {
          connection: 'error',
          problem: {
            code: 'ECONNREFUSED',
            summary: 'ECONNREFUSED 127.0.0.1:5673 — is RabbitMQ running, and on that port?',
            detail:
              'cannot connect to RabbitMQ at amqp://guest:****@127.0.0.1:5673: connect ECONNREFUSED 127.0.0.1:5673',
          },
        }),
      ],
      'frame',
      { now: NOW },
    );
    assert.deepEqual(shape(tree), [
      [
        'prod',
        'not connected: ECONNREFUSED',
        'plug/failed',
        [
          ['ECONNREFUSED 127.0.0.1:5673', '', 'error/failed'],
          ['is RabbitMQ running, and on that port?', '', 'info'],
        ],
      ],
    ]);
    assert.equal(tree[0]?.context, 'namespace;failed');
  });

  it('says every connection problem in full above the tree, with labelled ways out as rows', () => {
    const problem = {
      code: 'ECONNREFUSED',
      summary: 'ECONNREFUSED 127.0.0.1:5673 — is RabbitMQ running, and on that port?',
      detail: 'd',
    };
    const states: NamespaceState[] = [
      { namespace: 'prod', connection: 'error', frames: [], problem },
      { namespace: 'test', connection: 'error', frames: [], problem },
    ];
    assert.equal(
      problemMessage(states),
      'Not connected (prod, test): ECONNREFUSED 127.0.0.1:5673 — is RabbitMQ running, and on that port?',
    );
    assert.equal(problemMessage([ns([])]), undefined);
    assert.deepEqual(
      problemActions().map((a) => [a.label, a.command]),
      [
        ['Edit Connection…', 'kael.connect'],
        ['Retry Now', 'kael.refresh'],
        ['Show Log', 'kael.showOutput'],
      ],
    );
  });

  it('marks frames on this machine as local (their files can be opened)', () => {
    const [root] = buildTree(
      [ns([live(frame('a', 'here', '1', false)), live(frame('b', 'there', '1', false))])],
      'frame',
      {
        now: NOW,
        localHost: 'here',
      },
    );
    assert.deepEqual(
      root?.children.map((f) => [f.context, f.data?.local]),
      [
        ['frame;local', true],
        ['frame', false],
      ],
    );
    assert.equal(root?.children[0]?.children[0]?.context, 'service-package;local');
    assert.equal(root?.children[0]?.children[0]?.children[0]?.context, 'service;pinnable');
  });
});

describe('the status bar', () => {
  it('shows each namespace with its frame count, in warning colours when not connected or a package failed', () => {
    const broken = frame('a', 'web1', '1', false, {
      packages: [
        {
          kind: 'service',
          name: 'b',
          version: '1',
          dir: '/b',
          error: { code: 'PACKAGE_INVALID', name: 'E', message: 'm' },
        },
      ],
    });
    const items = statusItems(
      [
        ns([live(frame('a', 'web1', '1', false)), live(frame('b', 'web2', '1', false))]),
        { ...ns([live(broken)]), namespace: 'test' },
        {
          namespace: 'dev',
          connection: 'error',
          frames: [],
          problem: { code: 'ECONNREFUSED', summary: 'ECONNREFUSED x — y', detail: 'd' },
        },
      ],
      NOW,
    );
    assert.deepEqual(
      items.map((i) => [i.text, i.warning]),
      [
        ['$(server) prod: 2 frames', false],
        ['$(warning) test: 1 frame · 1 failed', true],
        ['$(debug-disconnect) dev: not connected', true],
      ],
    );
    assert.match(items[1]?.tooltip ?? '', /failed: b on web1/);
  });

  it("keeps the rows of a tree the same when only a crontab's lease age and the clock move (no redraw)", () => {
    const withLease = (leaseAgeMs: number): FrameSnapshot => {
      const f = frame('b', 'web2', '1.9', false);
      return { ...f, crontabs: f.crontabs.map((c) => ({ ...c, activeFrame: 'a', leaseAgeMs })) };
    };
    const before = buildTree([ns([live(withLease(120))])], 'frame', { now: NOW, timeZone: TZ });
    const after = buildTree([ns([live(withLease(610), NOW + 900)])], 'frame', {
      now: NOW + 900,
      timeZone: TZ,
    });
    assert.equal(rowsSignature(after), rowsSignature(before));
    const failed = withLease(610);
    failed.packages = [...failed.packages, { kind: 'unknown', name: 'x', dir: '/srv/x', state: 'failed' }];
    assert.notEqual(
      rowsSignature(buildTree([ns([live(failed)])], 'frame', { now: NOW })),
      rowsSignature(before),
    );
  });

  it('finds a node by its id anywhere in the tree, and nothing for an unknown id', () => {
    const tree = buildTree([ns([live(frame('a', 'web1', '1.0', true))])], 'frame', { now: NOW });
    assert.deepEqual(findNode(tree, 'pkg:prod:a:service:calculate:calculate__minus')?.data, {
      namespace: 'prod',
      frameId: 'a',
      frameLabel: 'web1',
      packageName: 'calculate',
      kind: 'service',
      version: '1.0',
      file: '/srv/calc',
      local: false,
      service: 'calculate__minus',
    });
    assert.equal(findNode(tree, 'pkg:prod:nope'), undefined);
  });

  it("reads a package's state and one-line reason from the frame: the reason on the row, the full error in the tooltip", () => {
    const f = frame('a', 'web1', '1.0', true, {
      packages: [
        {
          kind: 'service',
          name: 'broken',
          version: '2',
          dir: '/x',
          state: 'failed',
          reason: 'setting.yaml:4:11: publish[0]: "x" is not exported by index.js [export-missing]',
          error: {
            code: 'PACKAGE_INVALID',
            name: 'KaelError',
            message:
              'service package broken 2 (/x): setting.yaml:4:11: publish[0]: "x" is not exported by index.js [export-missing]',
          },
        },
        {
          kind: 'service',
          name: 'calc',
          version: '1.1',
          dir: '/c',
          services: ['calc__add'],
          state: 'restarting',
        },
      ],
      crontabs: [],
    });
    const [root] = buildTree([ns([live(f)])], 'frame', { now: NOW });
    const node = root?.children[0];
    assert.deepEqual(shape(node?.children ?? []), [
      [
        'broken',
        '2 · failed',
        'error/failed',
        [
          [
            'setting.yaml:4:11: publish[0]: "x" is not exported by index.js [export-missing]',
            '',
            'error/failed',
          ],
        ],
      ],
      ['calc', '1.1 · restarting', 'loading~spin', [['calc__add', '', 'symbol-method']]],
    ]);
    assert.equal(
      node?.children[0]?.tooltip,
      [
        '**broken** 2 — service package that **failed** (PACKAGE_INVALID)',
        'setting\\.yaml:4:11: publish\\[0\\]: "x" is not exported by index\\.js \\[export\\-missing\\]',
        '```text\nservice package broken 2 (/x): setting.yaml:4:11: publish[0]: "x" is not exported by index.js [export-missing]\n```',
        'folder `/x`',
      ].join('\n\n'),
    );
    assert.deepEqual(
      packageHealth({
        kind: 'service',
        name: 'old',
        dir: '/o',
        error: { code: 'PACKAGE_INVALID', name: 'KaelError', message: 'line one\nline two' },
      }),
      {
        state: 'failed',
        reason: 'line one',
        detail: 'line one\nline two',
        code: 'PACKAGE_INVALID',
      },
    );
    assert.deepEqual(packageHealth({ kind: 'service', name: 'fine', dir: '/f' }), { state: 'ok' });
    assert.equal(root?.description, '1 frame · 1 package failed');
  });

  it("shows a crontab's election as the frame sees it: the holder in its log, its silence, the last tick and run, and a problem that keeps it out", () => {
    const f = frame('b', 'web2', '1.0', false, {
      crontabs: [
        {
          name: 'print',
          version: '1.0',
          dir: '/srv/print',
          active: false,
          activeFrame: 'a',
          leaseAgeMs: 2400,
          lastScheduledAt: '2026-11-24T11:59:00.000Z',
          nextRun: '2026-11-24T12:01:00.000Z',
          lastRun: { scheduledAt: '2026-11-24T11:58:00.000Z', status: 'failed', exitCode: 2 },
          problem: {
            code: 'ACCESS_REFUSED',
            name: 'KaelError',
            message: 'the user may not read kael.prod.cron.print',
          },
          entries: [
            {
              index: 0,
              schedule: '* * * * *',
              command: 'write.py',
              nextRun: '2026-11-24T12:01:00.000Z',
              lastScheduledAt: '2026-11-24T11:59:00.000Z',
              lastRun: {
                scheduledAt: '2026-11-24T11:58:00.000Z',
                startedAt: '2026-11-24T11:58:00.010Z',
                status: 'failed',
                exitCode: 2,
                durationMs: 40,
                outputTail: 'Traceback (most recent call last):\nValueError: no ``` here\n',
              },
            },
          ],
        },
      ],
    });
    const a = frame('a', 'web1', '1.0', true);
    const tree = buildTree([ns([live(a, NOW, { print: NOW - 1000 }), live(f)])], 'frame', {
      now: NOW,
      timeZone: TZ,
    });
    const web2 = tree[0]?.children[1];
    const cron = web2?.children[1];
    assert.deepEqual(shape([cron as TreeNode]), [
      [
        'print',
        '1.0 · standby · ⚠ ACCESS_REFUSED',
        'warning/warning',
        [['* * * * *  write.py', 'last failed (exit 2)', 'error/failed']],
      ],
    ]);
    assert.equal(
      cron?.tooltip,
      [
        '**print** 1\\.0 — crontab package on web2',
        'standby: web1 runs it; takes over if that frame goes',
        '⚠ **cannot take part in the election here** (ACCESS_REFUSED): the user may not read kael\\.prod\\.cron\\.print',
        'lock log: held by web1, its last heartbeat 2.4 s ago',
        'last tick claimed 2026-11-24 19:59:00 GMT+8',
        'next tick 2026-11-24 20:01:00 GMT+8',
        'last run on this frame: **failed** for the tick of 2026-11-24 19:58:00 GMT+8',
        'folder `/srv/print`',
      ].join('\n\n'),
    );
    assert.equal(
      cron?.children[0]?.tooltip,
      [
        '`\\* \\* \\* \\* \\*` write\\.py — entry 0',
        'next run 2026-11-24 20:01:00 GMT+8 (on the active frame)',
        'last tick claimed (by any frame) 2026-11-24 19:59:00 GMT+8',
        'last run **failed** for the tick of 2026-11-24 19:58:00 GMT+8 · started 2026-11-24 19:58:00 GMT+8 · exit code 2 · took 40 ms',
        'output (its end):\n\n````text\nTraceback (most recent call last):\nValueError: no ``` here\n````',
      ].join('\n\n'),
    );
  });

  it('counts dead-lettered messages on the namespace row, in its tooltip and in the status bar', () => {
    const state = ns([live(frame('a', 'web1', '1.0', true))], { deadLetters: 3 });
    const [root] = buildTree([state], 'frame', { now: NOW });
    assert.deepEqual(
      [root?.description, root?.icon, root?.tone],
      ['1 frame · 3 dead-lettered', 'server', 'warning'],
    );
    assert.match(root?.tooltip ?? '', /⚠ 3 messages in the dead-letter queue/);
    assert.deepEqual(
      statusItems([state], NOW).map((i) => [i.text, i.warning]),
      [['$(server) prod: 1 frame · 3 dead-lettered', true]],
    );
    const [quiet] = buildTree([ns([live(frame('a', 'web1', '1.0', true))], { deadLetters: 0 })], 'frame', {
      now: NOW,
    });
    assert.deepEqual([quiet?.description, quiet?.tone], ['1 frame', undefined]);
  });
});
