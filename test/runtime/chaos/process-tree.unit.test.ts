import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { descendantsOf, isAlive, isWorker, listProcesses, parentOf } from '@kael/runtime/chaos/process-tree';

describe('the process tree of a frame', () => {
  it('reads the parent from a stat line whose command name holds spaces and parentheses', () => {
    assert.equal(parentOf('4242 (node (worker) x) S 17 4242 4242 0 -1'), 17);
  });

  it('finds children and grandchildren, not siblings', () => {
    const all = [
      { pid: 2, ppid: 1, cmdline: 'kael run' },
      { pid: 3, ppid: 2, cmdline: 'node service-worker.js' },
      { pid: 4, ppid: 3, cmdline: 'python3 kael_worker.py' },
      { pid: 5, ppid: 1, cmdline: 'other' },
    ];
    assert.deepEqual(
      descendantsOf(2, all).map((p) => p.pid),
      [3, 4],
    );
    assert.deepEqual(
      descendantsOf(2, all)
        .filter(isWorker)
        .map((p) => p.pid),
      [3, 4],
    );
  });

  it('lists a real child of this process and sees it end', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const mine = descendantsOf(process.pid, await listProcesses());
    assert.ok(mine.some((p) => p.pid === pid && p.cmdline.includes('setTimeout')));
    assert.equal(isAlive(pid), true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(isAlive(pid), false);
  });
});
