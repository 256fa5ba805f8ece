/** Formatting for people: durations, local times with their zone. Pure (the zone is a parameter). */

/** `42s`, `12m`, `5h`, `3d` (rounded). */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** `3 ms`, `1.2 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function parts(iso: string, timeZone: string | undefined): Record<string, string> | undefined {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const fmt = new Intl.DateTimeFormat('en-GB', {
    ...(timeZone === undefined ? {} : { timeZone }),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  return Object.fromEntries(fmt.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
}

/** The wall-clock time of `iso` in the zone (default: this machine's): `13:01:00`. */
export function localTime(iso: string, timeZone?: string): string {
  const p = parts(iso, timeZone);
  return p === undefined ? iso : `${p['hour']}:${p['minute']}:${p['second']}`;
}

/** Date, time and zone: `2026-11-24 13:01:00 GMT+1` (for tooltips, where there is room). */
export function localDateTime(iso: string, timeZone?: string): string {
  const p = parts(iso, timeZone);
  return p === undefined
    ? iso
    : `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']} ${p['timeZoneName']}`;
}

/** The first non-empty line of a text, cut to `max` characters. */
export function firstLine(text: string, max = 80): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Escapes text for a Markdown tooltip. */
export function md(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}
