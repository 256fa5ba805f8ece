import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { PYTHON_WORKER_SCRIPT } from '@kael/runtime/packages/python-interpreter';
import { ROOT } from '../support/frames.js';

describe('the Python worker script', () => {
  it('sits where the built runtime looks for it, and the runtime package ships it', async () => {
    assert.ok(existsSync(PYTHON_WORKER_SCRIPT), PYTHON_WORKER_SCRIPT);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '-w', '@kael/runtime'],
      {
        cwd: ROOT,
      },
    );
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    assert.ok(pack?.files.some((f) => f.path === 'python/kael_worker.py'));
    assert.ok(pack?.files.some((f) => f.path === 'dist/packages/python-process.js'));
  });
});
