// Drives a code-server (VS Code 1.100.3) page with playwright-core: commands, debugging, views.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The playwright-core installed by /work/shared/vscode-ui/setup.sh. */
export function loadPlaywright(uiDir) {
  return createRequire(join(uiDir, 'package.json'))('playwright-core');
}

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One browser page showing the workbench of a folder. */
export class Workbench {
  constructor(browser, page) {
    this.browser = browser;
    this.page = page;
  }

  static async open(uiDir, port, folder) {
    const { chromium } = loadPlaywright(uiDir);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    return new Workbench(browser, page);
  }

  async close() {
    await this.browser.close();
  }

  /** Runs a command from the command palette by clicking the row whose label matches; retries while the command is not yet available (extensions still loading). */
  async runCommand(text, rowPattern, attempts = 6) {
    const page = this.page;
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${text}`);
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: rowPattern ?? text }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 5_000 });
      } catch (e) {
        if (attempt >= attempts) throw e;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(2_000);
        continue;
      }
      await row.click();
      return;
    }
  }

  /** The labels of the command palette rows for a search text (the palette is left closed). */
  async paletteRows(text) {
    const page = this.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${text}`);
    await page.waitForTimeout(500);
    const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    return rows.map((r) => r.replace(/\s+/g, ' ').trim());
  }

  /** Picks a row of the open quick input by typing a filter and clicking the first match. */
  async pickQuickInput(filter, rowPattern, timeout = 20_000) {
    const page = this.page;
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout });
    // Quick access pickers (e.g. "debug ") start with a prefix that must stay in front of the filter.
    const prefix = (await input.inputValue()).match(/^[a-z]+ $/)?.[0] ?? '';
    await input.fill(`${prefix}${filter}`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: rowPattern ?? filter }).first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click();
  }

  /** Starts the launch configuration with the given name. */
  async startDebugging(configName) {
    await this.runCommand('Debug: Select and Start Debugging', /^Debug: Select and Start Debugging/);
    await this.pickQuickInput(configName, configName);
  }

  /** Answers VS Code's own (quick input) open-file dialog with a path. */
  async answerFileDialog(filePath) {
    const page = this.page;
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    // The dialog fills in its start folder asynchronously and ignores Enter until it has
    // validated the path, so keep (re)typing the path until the dialog closes.
    for (let attempt = 0; attempt < 30; attempt++) {
      await page.waitForTimeout(750);
      if (!(await input.isVisible())) return;
      if ((await input.inputValue()) !== filePath) {
        await input.fill(filePath);
        continue;
      }
      await page.keyboard.press('Enter');
    }
  }

  async showRunAndDebug() {
    await this.runCommand('View: Show Run and Debug', /^View: Show Run and Debug/);
    await this.page.locator('.debug-viewlet, .pane-header').first().waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** The pane of a view in the sidebar, expanded. */
  async pane(title) {
    const page = this.page;
    const header = page.locator('.pane-header').filter({ has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();
    await header.waitFor({ state: 'visible', timeout: 15_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return page.locator('.pane').filter({ has: header });
  }

  /** Collapses a view pane of the sidebar when it is shown (room for the others in screenshots). */
  async collapsePane(title) {
    const page = this.page;
    const header = page.locator('.pane-header').filter({ has: page.locator('h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();
    if ((await header.count()) === 0 || !(await header.isVisible())) return;
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }

  /** Drags the sidebar's edge so that it is about `width` pixels wide (long tree rows stay readable). */
  async widenSidebar(width) {
    const page = this.page;
    const box = await page.locator('.part.sidebar').first().boundingBox();
    if (!box || box.width >= width) return;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + width, y, { steps: 8 });
    await page.mouse.up();
  }

  /** Expands the row of a view pane that matches the pattern (by its twistie, so no command runs). */
  async expandPaneRow(title, pattern, timeout = 15_000) {
    const row = await this.waitForPaneRow(title, pattern, timeout);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    return row;
  }

  /** The row texts of a view pane, waiting until one matches the pattern. */
  async waitForPaneRow(title, pattern, timeout = 30_000) {
    const pane = await this.pane(title);
    const row = pane.locator('.monaco-list-row').filter({ hasText: pattern }).first();
    await row.waitFor({ state: 'visible', timeout });
    return row;
  }

  async paneRows(title) {
    const pane = await this.pane(title);
    return (await pane.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  }

  /** Waits until the debuggee is paused and VS Code has focused the landing frame by itself, which shows the
   *  exception widget; returns the widget's text. Nothing here selects a frame: a stop that VS Code does not focus fails. */
  async waitForExceptionWidget(timeout = 60_000) {
    const widget = this.page.locator('.exception-widget').first();
    await widget.waitFor({ state: 'visible', timeout });
    return (await widget.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** The text the integrated terminal shows (needs the DOM renderer: "terminal.integrated.gpuAcceleration": "off"). */
  async terminalText() {
    const rows = this.page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows');
    const texts = await rows.allInnerTexts().catch(() => []);
    return texts.join('\n');
  }

  /** Waits until the integrated terminal shows text matching the pattern; returns all of its text. */
  async waitForTerminalText(pattern, timeout = 30_000) {
    const end = Date.now() + timeout;
    let text = '';
    while (Date.now() < end) {
      text = await this.terminalText();
      if (pattern.test(text)) return text;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`the terminal did not show ${pattern} within ${timeout} ms; it shows: ${text.slice(-400)}`);
  }

  /** Types a line into the Debug Console and returns the rows that follow it once one matches the pattern. */
  async debugConsole(line, pattern, timeout = 30_000) {
    const page = this.page;
    await this.runCommand('Focus on Debug Console View', /Focus on Debug Console View/);
    const input = page.locator('.repl-input-wrapper .monaco-editor').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    const end = Date.now() + timeout;
    let rows = [];
    while (Date.now() < end) {
      rows = (await page.locator('.repl .monaco-list-row').allInnerTexts()).map((r) => r.trim());
      if (rows.some((r) => pattern.test(r))) return rows;
      await page.waitForTimeout(250);
    }
    throw new Error(`the Debug Console did not show ${pattern} within ${timeout} ms after "${line}"; it shows: ${rows.join(' | ').slice(-600)}`);
  }

  /** Opens a file of the workspace at a line through Go to File (`name:line`), as a user types it. */
  async openFileAt(name, line) {
    const page = this.page;
    await this.runCommand('Go to File', /^Go to File/);
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`${name}:${line}`);
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active').filter({ hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.monaco-editor .line-numbers.active-line-number').filter({ hasText: new RegExp(`^${line}$`) }).first()
      .waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** Waits until the debuggee is paused (the debug toolbar shows Continue rather than Pause). */
  async waitForPause(timeout = 60_000) {
    await this.page.locator('.debug-toolbar .codicon-debug-continue').first().waitFor({ state: 'visible', timeout });
  }

  /** The text of the focused call stack frame and the editor's active line number. */
  async focusedFrame() {
    const page = this.page;
    const rows = page.locator('.debug-call-stack .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    let focused = page.locator('.debug-call-stack .monaco-list-row.selected').first();
    if ((await focused.count()) === 0) focused = page.locator('.debug-call-stack .monaco-list-row.focused').first();
    const text = (await focused.count()) > 0 ? await focused.innerText() : '';
    const line = await page.locator('.monaco-editor .line-numbers.active-line-number').first().innerText().catch(() => '');
    return { frame: text.replace(/\s+/g, ' ').trim(), editorLine: line.trim() };
  }

  /** Stops the session and waits until no session is left (the debug toolbar hidden), asking again if one lingers, so
   *  that the next session starts alone. */
  async stopDebugging() {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.runCommand('Debug: Stop', /^Debug: Stop/);
      const ended = await this.page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 }).then(() => true, () => false);
      if (ended) return;
    }
  }

  async screenshot(path) {
    await this.page.screenshot({ path });
  }
}
