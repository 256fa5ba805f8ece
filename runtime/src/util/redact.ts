/**
 * Hiding passwords of URLs before anything is printed: logs, error messages, CLI output.
 *
 * The userinfo of a URL is cut at its LAST `@`, so a password holding a raw `@`, `/`, `?` or `#`
 * is hidden whole; the host part is then parsed with `new URL`. A URL whose slashes are
 * missing or odd (`amqp:/user:pw@host`, `amqp:user:pw@host`) is read the same way, and a list of
 * URLs separated by commas has each one redacted. Passwords holding a raw comma followed by
 * something that looks like a scheme, or whitespace, cannot be told apart from the text around them.
 */

/** What a hidden password is replaced with. */
const REDACTED = '****';

/** A scheme, its colon and up to three slashes, starting a word. */
const SCHEME = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*):(\/{0,3})/g;
/** Where a URL in running text ends. */
const URL_END = /[\s'"<>`]/;

/**
 * One URL with its password replaced by `****` (the user name stays); the URL unchanged when it has
 * no password.
 * @example redactUrl('amqp://kael:s3cr@t@mq:5672/api') // 'amqp://kael:****@mq:5672/api'
 */
export function redactUrl(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(\/{0,3})/.exec(url);
  if (m === null) return url;
  const scheme = m[1] ?? '';
  const rest = url.slice(m[0].length);
  // The last `@` wins: a query holding an `@` is over-redacted, a password holding one never leaks.
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const hostPart = rest.slice(at + 1);
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    // `user:pw@host` without a scheme reads as scheme `user`: its "userinfo" is the password.
    return m[2] === '' ? `${scheme}:${REDACTED}@${hostPart}` : url;
  }
  const user = userinfo.slice(0, colon);
  try {
    const parsed = new URL(`${scheme}://${hostPart}`);
    parsed.username = user;
    parsed.password = REDACTED;
    return parsed.toString();
  } catch {
    // Not parseable even without its credentials: print the shape, never the secret.
    return `${scheme}://${user}:${REDACTED}@${hostPart}`;
  }
}

/**
 * `text` with the password of every URL in it hidden: single URLs, comma-separated lists, URLs
 * quoted inside error messages or JSON.
 * @example redactText('cannot reach amqp://a:x@h1,amqp://b:y@h2') // 'cannot reach amqp://a:****@h1,amqp://b:****@h2'
 */
export function redactText(text: string): string {
  // Fast exit for the common case: no userinfo anywhere.
  if (!text.includes('@') || !text.includes(':')) return text;
  let out = '';
  let last = 0;
  for (const start of schemeStarts(text)) {
    if (start < last) continue;
    const tail = text.slice(start);
    const endRel = tail.search(URL_END);
    const token = endRel < 0 ? tail : tail.slice(0, endRel);
    out += text.slice(last, start) + splitList(token).map(redactUrl).join(',');
    last = start + token.length;
  }
  return out + text.slice(last);
}

function schemeStarts(text: string): number[] {
  const starts: number[] = [];
  for (const m of text.matchAll(SCHEME)) if (m.index !== undefined) starts.push(m.index);
  return starts;
}

/** Splits `a://…,b://…` at commas that start another URL (a comma inside a password stays). */
function splitList(token: string): string[] {
  return token.split(/,(?=[A-Za-z][A-Za-z0-9+.-]*:)/);
}
