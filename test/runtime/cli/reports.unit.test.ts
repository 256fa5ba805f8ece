import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameSnapshot } from '@kael/runtime';
import { describeStart } from '@kael/runtime/cli/run';
import { describeFrames } from '@kael/runtime/cli/status';

const FRAME: FrameSnapshot = {
  id: 'host-1-abc',
  host: 'host',
  pid: 1,
  namespace: 'ns',
  startedAt: new Date(0).toISOString(),
  heartbeatMs: 2000,
  configFile: '/data/frame.yaml',
  packages: [
    {
      kind: 'service',
      name: 'calc',
      version: '1.0',
      dir: '/data/calc',
      services: ['calc__add'],
      state: 'ok',
    },
    {
      kind: 'service',
      name: 'tools',
      version: '2.0',
      dir: '/data/tools',
      state: 'failed',
      reason: 'setting.yaml:4:16: publish[1]: "minus" is not exported by index.js [export-missing]',
      error: { code: 'PACKAGE_INVALID', name: 'ConfigError', message: '…' },
    },
    { kind: 'crontab', name: 'print', version: '1.0', dir: '/data/print', state: 'restarting' },
  ],
  crontabs: [],
};

describe('CLI reports of package states', () => {
  it('kael run lists each package as ok or FAILED with its reason, and the counts', () => {
    assert.deepEqual(describeStart(FRAME), [
      'kael: frame host-1-abc serves namespace "ns" (/data/frame.yaml)',
      '  ok      service calc 1.0                 ./calc',
      '  FAILED  service tools 2.0                ./tools\n          setting.yaml:4:16: publish[1]: "minus" is not exported by index.js [export-missing]',
      '  ok      crontab print 1.0                ./print',
      'kael: 2 package(s) loaded, 1 failed',
    ]);
  });

  it('kael status shows FAILED with the reason and RESTARTING', () => {
    assert.deepEqual(describeFrames([FRAME], 5000), [
      'frame host-1-abc  host host  pid 1  up 5 s  /data/frame.yaml',
      '  service  calc                 1.0       calc__add',
      '  service  tools                2.0       FAILED',
      '           setting.yaml:4:16: publish[1]: "minus" is not exported by index.js [export-missing]',
      '  crontab  print                1.0       RESTARTING',
    ]);
  });
});
