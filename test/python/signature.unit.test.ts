import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signCommand } from '@kael/runtime/security/command-signature';
import { pythonJson } from './python.js';

/** Inputs whose canonical form is easy to get wrong: key order, numbers, unicode, nesting, null. */
const CASES: { fn: string; kwargs: Record<string, unknown>; id?: string; notId?: string[] }[] = [
  { fn: '_restart_service', kwargs: {}, id: 'frame-a' },
  {
    fn: '_update_pkg',
    kwargs: { pkg: 'calculate', pkg_type: 'service', version: '1.10', source: 'frame-a', sha256: 'ab12' },
    notId: ['frame-c', 'frame-b'],
  },
  {
    fn: '_install_pkg',
    kwargs: {
      z: 1,
      a: [1.5, 2, -0.25, 1e21, 1e-7, 100],
      m: { y: null, x: true },
      n: null,
      u: 'é✓\n',
      '～': 1,
      '😀': 2,
    },
  },
];

describe('command signatures across languages', () => {
  it('gives the Python client the same signature as the TypeScript signCommand for the same input', async () => {
    const key = 'k€y';
    const signed = CASES.map((c) => ({
      ...c,
      auth: signCommand(key, { namespace: 'prod', ...c }, 1_700_000_000_123),
    }));
    // The frame verifies what it decodes from the JSON the Python client sends: go through JSON here too.
    const python = await pythonJson<{ sig: string }[]>(
      [
        'import json, sys',
        'from kael.signature import sign_command',
        'cases = json.loads(sys.argv[1])',
        'print(json.dumps([sign_command(sys.argv[2], "prod", c["fn"], json.loads(json.dumps(c["kwargs"])), c.get("id"), c.get("notId"), c["auth"]["ts"], c["auth"]["nonce"]) for c in cases]))',
      ].join('\n'),
      [JSON.stringify(signed), key],
    );
    assert.deepEqual(
      python.map((p) => p.sig),
      signed.map((s) => s.auth.sig),
    );
  });
});
