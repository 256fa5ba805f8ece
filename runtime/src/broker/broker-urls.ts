import type { Options } from 'amqplib';
import { KaelError } from '../errors.js';
import { DEFAULT_AURI } from './default-auri.js';
import { redactUrl } from '../util/redact.js';

/**
 * The broker URLs of an `auri` value: an array in code, or one string holding comma-separated URLs
 * (the environment and the CLI). Blanks around commas and empty items are ignored.
 * @example parseBrokerUrls('amqp://a:5672, amqp://b:5672') // ['amqp://a:5672', 'amqp://b:5672']
 * @throws KaelError `CONFIG_INVALID` naming `field` when the list is empty or an item is not an
 * `amqp://` or `amqps://` URL (passwords are hidden in the message).
 */
export function parseBrokerUrls(auri: string | readonly string[], field = 'auri'): string[] {
  const items = (typeof auri === 'string' ? [auri] : auri)
    .flatMap((a) => a.split(','))
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (items.length === 0) throw new KaelError('CONFIG_INVALID', `${field} holds no broker URL`);
  for (const item of items) {
    let protocol: string;
    try {
      protocol = new URL(item).protocol;
    } catch {
      throw new KaelError('CONFIG_INVALID', `${field}: "${redactUrl(item)}" is not a URL`);
    }
    if (protocol !== 'amqp:' && protocol !== 'amqps:')
      throw new KaelError(
        'CONFIG_INVALID',
        `${field}: "${redactUrl(item)}" must start with amqp:// or amqps://, not ${protocol}//`,
      );
  }
  return items;
}

/**
 * The broker URLs a frame or client uses, comma-separated: `auri` when it names any, else
 * `KAEL_AURI` when set, else the local RabbitMQ.
 * @throws KaelError `CONFIG_INVALID` for a malformed list.
 */
export function resolveAuri(
  auri: string | readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const given = typeof auri === 'string' ? auri.trim() : (auri ?? []).join(',').trim();
  if (given.replaceAll(',', '').trim() !== '') return parseBrokerUrls(given).join(',');
  const fromEnv = env['KAEL_AURI'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseBrokerUrls(fromEnv, 'KAEL_AURI').join(',');
  return DEFAULT_AURI;
}

/**
 * The URL with `heartbeat=<sec>` unless it sets one: amqplib takes the heartbeat from the URL only,
 * and without it the broker's default (60 s) would let a silent host keep its crontab locks for minutes.
 */
export function withHeartbeat(url: string, heartbeatSec: number): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeatSec));
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * A URL as amqplib's connection object, with the same meaning as the string form: user and password
 * percent-decoded (guest/guest when both are absent), the vhost from the path (`/` when none), and the
 * `heartbeat`, `frameMax`, `channelMax`, `locale` query parameters; `heartbeat` defaults to `heartbeatSec`.
 */
export function toEndpoint(
  url: string,
  heartbeatSec: number,
): Required<
  Pick<Options.Connect, 'protocol' | 'hostname' | 'port' | 'username' | 'password' | 'vhost' | 'heartbeat'>
> &
  Pick<Options.Connect, 'frameMax' | 'channelMax' | 'locale'> {
  const u = new URL(url);
  const protocol = u.protocol.slice(0, -1);
  const noCredentials = u.username === '' && u.password === '';
  const query = (name: string): number | undefined => {
    const v = u.searchParams.get(name);
    return v === null || v === '' ? undefined : Number.parseInt(v, 10);
  };
  const endpoint: ReturnType<typeof toEndpoint> = {
    protocol,
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (protocol === 'amqps' ? 5671 : 5672) : Number(u.port),
    username: noCredentials ? 'guest' : decodeURIComponent(u.username),
    password: noCredentials ? 'guest' : decodeURIComponent(u.password),
    vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/',
    heartbeat: query('heartbeat') ?? heartbeatSec,
  };
  const frameMax = query('frameMax');
  const channelMax = query('channelMax');
  const locale = u.searchParams.get('locale');
  if (frameMax !== undefined) endpoint.frameMax = frameMax;
  if (channelMax !== undefined) endpoint.channelMax = channelMax;
  if (locale !== null) endpoint.locale = locale;
  return endpoint;
}

/** A copy of `items` in random order (Fisher–Yates), so the processes of a cluster spread over its nodes. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Milliseconds before reconnect attempt `attempt` (1-based) over `nodes` nodes: the first pass over
 * the other nodes waits only `initialMs` (they are probably up), each further full pass doubles the
 * wait up to `maxMs`; every wait is spread by ±50 % so the processes of a cluster do not reconnect in
 * step.
 */
export function reconnectDelayMs(
  attempt: number,
  nodes: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const pass = Math.floor((Math.max(1, attempt) - 1) / Math.max(1, nodes));
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(pass, 20));
  return Math.round(Math.min(maxMs, base * (0.5 + random())));
}
