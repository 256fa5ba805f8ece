import { KaelError } from '../errors.js';
import { wallClock } from './wall-clock.js';
import type { WallClock } from './wall-clock.js';

/** A parsed cron schedule with the system (Vixie) cron meaning, optionally with a leading seconds field. */
export interface CronSchedule {
  text: string;
  /** True for 6 fields (a leading seconds field). */
  hasSeconds: boolean;
  seconds: ReadonlySet<number>;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as 0). */
  weekdays: ReadonlySet<number>;
  /** Vixie: when both day fields are restricted (neither starts with `*`), either one matching fires. */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
  /** IANA zone; undefined = local. */
  timezone: string | undefined;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
const WEEKDAY: FieldSpec = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * Parses a schedule: `minute hour day-of-month month day-of-week`, or six fields with a leading
 * seconds field, or a macro (`@daily`…). Lists, ranges, steps and month/day names as in crontab(5).
 * @throws KaelError `SCHEDULE_INVALID` with the reason, naming the field.
 */
export function parseSchedule(text: string, timezone?: string): CronSchedule {
  const trimmed = text.trim();
  const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith('@'))
    throw invalid(
      `"${trimmed}" is not a supported macro (use @yearly, @monthly, @weekly, @daily or @hourly)`,
    );
  const parts = expanded.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5 && parts.length !== 6)
    throw invalid(
      `"${trimmed}" has ${parts.length} field${parts.length === 1 ? '' : 's'}; expected 5 (or 6 with seconds)`,
    );
  const hasSeconds = parts.length === 6;
  const f = hasSeconds ? parts : ['0', ...parts];
  if (timezone !== undefined) checkZone(timezone);
  const weekdays = new Set([...parseField(f[5] ?? '', WEEKDAY)].map((d) => (d === 7 ? 0 : d)));
  return {
    text: trimmed,
    hasSeconds,
    seconds: parseField(f[0] ?? '', SECOND),
    minutes: parseField(f[1] ?? '', MINUTE),
    hours: parseField(f[2] ?? '', HOUR),
    days: parseField(f[3] ?? '', DAY),
    months: parseField(f[4] ?? '', MONTH),
    weekdays,
    dayRestricted: !(f[3] ?? '').startsWith('*'),
    weekdayRestricted: !(f[5] ?? '').startsWith('*'),
    timezone,
  };
}

/** The reason a schedule is invalid, or undefined when it is valid. */
export function scheduleProblem(text: string, timezone?: string): string | undefined {
  try {
    parseSchedule(text, timezone);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** True when the schedule fires at this wall-clock time. */
export function matches(s: CronSchedule, w: WallClock): boolean {
  if (!s.seconds.has(w.second) || !s.minutes.has(w.minute) || !s.hours.has(w.hour) || !s.months.has(w.month))
    return false;
  const day = s.days.has(w.day);
  const weekday = s.weekdays.has(w.weekday);
  return s.dayRestricted && s.weekdayRestricted ? day || weekday : day && weekday;
}

/**
 * The first time strictly after `after` when the schedule fires. Wall-clock times repeated when
 * daylight saving time ends fire once (the first occurrence); times skipped when it starts do not fire.
 * @returns undefined when nothing fires within 5 years (e.g. `0 0 30 2 *`).
 */
export function nextFire(s: CronSchedule, after: Date): Date | undefined {
  const step = s.hasSeconds ? 1000 : 60_000;
  let t = Math.floor(after.getTime() / step) * step + step;
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  const afterWall = wallClock(after, s.timezone);
  while (t < limit) {
    const w = wallClock(new Date(t), s.timezone);
    if (!s.months.has(w.month) || !dayMatches(s, w)) {
      t += msToNextDay(w);
      continue;
    }
    if (!s.hours.has(w.hour)) {
      t += (60 - w.minute) * 60_000 - w.second * 1000;
      continue;
    }
    if (!s.minutes.has(w.minute)) {
      t += 60_000 - w.second * 1000;
      continue;
    }
    if (s.seconds.has(w.second) && w.key > afterWall.key) return new Date(t);
    t += step;
  }
  return undefined;
}

function dayMatches(s: CronSchedule, w: WallClock): boolean {
  const day = s.days.has(w.day);
  const weekday = s.weekdays.has(w.weekday);
  return s.dayRestricted && s.weekdayRestricted ? day || weekday : day && weekday;
}

function msToNextDay(w: WallClock): number {
  return ((23 - w.hour) * 3600 + (59 - w.minute) * 60 + (60 - w.second)) * 1000;
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  if (text === '') throw invalid(`${spec.name}: empty`);
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw invalid(`${spec.name}: step "${stepText ?? ''}" must be a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [spec.min, spec.max === 7 ? 6 : spec.max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [value(a, spec), value(b, spec)];
      if (lo > hi) throw invalid(`${spec.name}: range ${range} goes backwards`);
    } else {
      lo = value(range, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text))
    throw invalid(`${spec.name}: "${text}" is not a number${spec.names === undefined ? '' : ' or a name'}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max)
    throw invalid(`${spec.name}: ${n} is out of range ${spec.min}-${spec.max}`);
  return n;
}

function checkZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw invalid(`time zone "${zone}" is not a known IANA zone`);
  }
}

function invalid(message: string): KaelError {
  return new KaelError('SCHEDULE_INVALID', message);
}
