import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/frames.js';

describe('test/e2e/setup.sh on a machine whose registries fail', () => {
  it('retries the network step once, then names the step and shows its output, and exits non-zero', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-setup-'));
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    // Whichever step runs first (apt-get when a package is missing, else npm) fails like a dead registry.
    for (const tool of ['npm', 'apt-get'])
      await fs.writeFile(path.join(bin, tool), '#!/bin/sh\necho "fake registry down: $*"\nexit 7\n', {
        mode: 0o755,
      });
    try {
      const r = spawnSync('bash', [path.join(ROOT, 'test/e2e/setup.sh')], {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env['PATH'] ?? ''}`,
          KAEL_E2E_HOME: path.join(dir, 'home'),
          KAEL_E2E_RETRY_DELAY_S: '0',
        },
        encoding: 'utf8',
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /e2e setup: \[1\] .+ \(attempt 1 of 2\)\ne2e setup: \[1\] failed \(exit 7\); retrying once in 0 s\n/,
      );
      assert.match(
        r.stdout,
        /e2e setup: \[1\] FAILED: .+ \(exit 7\)\. Last lines of .+:\n {4}fake registry down: /,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
