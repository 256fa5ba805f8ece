import { Cron } from 'croner';
import type { CronSchedule } from './schedule.js';

/**
 * Above this many times of day, a fixed-time schedule is handed to croner as one interval pattern
 * (see {@link fireTimes}); below, one croner job per time of day.
 */
const MAX_FIXED_TIMES = 64;

/** Fire times of one schedule, computed by croner jobs that never start a timer. */
export interface FireTimes {
  next(after: Date): Date | undefined;
  canFire(): boolean;
}

const plans = new WeakMap<CronSchedule, FireTimes>();

/**
 * The croner plan of a schedule (built once per parsed schedule).
 *
 * croner's daylight-saving rules match Vixie cron's, with one gap: croner treats a schedule as
 * fixed-time only when second, minute and hour are single numbers (`30 2 * * *`), while Vixie
 * treats every schedule whose time fields do not start with `*` as fixed (`15,45 2 * * *`,
 * `0 9-17 * * *`). Such a schedule is split into one single-time croner job per time of day and the
 * earliest next time wins, so each time of day gets croner's fixed-time handling. With more than
 * {@link MAX_FIXED_TIMES} times of day (e.g. `0-59 0-23 * * *`) it stays one job with interval
 * handling — a documented deviation.
 */
export function fireTimes(s: CronSchedule): FireTimes {
  let plan = plans.get(s);
  if (plan === undefined) {
    plan = buildPlan(s);
    plans.set(s, plan);
  }
  return plan;
}

function buildPlan(s: CronSchedule): FireTimes {
  const zone = s.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const options = {
    timezone: zone,
    paused: true,
    mode: '6-part' as const,
    // Vixie: the day fields are ORed only when both are restricted (neither starts with `*`).
    domAndDow: !(s.dayRestricted && s.weekdayRestricted),
  };
  const days = `${list(s.days)} ${list(s.months)} ${list(s.weekdays)}`;
  const times = s.seconds.size * s.minutes.size * s.hours.size;
  const jobs: Cron[] = [];
  if (s.fixedTime && times <= MAX_FIXED_TIMES) {
    for (const h of s.hours)
      for (const m of s.minutes)
        for (const sec of s.seconds) jobs.push(new Cron(`${sec} ${m} ${h} ${days}`, options));
  } else {
    const time = [timeField(s.seconds, 60), timeField(s.minutes, 60), timeField(s.hours, 24)].join(' ');
    jobs.push(new Cron(`${time} ${days}`, options));
  }
  let never: boolean | undefined;
  const next = (after: Date): Date | undefined => {
    if (never === true) return undefined;
    let best: Date | undefined;
    for (const job of jobs) {
      const t = job.nextRun(after);
      if (t !== null && (best === undefined || t < best)) best = t;
    }
    // croner searches up to the year 3000 before giving up: remember a schedule that never fires.
    if (best === undefined) never = true;
    return best;
  };
  return {
    next,
    canFire: () => {
      never ??= next(new Date()) === undefined;
      return !never;
    },
  };
}

function list(values: ReadonlySet<number>): string {
  return [...values].sort((a, b) => a - b).join(',');
}

/**
 * A time field as croner reads it for an interval job: a single value is written `*\/size` so that
 * croner does not take the whole schedule for a fixed-time one (a `*` field yields only `min` with
 * a step of its size).
 */
function timeField(values: ReadonlySet<number>, size: number): string {
  if (values.size === size) return '*';
  if (values.size === 1 && values.has(0)) return `*/${size}`;
  return list(values);
}
