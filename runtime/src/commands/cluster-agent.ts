import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { names } from '../broker/names.js';
import { encodeBody } from '../codec/codec.js';
import { KaelError } from '../errors.js';
import type { FrameComponent, FrameRuntime } from '../model/frame-runtime.js';
import type { Announcement } from '../membership/announcement.js';
import { FANOUT_OPTIONS } from '../membership/announcement.js';
import { failure, sendReply } from '../rpc/envelope.js';
import { RequestChannel } from '../rpc/request-channel.js';
import { CHANGING_COMMANDS, CommandVerifier, signCommand } from '../security/command-signature.js';
import { BUILTIN_COMMANDS } from './builtin-commands.js';
import type { CommandContext, ExportedPackage } from './command-context.js';
import type { PackageKind } from '../model/package-kind.js';
import { readCommand } from './read-command.js';
import type { CommandMessage } from '../model/command-message.js';

/**
 * A frame's voice in its namespace: announces the frame's snapshot (on start, on change, every
 * heartbeat, goodbye on stop) and answers management commands sent to every frame or to this one.
 */
export class ClusterAgent implements FrameComponent {
  private channel: Channel | undefined;
  private readonly requests: RequestChannel;
  private readonly verifier: CommandVerifier;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private announcePending = false;
  private stopped = false;
  private readonly context: CommandContext;
  private readonly ready = async (conn: ChannelModel): Promise<void> => {
    const ns = this.frame.namespace;
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.frame.logger.warn('cluster channel error', { error: err.message }));
    await ch.assertExchange(names.commandExchange(ns), 'fanout', FANOUT_OPTIONS);
    await ch.assertExchange(names.membershipExchange(ns), 'fanout', FANOUT_OPTIONS);
    const queue = names.frameQueue(ns, this.frame.id);
    await ch.assertQueue(queue, { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, names.commandExchange(ns), '');
    await ch.consume(queue, (msg) => void this.onCommand(ch, msg), { noAck: true });
    this.channel = ch;
    this.publish('hello');
  };

  constructor(private readonly frame: FrameRuntime) {
    this.requests = new RequestChannel(frame.broker, frame.logger);
    this.verifier = new CommandVerifier(frame.options.adminKey);
    this.context = { frame, fetchArchive: (source, pkg, kind) => this.fetchArchive(source, pkg, kind) };
  }

  async start(): Promise<void> {
    await this.requests.start();
    await this.frame.broker.onReady(this.ready);
    this.timer = setInterval(() => this.publish('hello'), this.frame.options.heartbeatMs);
    this.timer.unref();
  }

  /** Sends the goodbye and stops answering. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.publish('goodbye');
    this.frame.broker.offReady(this.ready);
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => undefined);
    await this.requests.close();
  }

  /** Announces soon (several changes in one tick give one announcement). */
  announce(): void {
    if (this.announcePending || this.stopped) return;
    this.announcePending = true;
    setImmediate(() => {
      this.announcePending = false;
      if (!this.stopped) this.publish('hello');
    });
  }

  private publish(type: Announcement['type']): void {
    const ch = this.channel;
    if (ch === undefined) return;
    const body: Announcement = { type, frame: this.frame.snapshot(), seq: ++this.seq };
    try {
      ch.publish(names.membershipExchange(this.frame.namespace), '', encodeBody(body), {
        contentType: 'application/msgpack',
      });
    } catch (e) {
      this.frame.logger.warn('announcement failed', { error: (e as Error).message });
    }
  }

  private async onCommand(ch: Channel, msg: ConsumeMessage | null): Promise<void> {
    if (msg === null) return;
    let command: CommandMessage;
    try {
      command = readCommand(msg);
    } catch (e) {
      this.frame.logger.warn('rejected a malformed command', { error: (e as Error).message });
      await sendReply(ch, msg, failure(e), this.frame.id).catch(() => undefined);
      return;
    }
    if (command.notId?.includes(this.frame.id)) return;
    const reply = await this.run(command);
    // Announce the new state before replying, so a caller that got the reply sees it in its view.
    if (CHANGING_COMMANDS.has(command.fn)) this.publish('hello');
    await sendReply(ch, msg, reply, this.frame.id).catch((e: unknown) =>
      this.frame.logger.warn('command reply failed', { error: (e as Error).message }),
    );
  }

  private async run(command: CommandMessage): Promise<Parameters<typeof sendReply>[2]> {
    const handler = BUILTIN_COMMANDS.get(command.fn);
    if (handler === undefined) {
      return failure(
        new KaelError(
          'COMMAND_UNKNOWN',
          `frame ${this.frame.id} has no command "${command.fn}" (known: ${[...BUILTIN_COMMANDS.keys()].join(', ')})`,
        ),
      );
    }
    try {
      this.verifier.check(command.fn, command.kwargs, command.auth);
    } catch (e) {
      this.frame.logger.warn('refused an unauthorized command', {
        command: command.fn,
        error: (e as Error).message,
      });
      return failure(e);
    }
    try {
      return { ok: true, value: await handler(this.context, command.kwargs) };
    } catch (e) {
      if (command.fn !== '_ping')
        this.frame.logger.warn(`command ${command.fn} failed`, { error: (e as Error).message });
      return failure(e);
    }
  }

  private async fetchArchive(source: string, pkg: string, kind: PackageKind): Promise<ExportedPackage> {
    const kwargs = { pkg, pkg_type: kind };
    const body: CommandMessage = { fn: '_export_pkg', kwargs };
    if (this.frame.options.adminKey !== undefined)
      body.auth = signCommand(this.frame.options.adminKey, '_export_pkg', kwargs);
    const value = await this.requests.call('', names.frameQueue(this.frame.namespace, source), body, {
      timeoutMs: 60_000,
      label: `_export_pkg from ${source}`,
    });
    return value as ExportedPackage;
  }
}
