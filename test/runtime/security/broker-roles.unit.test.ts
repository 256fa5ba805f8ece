import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { brokerPermissions, escapeRegex } from '@kael/runtime/security/broker-roles';
import { ROOT } from '../../support/frames.js';

describe('broker roles', () => {
  it('confines each role to its namespace, escaping regex characters of the name', () => {
    const caller = new RegExp(brokerPermissions('caller', 'a.b').write);
    assert.ok(caller.test('kael.a.b.call'));
    for (const other of ['kael.aXb.call', 'kael.a.b.cmd', 'kael.a.b.call.x', 'amq.default', 'kael.a.b2.call'])
      assert.ok(!caller.test(other), other);
    const frame = brokerPermissions('frame', 'prod');
    assert.ok(new RegExp(frame.configure).test('kael.prod.svc.calc__add'));
    assert.ok(!new RegExp(frame.configure).test('kael.prod2.svc.calc__add'));
    assert.equal(escapeRegex('a.b*c'), 'a\\.b\\*c');
  });

  it('are the regexes the README gives, for namespace prod', async () => {
    const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const role of ['caller', 'operator', 'frame'] as const) {
      const p = brokerPermissions(role, 'prod');
      const line = new RegExp(`set_permissions -p / kael-${role} +'([^']*)' '([^']*)' '([^']*)'`).exec(
        readme,
      );
      assert.deepEqual(line?.slice(1), [p.configure, p.write, p.read], role);
    }
  });
});
