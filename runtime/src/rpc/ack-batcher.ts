import type { Channel, Message } from 'amqplib';

/**
 * Acknowledges settled deliveries of one channel in batches: once per turn of the event loop, the
 * contiguous run of settled delivery tags is acked with one `multiple` ack (one frame instead of one
 * per message); settled messages after a gap (a call still running) are acked one by one, so a slow
 * call never holds back the prefetch window.
 */
export class AckBatcher {
  private readonly done = new Map<number, Message>();
  /** Tags settled without an ack of ours (rejected): they close gaps but are not acked again. */
  private readonly rejected = new Set<number>();
  private acked = 0;
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  /** Marks a delivery as answered; it is acked on the next flush. */
  ack(msg: Message): void {
    this.done.set(msg.fields.deliveryTag, msg);
    this.schedule();
  }

  /** Notes a delivery rejected elsewhere (nack), so later tags are not blocked behind it. */
  settledElsewhere(msg: Message): void {
    this.rejected.add(msg.fields.deliveryTag);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    let next = this.acked + 1;
    let last: Message | undefined;
    for (;;) {
      const m = this.done.get(next);
      if (m !== undefined) {
        last = m;
        this.done.delete(next);
      } else if (!this.rejected.delete(next)) break;
      next++;
    }
    try {
      if (last !== undefined) this.channel.ack(last, true);
      this.acked = next - 1;
      for (const [tag, m] of this.done) {
        this.channel.ack(m, false);
        this.done.delete(tag);
        this.rejected.add(tag);
      }
    } catch {
      // The channel closed: the broker requeues whatever was not acked.
      this.done.clear();
    }
  }
}
