import type { ChangeResults } from '../client/cluster-client.js';
import type { CliCommand } from './command.js';
import type { CommandResponse } from '../client/command-responses.js';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { KaelError } from '../errors.js';
import type { PackageSnapshot } from '../model/frame-snapshot.js';
import { CONNECTION_FLAGS, intFlag, parseCommandLine, printJson, requireNamespace } from './options.js';
import type { PackageKind } from '../model/package-kind.js';
import { packageState } from '../model/frame-snapshot.js';

/** Flags of the management commands: connection, target, type and version. */
const MANAGEMENT_FLAGS = {
  ...CONNECTION_FLAGS,
  type: { type: 'string', short: 't' },
  version: { type: 'string', short: 'v' },
  id: { type: 'string' },
  'not-id': { type: 'string' },
  'admin-key-file': { type: 'string' },
} as const;

/** Parsed management command line. */
export interface ManagementArgs {
  positionals: string[];
  json: boolean;
  kind: PackageKind;
  version: string | undefined;
  id: string | undefined;
  notId: string[] | undefined;
  timeoutMs: number;
  help: boolean;
}

/** Parses the common management flags. @throws KaelError `USAGE` */
function parseManagement(argv: string[], usage: string): ManagementArgs & ConnectArgs {
  const { values, positionals } = parseCommandLine(argv, MANAGEMENT_FLAGS, usage);
  const kind = values.type ?? 'service';
  if (kind !== 'service' && kind !== 'crontab')
    throw new KaelError('USAGE', `--type must be service or crontab, got "${kind}"`);
  return {
    positionals,
    json: values.json,
    kind,
    version: values.version,
    id: values.id,
    notId: values['not-id']?.split(',').filter((s) => s !== ''),
    timeoutMs: intFlag(values.timeout, 'timeout', 120_000),
    help: values.help,
    name: values.name,
    auri: values.auri,
    adminKeyFile: values['admin-key-file'],
  };
}

/** Connection flags of a management command. */
export interface ConnectArgs {
  name: string | undefined;
  auri: string | undefined;
  /** `--admin-key-file` (else KAEL_ADMIN_KEY, then KAEL_ADMIN_KEY_FILE). */
  adminKeyFile?: string | undefined;
}

/** Connects with the parsed flags (namespace from --name or KAEL_NAME; admin key from --admin-key-file, KAEL_ADMIN_KEY or KAEL_ADMIN_KEY_FILE). */
export async function connectFromArgs(args: ConnectArgs, usage: string): Promise<ServiceProxy> {
  return connectClient({
    name: requireNamespace(args.name, usage),
    auri: args.auri,
    adminKeyFile: args.adminKeyFile,
  });
}

/** Progress on a terminal (stderr), silent otherwise. */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`… ${line}\n`);
}

/** One frame's row of a changing command's report. */
interface ResultRow {
  frame: string;
  ok: boolean;
  from: string | null;
  to: string | null;
  error: { code: string; message: string } | undefined;
  /** The packages the frame reported after the change, with their states. */
  packages: PackageSnapshot[];
}

function toRow(frame: string, r: unknown): ResultRow {
  const rec = r as {
    ok: boolean;
    from?: string | null;
    to?: string | null;
    error?: { code: string; message: string; details?: Record<string, unknown> };
    value?: unknown;
    package?: PackageSnapshot;
  };
  const value = rec.value as { packages?: unknown } | undefined;
  const packages =
    rec.package !== undefined
      ? [rec.package]
      : Array.isArray(value?.packages)
        ? (value.packages as PackageSnapshot[])
        : Array.isArray(rec.error?.details?.['packages'])
          ? (rec.error.details['packages'] as PackageSnapshot[])
          : [];
  return {
    frame,
    ok: rec.ok,
    from: rec.from ?? null,
    to: rec.to ?? null,
    error: rec.error,
    packages: packages.filter((p) => typeof p === 'object' && p !== null && 'name' in p),
  };
}

/**
 * Prints per-frame results (table or JSON) and returns the exit code: 1 when any frame failed,
 * including a frame where the command ran but a package did not come back up (its `package` /
 * `packages` carry each package's state, version and reason).
 */
export function reportResults(results: ChangeResults | CommandResponse, json: boolean): number {
  const rows = Object.entries(results as Record<string, unknown>).map(([frame, r]) => toRow(frame, r));
  if (json) printJson(results);
  else if (rows.length === 0) process.stdout.write('no frame was targeted\n');
  else {
    for (const r of rows) {
      const change = r.from !== null || r.to !== null ? ` ${r.from ?? '-'} → ${r.to ?? '-'}` : '';
      process.stdout.write(
        `${r.ok ? 'ok    ' : 'FAILED'} ${r.frame}${change}${r.error === undefined ? '' : `  [${r.error.code}] ${r.error.message}`}\n`,
      );
      for (const p of r.packages)
        process.stdout.write(
          `         ${packageState(p).padEnd(10)} ${p.kind} ${p.name} ${p.version ?? '?'}${p.reason === undefined ? '' : `  ${p.reason}`}\n`,
        );
    }
  }
  return rows.every((r) => r.ok) ? 0 : 1;
}

/** Runs a management command body with a connected client, closing it afterwards. */
export async function withClient(
  args: ConnectArgs,
  usage: string,
  body: (client: ServiceProxy) => Promise<number>,
): Promise<number> {
  const client = await connectFromArgs(args, usage);
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

/**
 * A management subcommand: parses the common flags, prints the usage for --help or when fewer than
 * `required` positional arguments are given, connects, runs `body`, closes.
 */
export function clientCommand(
  summary: string,
  usage: string,
  required: number,
  body: (client: ServiceProxy, args: ManagementArgs) => Promise<number>,
): CliCommand {
  return {
    summary,
    async run(argv) {
      const args = parseManagement(argv, usage);
      if (args.help || args.positionals.length < required) {
        process.stdout.write(`usage: ${usage}\n`);
        return args.help ? 0 : 2;
      }
      return withClient(args, usage, (client) => body(client, args));
    },
  };
}

/** The target and version options of a changing helper, from the parsed flags. */
export function changeOptions(args: ManagementArgs): {
  id: string | undefined;
  notId: string[] | undefined;
  timeoutMs: number;
  version?: string;
} {
  return {
    id: args.id,
    notId: args.notId,
    timeoutMs: args.timeoutMs,
    ...(args.version === undefined ? {} : { version: args.version }),
  };
}
