import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameSnapshot } from '@kael/runtime';
import { buildTree } from 'kael-vscode/dist/tree/tree-model';
import type { TreeNode } from 'kael-vscode/dist/tree/tree-model';

const NOW = Date.parse('2026-11-24T12:00:00Z');

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
    configFile: `/srv/${host}/frame.yaml`,
    packages: [
      {
        kind: 'service',
        name: 'calculate',
        version,
        dir: '/srv/calc',
        services: ['calculate__add', 'calculate__minus'],
      },
      { kind: 'crontab', name: 'print', version: '1.0', dir: '/srv/print' },
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

function shape(nodes: readonly TreeNode[]): unknown[] {
  return nodes.map((n) =>
    n.children.length === 0
      ? [n.label, n.description ?? '', n.icon]
      : [n.label, n.description ?? '', n.icon, shape(n.children)],
  );
}

describe('the Kael tree', () => {
  it('shows namespace → frames → packages, with active/standby crontabs and last results', () => {
    const tree = buildTree(
      [{ namespace: 'prod', frames: [frame('a', 'web1', '1.10', true), frame('b', 'web2', '1.9', false)] }],
      'frame',
      NOW,
    );
    assert.deepEqual(shape(tree), [
      [
        'prod',
        '2 frames',
        'server',
        [
          [
            'web1',
            'pid 100 · up 2m',
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
                'star-full',
                [['* * * * *  write.py', 'next 12:01:00 · last skipped', 'debug-step-over']],
              ],
            ],
          ],
          [
            'web2',
            'pid 100 · up 2m',
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
                [['* * * * *  write.py', 'next 12:01:00 · last skipped', 'debug-step-over']],
              ],
            ],
          ],
        ],
      ],
    ]);
  });

  it('groups by package to show which frame runs which version', () => {
    const tree = buildTree(
      [{ namespace: 'prod', frames: [frame('a', 'web1', '1.10', true), frame('b', 'web2', '1.9', false)] }],
      'package',
      NOW,
    );
    assert.deepEqual(shape(tree[0]?.children ?? []), [
      [
        'calculate',
        'service · 1.10, 1.9 (mixed)',
        'versions',
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
          ['web1', '1.0 · active', 'server-process'],
          ['web2', '1.0 · standby', 'server-process'],
        ],
      ],
    ]);
  });

  it('shows a package that failed to load with its error', () => {
    const f = frame('a', 'web1', '1.0', true, {
      packages: [
        {
          kind: 'service',
          name: 'broken',
          version: '2',
          dir: '/x',
          error: {
            code: 'PACKAGE_INVALID',
            name: 'ConfigError',
            message: 'publish[0]: "x" is not exported by index.js',
          },
        },
      ],
      crontabs: [],
    });
    const [ns] = buildTree([{ namespace: 'prod', frames: [f] }], 'frame', NOW);
    const node = ns?.children[0];
    assert.equal(node?.icon, 'warning');
    assert.deepEqual(shape(node?.children ?? []), [
      ['broken', '2 failed', 'error', [['publish[0]: "x" is not exported by index.js', '', 'error']]],
    ]);
  });

  it('shows an unreachable broker as one error node with its reason', () => {
    const tree = buildTree(
      [{ namespace: 'prod', frames: [], error: 'RabbitMQ is unreachable: ECONNREFUSED' }],
      'frame',
      NOW,
    );
    assert.deepEqual(
      [tree[0]?.context, tree[0]?.children[0]?.label],
      ['namespace-error', 'RabbitMQ is unreachable: ECONNREFUSED'],
    );
  });
});
