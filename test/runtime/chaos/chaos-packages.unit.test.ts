import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFrameConfig } from '@kael/runtime';
import { chaosPackages, writeFrameFolder } from '@kael/runtime/chaos/chaos-packages';
import { isCrontabRecord, isServiceRecord } from '@kael/runtime/model/package-record';
import type { PackageRecord } from '@kael/runtime/model/package-record';
import { loadCatalog } from '@kael/runtime/packages/package-catalog';
import { loadServiceModule, takesKeywordArguments } from '@kael/runtime/packages/service-module';
import type { LoadedService, PublishedFunction } from '@kael/runtime/packages/service-module';

async function invoke(fn: PublishedFunction | undefined, args: unknown[]): Promise<unknown> {
  assert.ok(fn !== undefined);
  return await (takesKeywordArguments(fn) ? fn(args, {}) : fn(...args));
}

describe('the chaos packages (loaded as a frame loads them, no broker)', () => {
  let dir: string;
  let records: PackageRecord[];
  const loaded: LoadedService[] = [];

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-chaos-test-'));
    const conf = await writeFrameFolder(
      path.join(dir, 'frame1'),
      chaosPackages(path.join(dir, 'executions.log'), path.join(dir, 'ticks.log')),
    );
    records = await loadCatalog(await readFrameConfig(conf));
  });

  after(async () => {
    for (const l of loaded) l.close?.();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('pass the package check: two services and a crontab, no errors', () => {
    assert.deepEqual(
      records.map((r) => [r.setting?.type, r.error?.code]),
      [
        ['service', undefined],
        ['service', undefined],
        ['crontab', undefined],
      ],
    );
  });

  it('answer known values in JS and Python and log each run by call id', async () => {
    for (const r of records.filter(isServiceRecord)) loaded.push(await loadServiceModule(r.dir, r.setting));
    const fns = new Map(loaded.flatMap((l) => [...l.functions]));
    assert.deepEqual([...fns.keys()].sort(), [
      'chaosjs__add',
      'chaosjs__crash',
      'chaosjs__size',
      'chaospy__crash',
      'chaospy__mul',
    ]);
    assert.deepEqual(await invoke(fns.get('chaosjs__add'), ['id-1', 2, 3, 0]), { id: 'id-1', sum: 5 });
    assert.deepEqual(await invoke(fns.get('chaospy__mul'), ['id-2', 4, 50_000, 5]), {
      id: 'id-2',
      product: 200_000,
    });
    assert.equal(await invoke(fns.get('chaosjs__size'), ['x'.repeat(1000)]), 1000);
    const log = (await fs.readFile(path.join(dir, 'executions.log'), 'utf8')).split('\n');
    assert.deepEqual(log, ['id-1', 'id-2', '']);
  });

  it('fire the crontab every second, appending the scheduled time to the tick log', () => {
    const crontab = records.find(isCrontabRecord);
    assert.deepEqual(crontab?.setting.entries, [
      {
        index: 0,
        schedule: '* * * * * *',
        command: `echo $KAEL_SCHEDULED_AT >> '${path.join(dir, 'ticks.log')}'`,
      },
    ]);
  });
});
