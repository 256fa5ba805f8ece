import { WorkFrame } from '../frame/work-frame.js';
import type { CliCommand } from './command.js';
import { intFlag, parseCommandLine } from './options.js';

const USAGE =
  'kael run <frame.yaml> [--name NS] [--auri URL] [--processes N] [--concurrency N] [--heartbeat MS] [--admin-key-file FILE] [--install-root DIR] [--allow-unsigned-admin]';

/** `kael run`: the standalone daemon. SIGTERM/SIGINT drain in-flight calls and exit 0. */
export const command: CliCommand = {
  summary: 'run a frame: serve the packages of a frame.yaml until SIGTERM',
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        name: { type: 'string', short: 'n' },
        auri: { type: 'string' },
        processes: { type: 'string', short: 'p' },
        concurrency: { type: 'string' },
        heartbeat: { type: 'string' },
        'admin-key-file': { type: 'string' },
        'install-root': { type: 'string' },
        'allow-unsigned-admin': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      USAGE,
    );
    const conf = positionals[0];
    if (values.help || conf === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    const frame = new WorkFrame({
      name: values.name,
      auri: values.auri,
      serviceGroupConf: conf,
      processes: intFlag(values.processes, 'processes', 1),
      concurrency: intFlag(values.concurrency, 'concurrency', 64),
      heartbeatMs: intFlag(values.heartbeat, 'heartbeat', 2000),
      adminKeyFile: values['admin-key-file'],
      installRoot: values['install-root'],
      allowUnsignedAdmin: values['allow-unsigned-admin'],
    });
    await frame.start();
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string): void => {
        frame.logger.info(`received ${signal}; draining`);
        frame.stop().then(resolve, (e: unknown) => {
          frame.logger.error('stop failed', { error: (e as Error).message });
          resolve();
        });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    return 0;
  },
};
