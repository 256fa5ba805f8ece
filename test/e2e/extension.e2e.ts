import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import {
  makeFrameDir,
  ROOT,
  startFrameProcess,
  TEST_ADMIN_KEY,
  versionedService,
} from '../support/frames.js';
import type { FrameProcess } from '../support/frames.js';
import { startCodeServer } from './code-server.js';
import type { CodeServer } from './code-server.js';

const HEARTBEAT_MS = 500;
const CHROMIUM = process.env['KAEL_CHROMIUM'] ?? '/usr/bin/chromium';
const OUTPUT = path.join(ROOT, 'test', 'output');

/** The visible text of the Kael tree. */
async function treeText(page: Page): Promise<string> {
  return page
    .locator('[id="workbench.view.extension.kael"] .monaco-list')
    .innerText()
    .catch(() => '');
}

async function waitForTree(
  page: Page,
  what: string,
  ok: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<number> {
  const t = Date.now();
  let text = '';
  while (Date.now() - t < timeoutMs) {
    text = await treeText(page);
    if (ok(text)) return Date.now() - t;
    await page.waitForTimeout(50);
  }
  throw new Error(`the Kael tree did not show ${what} within ${timeoutMs} ms; it showed:\n${text}`);
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

describe('the Kael extension in a real VS Code (code-server)', () => {
  const ns = randomNamespace('e2e');
  const frames: FrameProcess[] = [];
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let workspace: string;
  const numbers: Record<string, number> = {};
  const cron = {
    'setting.yaml':
      "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['*/2 * * * * *', 'echo tick']\n",
  };

  before(async () => {
    for (let i = 0; i < 2; i++)
      frames.push(
        startFrameProcess(await makeFrameDir({ calc: versionedService('calc', '1.0'), ticker: cron }), ns, [
          '--heartbeat',
          String(HEARTBEAT_MS),
        ]),
      );
    await Promise.all(frames.map((f) => f.ready));
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-ws-'));
    await fs.mkdir(path.join(workspace, 'broken'));
    await fs.writeFile(
      path.join(workspace, 'broken', 'setting.yaml'),
      'type: service\nversion: 1.0\npublish: [add]\n',
    );
    server = await startCodeServer(
      path.join(ROOT, 'extension', 'kael-vscode.vsix'),
      workspace,
      {
        'kael.namespaces': [ns],
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
      },
      // The extension signs with KAEL_ADMIN_KEY when its SecretStorage holds no key.
      { KAEL_AURI: AURI, KAEL_ADMIN_KEY: TEST_ADMIN_KEY },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await fs.mkdir(OUTPUT, { recursive: true });
  });

  after(async () => {
    await page?.screenshot({ path: path.join(OUTPUT, 'last.png') }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await Promise.all(frames.map((f) => f.stop()));
    await deleteNamespace(ns);
    process.stdout.write(`e2e numbers: ${JSON.stringify(numbers)}\n`);
  });

  it('shows both frames, their services and the active crontab in the Kael view', async () => {
    await page.locator('.activitybar [aria-label^="Kael"]').first().click({ timeout: 30_000 });
    const pids = frames.map((f) => `pid ${f.child.pid ?? 0}`);
    await waitForTree(
      page,
      'both frames, calc__add and the active ticker',
      (t) =>
        pids.every((p) => t.includes(p)) &&
        t.includes('calc__add') &&
        t.includes('active') &&
        t.includes('standby'),
      60_000,
    );
    await page.mouse.move(900, 600);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUTPUT, 'tree.png') });
    await fs.mkdir(path.join(ROOT, 'docs'), { recursive: true });
    await fs.copyFile(path.join(OUTPUT, 'tree.png'), path.join(ROOT, 'docs', 'tree.png'));
  });

  it('shows a new frame within a second of its first announcement', async () => {
    const f = startFrameProcess(await makeFrameDir({ calc: versionedService('calc', '1.0') }), ns, [
      '--heartbeat',
      String(HEARTBEAT_MS),
    ]);
    frames.push(f);
    await f.ready;
    numbers['frame_appears_ms'] = await waitForTree(page, 'the new frame', (t) =>
      t.includes(`pid ${f.child.pid ?? 0}`),
    );
    assert.ok(
      (numbers['frame_appears_ms'] ?? Infinity) <= 1000 + 500,
      `took ${numbers['frame_appears_ms']} ms`,
    );
  });

  it('restarts services from the command palette and shows per-frame results', async () => {
    await runCommand(page, 'Kael: Restart Services');
    await page
      .locator('.monaco-dialog-box .monaco-button', { hasText: 'Restart' })
      .first()
      .click({ timeout: 10_000 });
    await page
      .locator('.monaco-editor .view-lines', { hasText: 'frame(s) succeeded' })
      .first()
      .waitFor({ timeout: 60_000 });
    // Monaco renders spaces as no-break spaces.
    const text = (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(
      /\u00a0/g,
      ' ',
    );
    assert.match(text, /3 of 3 frame\(s\) succeeded/);
  });

  it('calls a service picked from the live ones and shows its result', async () => {
    await runCommand(page, 'Kael: Call Service');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'calc__add' })
      .first()
      .click({ timeout: 10_000 });
    const input = page.locator('.quick-input-widget input');
    await input.fill('[40, 2]');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: '42' }).first().waitFor({ timeout: 30_000 });
  });

  it('removes a killed frame within its heartbeat timeout', async () => {
    const victim = frames[0];
    victim?.child.kill('SIGKILL');
    const pid = `pid ${victim?.child.pid ?? 0}`;
    numbers['frame_removed_ms'] = await waitForTree(page, 'the killed frame gone', (t) => !t.includes(pid));
    assert.ok(
      (numbers['frame_removed_ms'] ?? Infinity) <= 3 * HEARTBEAT_MS + 1000 + 300,
      `took ${numbers['frame_removed_ms']} ms`,
    );
  });

  it('shows the diagnostic of a broken setting.yaml in the Problems panel', async () => {
    await runCommand(page, 'Go to File...');
    const input = page.locator('.quick-input-widget input');
    await input.fill('setting.yaml');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'broken' })
      .first()
      .waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await runCommand(page, 'View: Focus Problems');
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: 'service_base_name' })
      .first()
      .waitFor({ timeout: 30_000 });
    const problems = (await page.locator('.markers-panel').first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(problems, /missing required field "service_base_name"/);
    await page.screenshot({ path: path.join(OUTPUT, 'problems.png') });
  });
});
