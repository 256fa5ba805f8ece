import { generateAdminKey, keyId } from '../security/admin-key.js';
import type { CliCommand } from './command.js';
import { parseCommandLine } from './options.js';

const USAGE = 'kael keygen';

/**
 * `kael keygen`: prints a new admin key (32 random bytes, base64url) on stdout and its key id on
 * stderr, so `kael keygen > admin.key` leaves only the key in the file.
 */
export const command: CliCommand = {
  summary: 'print a new admin key for signing changing commands (save it with: kael keygen > admin.key)',
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      { help: { type: 'boolean', short: 'h', default: false } },
      USAGE,
    );
    if (values.help) {
      process.stdout.write(
        `usage: ${USAGE}\n\nPrints a new admin key. Give the same key to every frame and operator of a namespace:\n  kael keygen > admin.key && chmod 600 admin.key\n  KAEL_ADMIN_KEY_FILE=$PWD/admin.key kael run frame.yaml   # frames\n  KAEL_ADMIN_KEY_FILE=$PWD/admin.key kael update calc      # operators\n`,
      );
      return Promise.resolve(0);
    }
    const key = generateAdminKey();
    process.stdout.write(`${key}\n`);
    if (process.stderr.isTTY) process.stderr.write(`key id ${keyId(key)}\n`);
    return Promise.resolve(0);
  },
};
