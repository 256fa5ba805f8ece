import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Files of one package folder: name → content. */
export type PackageFiles = Record<string, string>;

/** The published functions of the chaos packages, as callers name them. */
export const CHAOS_FUNCTIONS = {
  jsAdd: 'chaosjs__add',
  jsSize: 'chaosjs__size',
  jsCrash: 'chaosjs__crash',
  pyMul: 'chaospy__mul',
  pyCrash: 'chaospy__crash',
} as const;

/** The crontab's schedule period: it fires every second. */
export const TICK_PERIOD_MS = 1000;

/**
 * The packages every chaos frame serves: a JS service and a Python service whose answers are known
 * from their arguments and whose every run appends the call id to `executionLog` (so a call run
 * twice is seen), with hostile functions beside them (`crash` exits the worker, `size` takes the
 * oversized argument); and a crontab firing every second whose command appends the tick's
 * scheduled time to `tickLog` (so a tick run twice or never is seen).
 */
export function chaosPackages(executionLog: string, tickLog: string): Record<string, PackageFiles> {
  return {
    chaos_js: {
      'setting.yaml':
        '# Chaos run: known answers, a run log, and hostile functions.\ntype: service\nservice_base_name: chaosjs\nversion: 1.0\npublish: [add, size, crash]\n',
      'index.js': [
        "'use strict';",
        "const fs = require('node:fs');",
        `const LOG = ${JSON.stringify(executionLog)};`,
        '// Recorded before the work: a call redelivered after its worker died shows up twice.',
        'exports.add = async (id, a, b, delayMs) => {',
        "  fs.appendFileSync(LOG, id + '\\n');",
        '  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));',
        '  return { id, sum: a + b };',
        '};',
        "exports.size = (blob) => (typeof blob === 'string' ? blob.length : -1);",
        '// The poison call: it takes its worker down with it.',
        'exports.crash = () => process.exit(70);',
        '',
      ].join('\n'),
    },
    chaos_py: {
      'setting.yaml':
        '# Chaos run: known answers, a run log, and a crash.\ntype: service\nservice_base_name: chaospy\nversion: 1.0\npublish: [mul, crash]\n',
      '__init__.py': [
        '"""Chaos run: known answers, a run log, and a crash."""',
        '',
        'import asyncio',
        'import os',
        '',
        `LOG = ${JSON.stringify(executionLog)}`,
        '',
        '',
        'async def mul(call_id, a, b, delay_ms):',
        '    """Recorded before the work: a call redelivered after its worker died shows up twice."""',
        '    with open(LOG, "a") as log:',
        '        log.write(call_id + "\\n")',
        '    if delay_ms > 0:',
        '        await asyncio.sleep(delay_ms / 1000)',
        '    return {"id": call_id, "product": a * b}',
        '',
        '',
        'def crash():',
        '    """The poison call: it takes its worker down with it."""',
        '    os._exit(70)',
        '',
      ].join('\n'),
    },
    chaos_ticker: {
      'setting.yaml': [
        "# Chaos run: every second, the tick's scheduled time is appended to the tick log.",
        'type: crontab',
        'crontab_name: chaos_ticker',
        'version: 1.0',
        'publish:',
        `  - ['* * * * * *', ${JSON.stringify(`echo $KAEL_SCHEDULED_AT >> '${tickLog}'`)}]`,
        '',
      ].join('\n'),
    },
  };
}

/**
 * Writes one frame's folder: each package in its own sub-folder and a frame.yaml listing them.
 * @returns the frame.yaml path.
 */
export async function writeFrameFolder(dir: string, packages: Record<string, PackageFiles>): Promise<string> {
  for (const [name, files] of Object.entries(packages)) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    for (const [file, content] of Object.entries(files))
      await fs.writeFile(path.join(dir, name, file), content);
  }
  const conf = path.join(dir, 'frame.yaml');
  const list = Object.keys(packages).map((n) => `  - ./${n}`);
  await fs.writeFile(conf, ['service_group: chaos', 'path:', ...list, ''].join('\n'));
  return conf;
}
