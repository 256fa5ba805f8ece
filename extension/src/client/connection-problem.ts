/** Why a namespace is not connected, in words a person can act on. */
export interface ConnectionProblem {
  /** Stable code: the socket's (`ECONNREFUSED`, `ENOTFOUND`…), RabbitMQ's (`ACCESS_REFUSED`, `NOT_ALLOWED`) or kael's. */
  code: string;
  /** One line: what failed and what to check, e.g. `ECONNREFUSED 127.0.0.1:5673 — is RabbitMQ running?`. */
  summary: string;
  /** The full error text as the library gave it. */
  detail: string;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errno?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  errors?: unknown;
}

/** Follows `cause` (and AggregateError's `errors`) to the error that names the socket problem. */
function chain(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur !== null && typeof cur === 'object'; i++) {
    const x = cur as ErrorLike;
    out.push(x);
    if (Array.isArray(x.errors) && x.errors.length > 0) out.push(...(x.errors as ErrorLike[]));
    cur = x.cause;
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * Turns a connect error into a {@link ConnectionProblem}. `url` (without its password) names the
 * broker when the error does not. Pure.
 */
export function describeConnectionError(e: unknown, url?: string): ConnectionProblem {
  const all = chain(e);
  const detail = all
    .map((x) => str(x.message))
    .filter((m): m is string => m !== undefined && m !== '')
    .filter((m, i, a) => a.findIndex((o) => o.includes(m)) === i)
    .join('\n');
  const text = all.map((x) => str(x.message) ?? '').join('\n');
  const socket = all.find((x) => typeof x.code === 'string' && /^E[A-Z]+$/.test(x.code));
  // Every node of a cluster list: the error may name only the last one tried.
  const target = (url ?? '')
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one !== '')
    .map((one) => {
      try {
        const u = new URL(one);
        return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
      } catch {
        return one;
      }
    })
    .join(', ');
  if (socket !== undefined) {
    const code = str(socket.code) ?? 'ERROR';
    const where =
      str(socket.address) !== undefined && str(socket.port) !== undefined
        ? `${str(socket.address)}:${str(socket.port)}`
        : (str(socket.hostname) ?? target);
    const hints: Record<string, string> = {
      ECONNREFUSED: 'is RabbitMQ running, and on that port?',
      ENOTFOUND: 'check the host name in the URL',
      EAI_AGAIN: 'the host name could not be resolved now; check DNS or the host name',
      ETIMEDOUT: 'is the host reachable (firewall, VPN)?',
      EHOSTUNREACH: 'is the host reachable (network, VPN)?',
      ECONNRESET: 'the broker closed the connection; is it an AMQP port (not the management UI)?',
    };
    return {
      code,
      summary: `${code} ${where} — ${hints[code] ?? 'cannot reach RabbitMQ'}`.replace(/\s+—/, ' —'),
      detail,
    };
  }
  if (/ACCESS_REFUSED|\b403\b/.test(text)) {
    const user = urlPart(url, (u) => decodeURIComponent(u.username)) ?? '';
    return {
      code: 'ACCESS_REFUSED',
      summary: `RabbitMQ at ${target} refused the credentials${user === '' ? '' : ` of user ${user}`} — check the user and password (Kael: Connect…)`,
      detail,
    };
  }
  // RabbitMQ closes the handshake when the vhost does not exist or the user may not use it.
  if (/NOT_ALLOWED|vhost .* not found|Expected ConnectionOpenOk; got <ConnectionClose/.test(text)) {
    const vhost = urlPart(url, (u) => decodeURIComponent(u.pathname.slice(1))) || '/';
    return {
      code: 'NOT_ALLOWED',
      summary: `RabbitMQ at ${target} refused virtual host "${vhost}" — does it exist, and may the user use it?`,
      detail,
    };
  }
  const code = str(all[0]?.code) ?? 'ERROR';
  return { code, summary: `${code}: ${firstLineOf(detail)}`, detail };
}

/** A part of a URL, or undefined when there is no URL or it does not parse. */
function urlPart(url: string | undefined, pick: (u: URL) => string): string | undefined {
  if (url === undefined) return undefined;
  try {
    // The nodes of a cluster share users and vhosts: the first one speaks for all.
    return pick(new URL(url.split(',')[0]?.trim() ?? ''));
  } catch {
    return undefined;
  }
}

function firstLineOf(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** A URL (or a comma-separated list of them) with every password replaced by `***` (for logs and messages). */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((one) => {
      const trimmed = one.trim();
      try {
        const u = new URL(trimmed);
        if (u.password !== '') u.password = '***';
        return u.toString();
      } catch {
        return trimmed.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
      }
    })
    .join(',');
}
