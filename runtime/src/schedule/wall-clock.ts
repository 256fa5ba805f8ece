/** Local wall-clock fields of an instant in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Sortable `YYYYMMDDhhmmss` number of the wall-clock time. */
  key: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      ...(zone === undefined ? {} : { timeZone: zone }),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** The wall-clock time of `date` in `zone` (undefined = the process's local zone). */
export function wallClock(date: Date, zone: string | undefined): WallClock {
  const w = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0, key: 0 };
  for (const p of formatter(zone).formatToParts(date)) {
    if (p.type === 'weekday') w.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type in w) (w as Record<string, number>)[p.type] = Number(p.value);
  }
  w.key = ((((w.year * 100 + w.month) * 100 + w.day) * 100 + w.hour) * 100 + w.minute) * 100 + w.second;
  return w;
}

/** The zone a schedule runs in, by name (the local zone's name when none is set). */
export function zoneName(zone: string | undefined): string {
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
