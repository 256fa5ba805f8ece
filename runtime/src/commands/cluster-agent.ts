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
import type { Authorization } from '../security/command-signature.js';
import { DIRECT_EXCHANGE_OPTIONS } from '../security/ensure-exchange.js';
import { withheldVariables } from '../security/package-env.js';
import { BUILTIN_COMMANDS } from './builtin-commands.js';
import type { CommandContext, CommandHandler, ExportedPackage } from './command-context.js';
import type { PackageKind } from '../model/package-kind.js';
import { readCommand } from './read-command.js';
import type { CommandMessage } from '../model/command-message.js';
import { bestEffort } from '../util/best-effort.js';

/** How long after a change finished a copy of it (same request id) is still answered with its result. */
const CHANGE_MEMORY_MS = 5 * 60_000;

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
  /** Changes by fn and request id, under way or done within {@link CHANGE_MEMORY_MS}: their replies. */
  private readonly changes = new Map<string, Promise<Parameters<typeof sendReply>[2]>>();
  private readonly ready = async (conn: ChannelModel): Promise<void> => {
    const ns = this.frame.namespace;
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.frame.logger.warn('cluster channel error', { error: err.message }));
    await ch.assertExchange(names.commandExchange(ns), 'fanout', FANOUT_OPTIONS);
    await ch.assertExchange(names.commandDirectExchange(ns), 'direct', DIRECT_EXCHANGE_OPTIONS);
    await ch.assertExchange(names.membershipExchange(ns), 'fanout', FANOUT_OPTIONS);
    const queue = names.frameQueue(ns, this.frame.id);
    await ch.assertQueue(queue, { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, names.commandExchange(ns), '');
    await ch.bindQueue(queue, names.commandDirectExchange(ns), this.frame.id);
    await ch.consume(queue, (msg) => void this.onCommand(ch, msg), { noAck: true });
    this.channel = ch;
    this.publish('hello');
  };

  constructor(private readonly frame: FrameRuntime) {
    // Its requests (a package fetched from another frame) are few and not in a hurry: direct reply-to
    // needs no reply queue per frame, nor `configure` on `amq.gen-.*`, which the frame role lacks.
    this.requests = new RequestChannel(frame.broker, frame.logger, { directReplyTo: true });
    this.verifier = new CommandVerifier({
      key: frame.options.adminKey,
      allowUnsigned: frame.options.allowUnsignedAdmin,
      namespace: frame.namespace,
      frameId: frame.id,
      // Nonces live in memory: refusing anything signed before this start is what stops a replay
      // of a command this frame saw in its previous life.
      startedAt: Date.now(),
    });
    this.context = { frame, fetchArchive: (source, pkg, kind) => this.fetchArchive(source, pkg, kind) };
  }

  async start(): Promise<void> {
    this.logSecurity();
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
    if (ch !== undefined) await bestEffort(ch.close(), this.frame.logger, 'close the agent channel');
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
      await bestEffort(
        sendReply(ch, msg, failure(e), this.frame.id),
        this.frame.logger,
        'answer a malformed command',
      );
      return;
    }
    if (command.notId?.includes(this.frame.id)) return;
    // A command addressed to another frame reached this one (re-published by someone): a changing
    // one is refused below, a read-only one is not this frame's to answer.
    if (command.id !== undefined && command.id !== this.frame.id && !CHANGING_COMMANDS.has(command.fn))
      return;
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
    let authorization: Authorization;
    try {
      if (command.id !== undefined && command.id !== this.frame.id)
        throw new KaelError(
          'UNAUTHORIZED',
          `${command.fn} is addressed to frame ${command.id}, not ${this.frame.id}`,
        );
      authorization = this.verifier.check(command);
    } catch (e) {
      this.frame.logger.warn('refused an unauthorized command', {
        command: command.fn,
        error: (e as Error).message,
      });
      return failure(e);
    }
    // `_export_pkg` only reads (and its archives are large): copies of it simply run again.
    if (authorization.kind === 'open' || command.requestId === undefined || command.fn === '_export_pkg')
      return this.runHandler(handler, command, authorization);
    // A copy of a change this frame runs or ran (its client sent it again): the first run's result.
    const key = `${command.fn}\u0000${command.requestId}`;
    const first = this.changes.get(key);
    if (first !== undefined) {
      this.frame.logger.info('a copy of a change already under way or done: answered with its result', {
        command: command.fn,
        request: command.requestId,
      });
      return first;
    }
    const run = this.runHandler(handler, command, authorization);
    this.changes.set(key, run);
    void run.then(() => setTimeout(() => this.changes.delete(key), CHANGE_MEMORY_MS).unref());
    return run;
  }

  private async runHandler(
    handler: CommandHandler,
    command: CommandMessage,
    authorization: Authorization,
  ): Promise<Parameters<typeof sendReply>[2]> {
    try {
      const value = await handler(this.context, command.kwargs);
      if (authorization.kind !== 'open' && command.fn !== '_export_pkg')
        this.logChange(command, authorization, value);
      return { ok: true, value };
    } catch (e) {
      if (command.fn !== '_ping')
        this.frame.logger.warn(`command ${command.fn} failed`, { error: (e as Error).message });
      return failure(e);
    }
  }

  /** Says at start who may change this frame, and what package code will not see. */
  private logSecurity(): void {
    const { adminKey, allowUnsignedAdmin } = this.frame.options;
    const changing = [...CHANGING_COMMANDS].join(', ');
    if (allowUnsignedAdmin)
      this.frame.logger.warn(
        `UNSIGNED ADMIN COMMANDS ALLOWED (--allow-unsigned-admin): any broker user who can publish to this namespace can install and run code on this frame`,
        { commands: changing, ...(adminKey === undefined ? {} : { kid: this.verifier.keyId }) },
      );
    else if (adminKey === undefined)
      this.frame.logger.warn(
        'no admin key (KAEL_ADMIN_KEY / KAEL_ADMIN_KEY_FILE): this frame refuses every changing command',
        { commands: changing, hint: 'kael keygen makes a key' },
      );
    else
      this.frame.logger.info('changing commands must be signed with the admin key', {
        kid: this.verifier.keyId,
      });
    const withheld = withheldVariables();
    if (withheld.length > 0)
      this.frame.logger.info('package code runs without these environment variables', { withheld });
  }

  /** Logs an accepted change: who signed it (key id), what, which version, which archive. */
  private logChange(command: CommandMessage, authorization: Authorization, result: unknown): void {
    const k = command.kwargs;
    const r = (result ?? {}) as { from?: unknown; to?: unknown };
    const fields: Record<string, unknown> = {
      command: command.fn,
      kid: authorization.kind === 'signed' ? authorization.kid : 'UNSIGNED',
    };
    for (const name of ['pkg', 'pkg_type', 'version', 'sha256', 'source', 'install_path'])
      if (k[name] !== undefined) fields[name] = k[name];
    if (r.from !== undefined) fields['from'] = r.from;
    if (r.to !== undefined) fields['to'] = r.to;
    if (authorization.kind === 'unsigned')
      this.frame.logger.warn('accepted an UNSIGNED change (--allow-unsigned-admin)', fields);
    else this.frame.logger.info('accepted a signed change', fields);
  }

  private async fetchArchive(source: string, pkg: string, kind: PackageKind): Promise<ExportedPackage> {
    const namespace = this.frame.namespace;
    const kwargs = { pkg, pkg_type: kind };
    const body: CommandMessage = { fn: '_export_pkg', kwargs, id: source };
    const key = this.frame.options.adminKey;
    if (key !== undefined) body.auth = signCommand(key, { namespace, fn: '_export_pkg', kwargs, id: source });
    try {
      const value = await this.requests.call(names.commandDirectExchange(namespace), source, body, {
        timeoutMs: 60_000,
        label: `_export_pkg from ${source}`,
      });
      return value as ExportedPackage;
    } catch (e) {
      if ((e as KaelError).code === 'SERVICE_NOT_FOUND')
        throw new KaelError('FRAME_NOT_FOUND', `source frame ${source} is not in namespace ${namespace}`, {
          cause: e,
        });
      throw e;
    }
  }
}
