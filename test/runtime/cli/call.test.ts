import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startTestFrame, TOOLS_SERVICE } from '../../support/frames.js';
import type { TestFrame } from '../../support/frames.js';

describe('kael call', () => {
  let ns: string;
  let setup: TestFrame;

  before(async () => {
    setup = await startTestFrame({ tools: TOOLS_SERVICE });
    ({ namespace: ns } = setup);
  });

  after(async () => {
    await setup.close();
  });

  it('prints the result as JSON, parsing each argument as JSON when it is JSON', async () => {
    const r = await runCli(['call', 'tools__add', '1', '2', '--name', ns]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout), 3);
    const s = await runCli(['call', 'tools__echo', 'hello', '--name', ns]);
    assert.equal(JSON.parse(s.stdout), 'hello');
  });

  it('prints a remote error as JSON on stderr and exits 1', async () => {
    const r = await runCli(['call', 'tools__fail', '--name', ns]);
    assert.equal(r.code, 1);
    const err = JSON.parse(r.stderr) as { code: string; name: string };
    assert.equal(err.name, 'TypeError');
  });

  it('exits 1 with SERVICE_NOT_FOUND for an unknown service', async () => {
    const r = await runCli(['call', 'no__such', '--name', ns, '--timeout', '3000']);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stderr) as { code: string }).code, 'SERVICE_NOT_FOUND');
  });

  it('takes the namespace from KAEL_NAME', async () => {
    const r = await runCli(['call', 'tools__add', '2', '2'], { KAEL_NAME: ns });
    assert.equal(JSON.parse(r.stdout), 4);
  });
});
