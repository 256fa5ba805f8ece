import { KaelError } from '../errors.js';
import { describeSchedule } from '../schedule/schedule-words.js';
import { canFire, isoInZone, nextFires, parseSchedule, zoneName } from '../schedule/schedule.js';
import type { CliCommand } from './command.js';
import { intFlag, parseCommandLine, printJson } from './options.js';

const USAGE = "kael schedule '<expr>' [--tz ZONE] [--from ISO] [--count N] [--json]";

/** What `kael schedule --json` prints for a valid schedule. */
export interface ScheduleAnswer {
  schedule: string;
  timezone: string;
  description: string;
  /** False for a schedule no date matches (`0 0 31 2 *`). */
  canFire: boolean;
  /** ISO 8601 with the zone's offset. */
  next: string[];
}

/**
 * `kael schedule`: the next fire times and the plain-words meaning of a schedule, from the module the
 * runtime schedules with and the editor hovers with; the per-field error and exit 1 when invalid.
 */
export const command: CliCommand = {
  summary: 'show the next fire times of a cron schedule and what it means (exit 1 when invalid)',
  run(argv) {
    return Promise.resolve(answer(argv));
  },
};

/** Runs the command synchronously (nothing here waits on I/O). */
function answer(argv: string[]): number {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      tz: { type: 'string' },
      from: { type: 'string' },
      count: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help || positionals.length === 0) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const text = positionals.join(' ');
  const from = values.from === undefined ? new Date() : new Date(values.from);
  if (Number.isNaN(from.getTime()))
    throw new KaelError('USAGE', `--from must be an ISO 8601 time, got "${values.from ?? ''}"`);
  const count = intFlag(values.count, 'count', 5);
  let schedule;
  try {
    schedule = parseSchedule(text, values.tz);
  } catch (e) {
    const error = e as KaelError;
    if (values.json) printJson({ schedule: text, error: { code: error.code, message: error.message } });
    else process.stderr.write(`kael: [${error.code}] ${error.message}\n`);
    return 1;
  }
  const answer: ScheduleAnswer = {
    schedule: schedule.text,
    timezone: zoneName(values.tz),
    description: describeSchedule(schedule),
    canFire: canFire(schedule),
    next: nextFires(schedule, from, count).map((d) => isoInZone(d, values.tz)),
  };
  if (values.json) printJson(answer);
  else {
    process.stdout.write(`${answer.schedule}: ${answer.description} (${answer.timezone})\n`);
    if (!answer.canFire) process.stdout.write('never fires: no date matches it\n');
    for (const t of answer.next) process.stdout.write(`${t}\n`);
  }
  return 0;
}
