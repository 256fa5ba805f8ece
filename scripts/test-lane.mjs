#!/usr/bin/env node
// Runs one lane of the built tests: `unit` (*.unit.test.js: no broker, seconds, with line coverage
// per workspace), `integration` (every other *.test.js: the real RabbitMQ) or `cluster` (test/cluster/:
// a private 3-node RabbitMQ cluster of its own, minutes). Extra arguments are passed to `node --test`
// (e.g. --test-name-pattern).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [lane = 'unit', ...rest] = process.argv.slice(2);
const only = rest.filter((a) => !a.startsWith('-'));
const flags = rest.filter((a) => a.startsWith('-'));

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'e2e' || name === 'fixtures' ? [] : find(p);
    return p.endsWith('.test.js') ? [p] : [];
  });
}

const dist = path.join(root, 'test', 'dist');
// Only built files whose source still exists: a renamed test leaves its old output in dist/.
const all = find(dist)
  .filter((f) => existsSync(path.join(root, 'test', path.relative(dist, f).replace(/\.js$/, '.ts'))))
  .sort();
const inCluster = (f) => path.relative(dist, f).split(path.sep)[0] === 'cluster';
const files = all.filter((f) =>
  lane === 'cluster' ? inCluster(f) : !inCluster(f) && (lane === 'unit') === f.endsWith('.unit.test.js'),
);
const chosen = only.length === 0 ? files : files.filter((f) => only.some((o) => f.includes(o)));
if (chosen.length === 0) {
  process.stderr.write(`no ${lane} test files${only.length === 0 ? '' : ` matching ${only.join(' ')}`}\n`);
  process.exit(1);
}

const coverage = lane === 'unit' && !flags.includes('--no-coverage');
const testArgs = ['--test', '--test-concurrency=1', ...flags.filter((f) => f !== '--no-coverage'), ...chosen];
const started = Date.now();
let command = process.execPath;
let commandArgs = testArgs;
let reportDir;
if (coverage) {
  // c8 collects V8 coverage of every process the tests start and maps it to src/ through the source maps.
  reportDir = mkdtempSync(path.join(os.tmpdir(), 'kael-cov-'));
  command = process.execPath;
  commandArgs = [
    path.join(root, 'node_modules', 'c8', 'bin', 'c8.js'),
    '--reporter=json-summary',
    `--report-dir=${reportDir}`,
    '--all',
    ...['runtime', 'server', 'extension'].flatMap((ws) => ['--include', `${ws}/dist/**/*.js`]),
    '--exclude',
    '**/bench/**',
    process.execPath,
    ...testArgs,
  ];
}
// Tests reach the workspaces' internal modules (`@kael/runtime/cron/lease-view`…) through the
// `kael-internal` export condition; installed packages expose only their listed entry points.
const nodeOptions = [process.env.NODE_OPTIONS, '--conditions=kael-internal'].filter(Boolean).join(' ');
const child = spawn(command, commandArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
const code = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
if (coverage) {
  const summary = JSON.parse(readFileSync(path.join(reportDir, 'coverage-summary.json'), 'utf8'));
  const totals = new Map();
  for (const [file, s] of Object.entries(summary)) {
    if (file === 'total') continue;
    const ws = path.relative(root, file).split(path.sep)[0];
    const t = totals.get(ws) ?? { total: 0, covered: 0 };
    t.total += s.lines.total;
    t.covered += s.lines.covered;
    totals.set(ws, t);
  }
  rmSync(reportDir, { recursive: true, force: true });
  process.stdout.write(
    `\n# unit lane: ${chosen.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  for (const [ws, t] of [...totals].sort())
    process.stdout.write(
      `# line coverage ${ws}: ${((100 * t.covered) / Math.max(1, t.total)).toFixed(1)}% (${t.covered}/${t.total} lines)\n`,
    );
}
process.exit(code);
