import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_AURI } from '../frame/work-frame.js';
import { section as cluster } from './cluster.js';
import { section as coldStart } from './cold-start.js';
import { section as crontab } from './crontab.js';
import { section as languageServer } from './language-server.js';
import { markdownTable } from './markdown.js';
import type { MarkdownRow } from './markdown.js';
import { section as memory } from './memory.js';
import { section as payload } from './payload.js';
import { section as processes } from './processes.js';
import { section as rabbitmqCluster } from './rabbitmq-cluster.js';
import { section as rpc } from './rpc.js';
import { section as serviceNotFound } from './service-not-found.js';
import type { BenchSection } from './section.js';

/** The sections of a run, in order: one line each. */
const SECTIONS: readonly BenchSection[] = [
  rpc,
  payload,
  coldStart,
  memory,
  processes,
  cluster,
  crontab,
  languageServer,
  serviceNotFound,
];

/** The machine, as the README's table names it. */
function machine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${load} at the end`;
}

/**
 * `npm run bench [-- --json] [--only rpc,cluster] [--quick] [--markdown]`: every section in one run on
 * the local broker. The rpc section's `floor`, `kael` and `ratio` sit at the top level of the JSON; the
 * other sections under their names. `--cluster` runs the RabbitMQ-cluster section alone instead, on
 * the nodes of scripts/rabbitmq-nodes.sh (started for the run when they are not up). `--markdown`
 * runs the sections that have rows in the README's performance table and prints that table.
 */
async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        cluster: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${usage()}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage());
    return 0;
  }
  const names = [...SECTIONS, rabbitmqCluster].map((s) => s.name);
  const unknown = values.only?.split(',').filter((n) => !names.includes(n));
  if (unknown !== undefined && unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.map((n) => `"${n}"`).join(', ')}\n${usage()}`);
    return 2;
  }
  const only = values.cluster ? [rabbitmqCluster.name] : values.only?.split(',');
  const auri = process.env['KAEL_AURI'] ?? DEFAULT_AURI;
  const out: Record<string, unknown> = {};
  const rows: MarkdownRow[] = [];
  // Progress goes to stderr when stdout carries the JSON or the table.
  const say = values.json || values.markdown ? process.stderr : process.stdout;
  for (const s of [...SECTIONS, rabbitmqCluster]) {
    if (only === undefined ? s === rabbitmqCluster : !only.includes(s.name)) continue;
    if (values.markdown && only === undefined && s.markdown === undefined) continue;
    say.write(`\n== ${s.name} ==\n`);
    const result = await s.run({ auri, quick: values.quick });
    if (s.name === 'rpc') Object.assign(out, result);
    else out[s.name] = result;
    say.write(s.describe(result).join('\n') + '\n');
    rows.push(...(s.markdown?.(result) ?? []));
  }
  if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
  else if (values.markdown) process.stdout.write(`\n${markdownTable(rows, machine(), new Date())}\n`);
  return 0;
}

function usage(): string {
  const names = [...SECTIONS, rabbitmqCluster].map((s) => s.name).join(',');
  return `usage: npm run bench -- [--json] [--markdown] [--quick] [--only ${names}] [--cluster]\n`;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
