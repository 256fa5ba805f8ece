import type { DeadLetterReport } from '../model/dead-letter.js';
import type { CliCommand } from './command.js';
import { withClient } from './cluster-command.js';
import { CONNECTION_FLAGS, intFlag, parseCommandLine, printJson } from './options.js';

const USAGE = 'kael dlq --name NS [--auri URL] [--limit N] [--drop] [--json]';

/** Lines of `kael dlq`: the queue's depth, then one line per dead letter. */
function describeDeadLetters(report: DeadLetterReport): string[] {
  const lines = [`${report.queue}: ${report.count} dead letter(s)`];
  for (const l of report.messages)
    lines.push(
      `  ${l.deadAt}  ${l.function}  [${l.error.code}] ${l.error.message}  correlation id ${l.correlationId ?? '-'}`,
    );
  if (report.messages.length < report.count)
    lines.push(`  … ${report.count - report.messages.length} more (--limit N)`);
  return lines;
}

/**
 * `kael dlq`: lists the calls moved to the namespace's dead-letter queue after killing their workers
 * (function, error, time, correlation id); `--drop` empties the queue. Both talk to the broker
 * directly, not to the frames: the broker user needs read (and, to drop, configure) access to
 * `kael.<ns>.dlq`, which the frame role has and the caller and operator roles do not.
 */
export const command: CliCommand = {
  summary: "list (or --drop) the calls in the namespace's dead-letter queue",
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      { ...CONNECTION_FLAGS, limit: { type: 'string' }, drop: { type: 'boolean', default: false } },
      USAGE,
    );
    if (values.help) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return 0;
    }
    return withClient({ name: values.name, auri: values.auri }, USAGE, async (client) => {
      if (values.drop) {
        const dropped = await client.dropDeadLetters();
        if (values.json) printJson({ dropped });
        else process.stdout.write(`dropped ${dropped} dead letter(s)\n`);
        return 0;
      }
      const report = await client.deadLetters({ limit: intFlag(values.limit, 'limit', 100) });
      if (values.json) printJson(report);
      else process.stdout.write(describeDeadLetters(report).join('\n') + '\n');
      return 0;
    });
  },
};
