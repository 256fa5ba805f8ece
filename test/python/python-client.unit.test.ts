import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientPython, PYTHON_CLIENT_DIR, runPython } from './python.js';

describe('the Python client package', () => {
  it('passes its own unit tests (python -m unittest in python/tests)', async () => {
    const r = await runPython(
      'import sys, unittest; sys.argv = ["unittest", "discover", "-s", sys.argv[1], "-t", sys.argv[2]]; unittest.main(module=None)',
      [`${PYTHON_CLIENT_DIR}/tests`, PYTHON_CLIENT_DIR],
    );
    assert.equal(r.code, 0, `${clientPython()} -m unittest failed:\n${r.stderr}`);
    assert.match(r.stderr, /\nOK\s*$/);
  });
});
