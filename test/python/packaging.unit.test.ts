import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { PYTHON_OUTLINE_SCRIPT, PYTHON_WORKER_SCRIPT } from '@kael/runtime/packages/python-interpreter';
import { ROOT } from '../support/frames.js';

describe('the Python scripts (the worker, the static reader of __init__.py)', () => {
  it('sit where the built runtime looks for them, and the runtime package ships them', async () => {
    assert.ok(existsSync(PYTHON_WORKER_SCRIPT), PYTHON_WORKER_SCRIPT);
    assert.ok(existsSync(PYTHON_OUTLINE_SCRIPT), PYTHON_OUTLINE_SCRIPT);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '-w', '@kael/runtime'],
      {
        cwd: ROOT,
      },
    );
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    assert.ok(pack?.files.some((f) => f.path === 'python/kael_worker.py'));
    assert.ok(pack?.files.some((f) => f.path === 'python/kael_outline.py'));
    assert.ok(pack?.files.some((f) => f.path === 'dist/packages/python-process.js'));
  });
});
