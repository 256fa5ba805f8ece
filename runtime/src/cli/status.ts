import type { FrameSnapshot } from '../model/frame-snapshot.js';
import { clientCommand } from './cluster-command.js';
import { printJson } from './options.js';
import { packageState } from '../model/frame-snapshot.js';

const USAGE = 'kael status --name NS [--auri URL] [--json]';

/** Lines of a human status report: frames × packages × versions, crontab holders, load errors. */
export function describeFrames(frames: readonly FrameSnapshot[], now = Date.now()): string[] {
  if (frames.length === 0) return ['no live frame in this namespace'];
  const lines: string[] = [];
  for (const f of frames) {
    lines.push(
      `frame ${f.id}  host ${f.host}  pid ${f.pid}  up ${Math.round((now - Date.parse(f.startedAt)) / 1000)} s  ${f.configFile}`,
    );
    for (const p of f.packages) {
      const cron = f.crontabs.find((c) => c.name === p.name && p.kind === 'crontab');
      const role = cron === undefined ? '' : cron.active ? '  ACTIVE' : '  standby';
      const state = packageState(p) === 'ok' ? '' : `  ${packageState(p).toUpperCase()}`;
      lines.push(
        `  ${p.kind.padEnd(8)} ${p.name.padEnd(20)} ${(p.version ?? '?').padEnd(8)}${state}${role}${p.services === undefined ? '' : `  ${p.services.join(' ')}`}`,
      );
      if (packageState(p) === 'failed')
        lines.push(
          `           ${p.reason ?? `[${p.error?.code ?? ''}] ${p.error?.message.split('\n')[0] ?? ''}`}`,
        );
    }
  }
  return lines;
}

/** `kael status`: every package's state (ok / failed with its reason / restarting); exit 1 when any failed. */
export const command = clientCommand(
  'show live frames, their packages and versions, crontab holders and load errors',
  USAGE,
  0,
  async (client, args) => {
    const frames = await client.servers();
    if (args.json) printJson(frames);
    else {
      // The JSON form stays the frame list (tools read it); the depth is in `kael dlq --json`.
      const dead = await client.deadLetters({ limit: 0 }).then(
        (r) => `dead letters: ${r.count} in ${r.queue}${r.count > 0 ? ' (kael dlq lists them)' : ''}`,
        (e: unknown) => `dead letters: unknown (${(e as Error).message})`,
      );
      process.stdout.write([...describeFrames(frames), dead].join('\n') + '\n');
    }
    return frames.some((f) => f.packages.some((p) => packageState(p) === 'failed')) ? 1 : 0;
  },
);
