import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import amqp from 'amqplib';
import { connectClient, names } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, startFrameProcess } from '../../support/frames.js';
import { until } from '../../support/wait.js';

describe('a frame that cannot use a crontab log', () => {
  it('says why in the crontab status (not active, problem with the broker code) instead of silently never running', async () => {
    const ns = randomNamespace();
    // A classic queue under the log's name: declaring the stream fails with 406 PRECONDITION_FAILED,
    // the same path as 403 ACCESS_REFUSED from missing permissions.
    const conn = await amqp.connect(AURI);
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    const ch = await conn.createChannel();
    await ch.assertQueue(names.crontabLog(ns, 'blocked'), { durable: false });
    await conn.close();
    const proc = startFrameProcess(
      await makeFrameDir({
        blocked: {
          'setting.yaml':
            "type: crontab\ncrontab_name: blocked\nversion: 1\npublish:\n  - ['* * * * * *', 'true']\n",
        },
      }),
      ns,
    );
    const client = await connectClient({ name: ns, auri: AURI });
    try {
      await proc.ready;
      const status = await until(
        'the problem in the status',
        async () => {
          const [c] = Object.values(await client.getAllCrontabStatus({ crontab: 'blocked' })).flat();
          return c?.problem === undefined ? undefined : c;
        },
        10_000,
      );
      assert.equal(status.active, false);
      assert.equal(status.problem?.code, 'CRONTAB_LEASE_FAILED');
      assert.equal(status.problem?.details?.['amqpCode'], 406);
      assert.equal(status.problem?.details?.['queue'], names.crontabLog(ns, 'blocked'));
    } finally {
      await client.close();
      await proc.stop();
      await deleteNamespace(ns);
    }
  });
});
