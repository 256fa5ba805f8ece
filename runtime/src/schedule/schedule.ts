import { KaelError } from '../errors.js';
import { fireTimes } from './croner-plan.js';

/**
 * A parsed cron schedule with the system (Vixie) cron meaning, optionally with a leading seconds
 * field. The fields are ours (validated with per-field messages); fire times come from croner.
 */
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
  /**
   * Vixie's "fixed-time" job: no time field (second, minute, hour) starts with `*`. Daylight saving
   * time treats it differently from an interval job (see {@link nextFire}).
   */
  fixedTime: boolean;
  /** IANA zone; undefined = the process's local zone. */
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
 * Only what Vixie cron reads is accepted (no Quartz `L`, `W`, `#`, `?`), so a schedule means the
 * same here as in a system crontab.
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
  const starred = (i: number): boolean => (f[i] ?? '').startsWith('*');
  return {
    text: trimmed,
    hasSeconds,
    seconds: parseField(f[0] ?? '', SECOND),
    minutes: parseField(f[1] ?? '', MINUTE),
    hours: parseField(f[2] ?? '', HOUR),
    days: parseField(f[3] ?? '', DAY),
    months: parseField(f[4] ?? '', MONTH),
    weekdays,
    dayRestricted: !starred(3),
    weekdayRestricted: !starred(5),
    fixedTime: !starred(0) && !starred(1) && !starred(2),
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

/**
 * The first time strictly after `after` when the schedule fires, as Vixie cron would run it:
 * - an interval job (a time field starts with `*`) fires at every instant whose wall-clock time
 *   matches: a time skipped when daylight saving time starts does not fire, a repeated time fires
 *   at both instants (the rhythm goes on through the change);
 * - a fixed-time job fires once per matching wall-clock time: a skipped time fires right after the
 *   jump (several skipped times fire once together), a repeated time fires at its first instant.
 * @returns undefined when the schedule never fires (e.g. `0 0 31 2 *`).
 */
export function nextFire(s: CronSchedule, after: Date): Date | undefined {
  return fireTimes(s).next(after);
}

/** The next `count` fire times after `after` (fewer when the schedule stops firing). */
export function nextFires(s: CronSchedule, after: Date, count: number): Date[] {
  const out: Date[] = [];
  for (let t = nextFire(s, after); t !== undefined && out.length < count; t = nextFire(s, t)) out.push(t);
  return out;
}

/** False when no date ever matches the schedule (`0 0 31 2 *`, `0 0 30 2 *`). */
export function canFire(s: CronSchedule): boolean {
  // Decided from the calendar when it can be: croner's search loads the time-zone data (tens of ms at
  // a process's first use), which a frame would otherwise pay before it serves.
  return hasCalendarDate(s) || fireTimes(s).canFire();
}

/** Longest month lengths, January first (February has a 29th in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when some month of the schedule has one of its days: then it fires. When the day fields are
 * ANDed, such a date falls on each weekday in some year; when they are ORed (both restricted), the
 * weekdays alone fire. Every time of day exists on such a date (a fixed time skipped by daylight
 * saving time fires right after the jump). False says only "ask croner".
 */
function hasCalendarDate(s: CronSchedule): boolean {
  for (const month of s.months) {
    const last = MONTH_DAYS[month - 1] ?? 0;
    for (const day of s.days) if (day <= last) return true;
  }
  return false;
}

/** The zone a schedule runs in, by name (the local zone's name when none is set). */
export function zoneName(zone: string | undefined): string {
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * `date` as ISO 8601 wall-clock time in `zone` with its offset, e.g. `2026-03-30T00:30:00+02:00`
 * (milliseconds only when not zero).
 */
export function isoInZone(date: Date, zone: string | undefined): string {
  const parts: Record<string, string> = {};
  for (const p of isoFormatter(zoneName(zone)).formatToParts(date)) parts[p.type] = p.value;
  const offset = (parts['timeZoneName'] ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  const ms = date.getUTCMilliseconds();
  const hour = parts['hour'] === '24' ? '00' : (parts['hour'] ?? '00');
  return `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''}T${hour}:${parts['minute'] ?? ''}:${parts['second'] ?? ''}${ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`}${offset}`;
}

const isoFormatters = new Map<string, Intl.DateTimeFormat>();

function isoFormatter(zone: string): Intl.DateTimeFormat {
  let f = isoFormatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    isoFormatters.set(zone, f);
  }
  return f;
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  if (text === '') throw invalid(`${spec.name}: empty`);
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw invalid(`${spec.name}: "${item}" has more than one step`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText === '' || !Number.isInteger(step) || step < 1)
      throw invalid(`${spec.name}: step "${stepText ?? ''}" must be a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [spec.min, spec.max === 7 ? 6 : spec.max];
    else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) throw invalid(`${spec.name}: "${range}" is not a range`);
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
