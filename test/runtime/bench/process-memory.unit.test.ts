import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { descendants, parseParentPid, parseRssMb, rssMb } from '@kael/runtime/bench/process-memory';

describe('reading process memory from /proc', () => {
  it('reads the resident set size in MB from a status text', () => {
    assert.equal(parseRssMb('Name:\tnode\nVmPeak:\t 2000 kB\nVmRSS:\t   51200 kB\nThreads:\t7\n'), 50);
    assert.equal(parseRssMb('Name:\tkthreadd\n'), undefined);
  });

  it('reads the parent pid even when the process name holds spaces and parentheses', () => {
    assert.equal(parseParentPid('4242 (node (worker) x) S 4100 4242 4100 0 -1'), 4100);
  });

  it('finds the memory of this process and no descendants of a process without children', async () => {
    const rss = await rssMb(process.pid);
    assert.ok(rss !== undefined && rss > 1);
    assert.deepEqual(await descendants(2 ** 22 + 1), []);
  });
});
