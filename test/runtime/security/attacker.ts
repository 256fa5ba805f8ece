import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import { names } from '@kael/runtime';
import { decodeBody, encodeBody } from '@kael/runtime/codec/codec';
import { sha256 } from '@kael/runtime/deploy/archive';
import { AURI } from '../../support/broker.js';

/**
 * What an attacker with an ordinary broker account does, with nothing but amqplib and kael's wire
 * format: pretend to be a frame, send commands, capture and replay them.
 */

/** A reply to a command: `{ ok, value }` or `{ ok: false, error }`, by the replying frame's id. */
export type Replies = Record<
  string,
  { ok: boolean; value?: unknown; error?: { code: string; message: string } }
>;

/** A hostile or benign archive in kael's format, with any entries (symlinks included). */
export function craftArchive(
  entries: object[],
  body: Buffer = Buffer.alloc(0),
): { data: Buffer; digest: string } {
  const data = zlib.gzipSync(
    Buffer.concat([Buffer.from('KAELPKG1\n' + JSON.stringify({ entries }) + '\n'), body]),
  );
  return { data, digest: sha256(data) };
}

/** A service package archive whose code writes `marker` when loaded (proof that it ran). */
export function markerPackage(
  name: string,
  version: string,
  marker: string,
): { data: Buffer; digest: string } {
  const setting = Buffer.from(
    `type: service\nservice_base_name: ${name}\nversion: ${version}\npublish: [ver]\n`,
  );
  const code = Buffer.from(
    `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nexports.ver = () => ${JSON.stringify(version)};\n`,
  );
  return craftArchive(
    [
      { path: 'index.js', type: 'file', mode: 0o644, size: code.length },
      { path: 'setting.yaml', type: 'file', mode: 0o644, size: setting.length },
    ],
    Buffer.concat([code, setting]),
  );
}

/** One broker connection of the attacker. */
export class Attacker {
  private constructor(
    private readonly conn: ChannelModel,
    readonly namespace: string,
  ) {}

  static async connect(namespace: string, auri = AURI): Promise<Attacker> {
    const conn = await amqp.connect(auri, { noDelay: true });
    conn.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    return new Attacker(conn, namespace);
  }

  /** A channel whose closing by the broker is expected (refused publishes close it). */
  async channel(): Promise<Channel> {
    const ch = await this.conn.createChannel();
    ch.on('error', () => undefined); // test connection: the closes the test provokes are asserted through their outcome
    return ch;
  }

  /**
   * Publishes a raw command body on the fanout command exchange (or `exchange`/`routingKey`) and
   * collects the replies that arrive within `waitMs`.
   */
  async send(body: unknown, options: SendOptions = {}): Promise<Replies> {
    return this.publishAndCollect(encodeBody(body), options);
  }

  /** Re-publishes a captured command exactly as it was (same bytes), collecting the replies. */
  async replay(content: Buffer, options: SendOptions = {}): Promise<Replies> {
    return this.publishAndCollect(content, options);
  }

  /**
   * Starts capturing every command sent on the namespace's fanout command exchange, and the
   * targeted commands sent to `frameIds` on the direct command exchange.
   */
  async sniff(frameIds: readonly string[] = []): Promise<{ captured: Message[]; stop(): Promise<void> }> {
    const ch = await this.channel();
    await ch.assertExchange(names.commandExchange(this.namespace), 'fanout', {
      durable: false,
      autoDelete: false,
    });
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, names.commandExchange(this.namespace), '');
    if (frameIds.length > 0) {
      await ch.assertExchange(names.commandDirectExchange(this.namespace), 'direct', {
        durable: false,
        autoDelete: false,
      });
      for (const id of frameIds) await ch.bindQueue(queue, names.commandDirectExchange(this.namespace), id);
    }
    const captured: Message[] = [];
    await ch.consume(queue, (m) => m !== null && captured.push(m), { noAck: true });
    // Stopping the sniffer: its channel may already be closed by the broker, which is fine.
    return { captured, stop: async () => ch.close().catch(() => undefined) };
  }

  /** Acts as a frame holding `pkg` at `version` that exports `archive` (see {@link FakeFrame}). */
  async fakeFrame(options: FakeFrameOptions): Promise<FakeFrame> {
    const ch = await this.channel();
    const fake = new FakeFrame(ch, this.namespace, options);
    await fake.start();
    return fake;
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  }

  private async publishAndCollect(content: Buffer, options: SendOptions): Promise<Replies> {
    const ch = await this.channel();
    const replies: Replies = {};
    const expected = options.expect ?? [];
    let allIn: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => (allIn = resolve));
    await ch.consume(
      'amq.rabbitmq.reply-to',
      (m) => {
        if (m === null) return;
        replies[String(m.properties.appId)] = decodeBody(
          m.content,
          m.properties.contentType as string,
        ) as Replies[string];
        if (expected.length > 0 && expected.every((id) => id in replies)) allIn();
      },
      { noAck: true },
    );
    ch.publish(options.exchange ?? names.commandExchange(this.namespace), options.routingKey ?? '', content, {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: randomBytes(4).toString('hex'),
      contentType: 'application/msgpack',
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([complete, new Promise((r) => (timer = setTimeout(r, options.waitMs ?? 1500)))]);
    clearTimeout(timer);
    await ch.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
    return replies;
  }
}

/** Where a command goes and how long to listen for replies. */
export interface SendOptions {
  /** @default the namespace's fanout command exchange */
  exchange?: string;
  /** @default '' */
  routingKey?: string;
  /** Stop listening as soon as these frames replied. */
  expect?: readonly string[];
  /** Listen at most this long. @default 1500 */
  waitMs?: number;
}

/** What a fake frame pretends to hold and serves. */
export interface FakeFrameOptions {
  pkg: string;
  version: string;
  /** The archive served to `_export_pkg`. */
  archive: { data: Buffer; digest: string };
  /** The digest answered to `_export_pkg` with `digest_only` (default: the archive's). */
  announcedDigest?: string;
  /** Impersonate this frame id (default: a fresh `fake-…` id). */
  id?: string;
}

/**
 * A frame impostor: announces itself holding a package version, answers `_ping` and
 * `_export_pkg` (with any archive it likes), and records the commands it received.
 */
export class FakeFrame {
  readonly id: string;
  readonly received: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ch: Channel,
    private readonly namespace: string,
    private readonly options: FakeFrameOptions,
  ) {
    this.id = options.id ?? `fake-${randomBytes(3).toString('hex')}`;
  }

  async start(): Promise<void> {
    const ns = this.namespace;
    const x = { durable: false, autoDelete: false };
    await this.ch.assertExchange(names.commandExchange(ns), 'fanout', x);
    await this.ch.assertExchange(names.membershipExchange(ns), 'fanout', x);
    await this.ch.assertExchange(`kael.${ns}.cmd.direct`, 'direct', x);
    const queue = names.frameQueue(ns, this.id);
    await this.ch.assertQueue(queue, { exclusive: true, autoDelete: true });
    await this.ch.bindQueue(queue, names.commandExchange(ns), '');
    await this.ch.bindQueue(queue, `kael.${ns}.cmd.direct`, this.id);
    await this.ch.consume(queue, (m) => this.answer(m), { noAck: true });
    this.announce();
    this.timer = setInterval(() => this.announce(), 300);
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.ch.close().catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  }

  private snapshot(): object {
    return {
      id: this.id,
      host: 'attacker',
      pid: 1,
      namespace: this.namespace,
      startedAt: new Date().toISOString(),
      heartbeatMs: 300,
      configFile: '/attacker/frame.yaml',
      packages: [
        {
          kind: 'service',
          name: this.options.pkg,
          version: this.options.version,
          dir: '/attacker/pkg',
          services: [`${this.options.pkg}__ver`],
        },
      ],
      crontabs: [],
    };
  }

  private announce(): void {
    this.ch.publish(
      names.membershipExchange(this.namespace),
      '',
      encodeBody({ type: 'hello', frame: this.snapshot(), seq: Date.now() }),
      { contentType: 'application/msgpack' },
    );
  }

  private answer(m: ConsumeMessage | null): void {
    if (m === null) return;
    const body = decodeBody(m.content, m.properties.contentType as string) as {
      fn: string;
      kwargs: Record<string, unknown>;
    };
    this.received.push(body.fn);
    const { pkg, version, archive } = this.options;
    let reply: unknown = {
      ok: false,
      error: { code: 'COMMAND_UNKNOWN', name: 'KaelError', message: `the fake frame ignores ${body.fn}` },
    };
    if (body.fn === '_ping') reply = { ok: true, value: this.snapshot() };
    else if (body.fn === '_export_pkg') {
      const digest = { name: pkg, kind: 'service', version, size: archive.data.length };
      reply = {
        ok: true,
        value:
          body.kwargs['digest_only'] === true
            ? { ...digest, sha256: this.options.announcedDigest ?? archive.digest }
            : { ...digest, sha256: archive.digest, data: archive.data },
      };
    }
    this.ch.publish('', String(m.properties.replyTo), encodeBody(reply), {
      correlationId: m.properties.correlationId as string,
      contentType: 'application/msgpack',
      appId: this.id,
    });
  }
}
