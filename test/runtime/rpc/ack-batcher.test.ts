import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Channel, Message } from 'amqplib';
import { AckBatcher } from '@kael/runtime/rpc/ack-batcher';

/** Records the acks a batcher sends (the batching logic only; the broker path is covered by the RPC tests). */
function recorder(): { channel: Channel; acks: [number, boolean][] } {
  const acks: [number, boolean][] = [];
  const channel = {
    ack: (m: Message, multiple: boolean) => acks.push([m.fields.deliveryTag, multiple]),
  } as unknown as Channel;
  return { channel, acks };
}

const msg = (tag: number): Message => ({ fields: { deliveryTag: tag } }) as unknown as Message;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('batched acks', () => {
  it('acks a contiguous run with one multiple ack per event-loop turn', async () => {
    const { channel, acks } = recorder();
    const b = new AckBatcher(channel);
    for (const t of [1, 2, 3]) b.ack(msg(t));
    await tick();
    assert.deepEqual(acks, [[3, true]]);
  });

  it('acks settled messages after a gap one by one, so a slow call never holds the window', async () => {
    const { channel, acks } = recorder();
    const b = new AckBatcher(channel);
    b.ack(msg(1));
    b.ack(msg(3));
    await tick();
    assert.deepEqual(acks, [
      [1, true],
      [3, false],
    ]);
    b.ack(msg(2));
    b.ack(msg(4));
    await tick();
    assert.deepEqual(acks.slice(2), [[4, true]]);
  });

  it('does not wait for a message rejected elsewhere', async () => {
    const { channel, acks } = recorder();
    const b = new AckBatcher(channel);
    b.settledElsewhere(msg(1));
    b.ack(msg(2));
    await tick();
    assert.deepEqual(acks, [[2, true]]);
  });
});
