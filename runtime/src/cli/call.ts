import { connectClient } from '../client/frame-client.js';
import { errorToData, RemoteError } from '../errors.js';
import type { CliCommand } from './command.js';
import { CONNECTION_FLAGS, intFlag, parseCommandLine, printJson, requireNamespace } from './options.js';

const USAGE = 'kael call <service> [ARG ...] --name NS [--auri URL] [--timeout MS]';

/** Each ARG is JSON when it parses as JSON, else a plain string (`kael call echo__say hello`). */
function parseCliArg(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `kael call`: prints the result as JSON; a remote error goes to stderr as JSON with exit 1. */
export const command: CliCommand = {
  summary: 'call a microservice and print its result as JSON',
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, CONNECTION_FLAGS, USAGE);
    const [service, ...args] = positionals;
    if (values.help || service === undefined) {
      process.stdout.write(`usage: ${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    const client = await connectClient({ name: requireNamespace(values.name, USAGE), auri: values.auri });
    try {
      const result = await client.call(service, args.map(parseCliArg), {
        timeoutMs: intFlag(values.timeout, 'timeout', 30_000),
      });
      printJson(result);
      return 0;
    } catch (e) {
      const data = e instanceof RemoteError ? e.remote : errorToData(e);
      process.stderr.write(JSON.stringify(data, null, 2) + '\n');
      return 1;
    } finally {
      await client.close();
    }
  },
};
