import type { Locator, Page } from 'playwright-core';

/** Monaco renders spaces as no-break spaces. */
export function plain(text: string): string {
  return text.replace(/\u00a0/g, ' ');
}

/** The Kael view's pane (tree, welcome area and message). */
export function kaelPane(page: Page): Locator {
  return page.locator('[id="workbench.view.extension.kael"]');
}

/**
 * Shows the Kael view. A click on the activity bar item of the active container closes the side
 * bar, and after a reload the workbench may still be restoring it: so the item is clicked only when
 * it is not active, or when it has been active for a while without its view showing (side bar hidden).
 */
export async function openKaelView(page: Page, timeoutMs = 120_000): Promise<void> {
  const item = page.locator('.activitybar [aria-label^="Kael"]').first();
  await item.waitFor({ timeout: 180_000 });
  const active = page.locator(
    '.activitybar .checked[aria-label^="Kael"], .activitybar .checked [aria-label^="Kael"], .activitybar [aria-selected="true"][aria-label^="Kael"]',
  );
  const started = Date.now();
  let lastClick = Date.now();
  while (!(await kaelPane(page).isVisible())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`the Kael view did not show within ${timeoutMs} ms`);
    if ((await active.count()) === 0 || Date.now() - lastClick > 10_000) {
      await item.click();
      lastClick = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The visible text of the Kael view. */
export async function paneText(page: Page): Promise<string> {
  return plain(
    await kaelPane(page)
      .innerText()
      .catch(() => ''),
  );
}

/** Polls `read` until `ok` holds; returns the milliseconds it took. */
export async function waitUntil(
  what: string,
  read: () => Promise<string>,
  ok: (text: string) => boolean,
  timeoutMs = 60_000,
): Promise<number> {
  const t = Date.now();
  let text = '';
  while (Date.now() - t < timeoutMs) {
    text = await read();
    if (ok(text)) return Date.now() - t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not see ${what} within ${timeoutMs} ms; saw:\n${text}`);
}

/** A row of the Kael tree whose text contains `text` (the n-th one, default the first). */
export function treeRow(page: Page, text: string, nth = 0): Locator {
  return kaelPane(page).locator('.monaco-list-row', { hasText: text }).nth(nth);
}

/**
 * Opens a row's context menu (right-click, or Shift+F10 on the focused row) and returns its items.
 * A menu that did not open (a hover over the row took the click, or the row was redrawn under it) is
 * asked for again, after Escape and with the pointer away.
 */
export async function contextMenu(page: Page, row: Locator, how: 'mouse' | 'keyboard'): Promise<string[]> {
  const menu = page.locator('.context-view .monaco-menu').first();
  for (let attempt = 1; ; attempt++) {
    if (how === 'mouse') await row.click({ button: 'right' });
    else {
      await row.click();
      await page.keyboard.press('Shift+F10');
    }
    const opened = await menu
      .waitFor({ state: 'visible', timeout: attempt === 3 ? 30_000 : 5000 })
      .then(() => true)
      .catch((e: unknown) => {
        if (attempt === 3) throw e;
        return false; // asked again below
      });
    if (opened) break;
    await page.keyboard.press('Escape');
    await page.mouse.move(900, 600);
  }
  return (await menu.locator('.action-item:not(.disabled) .action-label').allInnerTexts())
    .map((t) => plain(t).trim())
    .filter((t) => t !== '');
}

/** Clicks an item of the open context menu. */
export async function clickMenuItem(page: Page, label: string): Promise<void> {
  await page.locator('.context-view .monaco-menu .action-label', { hasText: label }).first().click();
}

/**
 * Runs a command by its palette title. A quick input that is closing stays visible for its close
 * animation, inert: the palette is opened only once it is gone, and opened again when it did not
 * open (a key pressed while the previous command took the focus back can be lost).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const closing = page.locator('.quick-input-widget[inert], .quick-input-widget.quick-input-widget-closing');
  const input = page.locator('.quick-input-widget:not([inert]):not(.quick-input-widget-closing) input');
  for (let attempt = 1; ; attempt++) {
    await closing.first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('Control+Shift+P');
    const opened = await input
      .waitFor({ state: 'visible', timeout: 5000 })
      .then(() => true)
      .catch(() => false); // not open yet: pressed again below, and the last attempt's failure is thrown by fill()
    if (opened || attempt === 3) break;
  }
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({});
  await page.keyboard.press('Enter');
}

/** The open quick input (pick or input box): its whole text (title, step, prompt). */
export async function quickInputText(page: Page): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible' });
  return plain(await widget.innerText());
}

/** Waits for the quick input to show `expect` (e.g. `2/3`), then types `value` (replacing) and presses Enter. */
export async function answerInput(page: Page, expect: string, value?: string): Promise<string> {
  const text = await waitUntil(
    `the input "${expect}"`,
    () => quickInputText(page),
    (t) => t.includes(expect),
  ).then(() => quickInputText(page));
  const input = page.locator('.quick-input-widget input').first();
  if (value !== undefined) await input.fill(value);
  await page.keyboard.press('Enter');
  return text;
}

/** Picks the row of the open quick pick that contains `label`. */
export async function pickItem(page: Page, label: string): Promise<void> {
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click({});
}

/** A notification toast containing `text`. */
export function toast(page: Page, text: string): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** Clicks a button of the modal dialog. */
export async function dialogButton(page: Page, label: string): Promise<void> {
  await page.locator('.monaco-dialog-box .monaco-button', { hasText: label }).first().click({});
}

/** The text of the active editor. */
export async function editorText(page: Page): Promise<string> {
  return plain(
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText(),
  );
}

/** The title of the active editor tab. */
export async function activeTabTitle(page: Page): Promise<string> {
  return plain(
    await page.locator('.editor-group-container.active .tab.active .label-name').first().innerText(),
  );
}

/** Closes every notification toast (they cover the view). */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
}

/** Drags the side bar's edge so the tree's rows are readable in screenshots. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (box === null) throw new Error('no side bar to widen');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}
