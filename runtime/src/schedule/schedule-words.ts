import type { CronSchedule } from './schedule.js';

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function all(set: ReadonlySet<number>, min: number, max: number): boolean {
  return set.size === max - min + 1;
}

function list(values: readonly string[], joiner: string): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${joiner} ${values[values.length - 1] ?? ''}`;
}

function sorted(set: ReadonlySet<number>): number[] {
  return [...set].sort((a, b) => a - b);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * A schedule in plain words, e.g. `0 0 1 * 1` → "at 00:00 on day 1 or on Monday",
 * `*\/5 * * * *` → "every 5 minutes".
 */
export function describeSchedule(s: CronSchedule): string {
  return [timePart(s), dayPart(s), monthPart(s)].filter((p) => p !== '').join(' ');
}

function timePart(s: CronSchedule): string {
  const secs = sorted(s.seconds);
  const mins = sorted(s.minutes);
  const hours = sorted(s.hours);
  const onlyZeroSeconds = secs.length === 1 && secs[0] === 0;
  if (mins.length === 1 && hours.length === 1 && secs.length === 1) {
    return `at ${pad(hours[0] ?? 0)}:${pad(mins[0] ?? 0)}${onlyZeroSeconds ? '' : `:${pad(secs[0] ?? 0)}`}`;
  }
  const parts: string[] = [];
  if (!onlyZeroSeconds)
    parts.push(
      all(s.seconds, 0, 59)
        ? 'every second'
        : (stepWords(secs, 'second', 60) ?? `at second ${list(secs.map(String), 'and')}`),
    );
  if (all(s.minutes, 0, 59)) {
    if (onlyZeroSeconds) parts.push('every minute');
  } else parts.push(stepWords(mins, 'minute', 60) ?? `at minute ${list(mins.map(String), 'and')}`);
  if (!all(s.hours, 0, 23))
    parts.push(stepWords(hours, 'hour', 24) ?? `during hour ${list(hours.map(String), 'and')}`);
  return parts.join(', ');
}

/** "every 5 minutes" when the values are 0, n, 2n, … covering the whole range. */
function stepWords(values: number[], unit: string, size: number): string | undefined {
  if (values.length < 2 || values[0] !== 0) return undefined;
  const step = (values[1] ?? 0) - (values[0] ?? 0);
  if (!values.every((v, i) => v === i * step) || values.length !== Math.ceil(size / step)) return undefined;
  return `every ${step} ${unit}s`;
}

function dayPart(s: CronSchedule): string {
  const days = s.dayRestricted ? `on day ${list(sorted(s.days).map(String), 'and')}` : '';
  const weekdays = s.weekdayRestricted
    ? `on ${list(
        sorted(s.weekdays).map((d) => WEEKDAY_NAMES[d] ?? String(d)),
        'and',
      )}`
    : '';
  if (days !== '' && weekdays !== '') return `${days} or ${weekdays}`;
  return days || weekdays;
}

function monthPart(s: CronSchedule): string {
  if (all(s.months, 1, 12)) return '';
  return `in ${list(
    sorted(s.months).map((m) => MONTH_NAMES[m - 1] ?? String(m)),
    'and',
  )}`;
}
