// End-to-end test of the extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, shown by
// headless Chromium through playwright-core; setup.sh beside this file installs them).
//
//   node test-ui/run.mjs           full test: needs the trapdbg adapter (`trapdbg dap`, `trapdbg traps`)
//   node test-ui/run.mjs --smoke   what works without the adapter: the extension loads, its views and
//                                  command appear, launch.json mistakes are reported, the process picker lists processes
//
// The full test installs the extension as a user does, through scripts/install (which builds the Native AOT trapdbg and
// bundles it in the .vsix), and checks that the installed trapdbg --version is the extension's version; TRAPDBG_ADAPTER
// (any trapdbg executable, used through trapdbg.adapterPath) replaces that. Screenshots go to docs/images/
// (UI_IMAGES_DIR overrides). Each check prints one line; the run ends with node's test-runner totals
// ("# pass N", "# fail N") so the repository's test command counts them. One code-server serves the run and is
// killed at the end, also on failure, an interrupt or the overall time limit (UI_TEST_TIMEOUT_S, default 900 s).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from './workbench.mjs';

const smoke = process.argv.includes('--smoke');
const extensionRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(extensionRoot, '..');
const uiDir = process.env.VSCODE_UI_DIR ?? join(os.homedir(), '.cache/vscode-ui');
const uiScripts = dirname(fileURLToPath(import.meta.url));
const imagesDir = process.env.UI_IMAGES_DIR ?? join(repoRoot, 'docs/images');
const clang = process.env.CLANG ?? 'clang-22';

const failures = [];
let passes = 0;
function check(name, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (ok) passes++;
  else {
    failures.push(name);
    printDapTail();
  }
}

/** After a failed check, the last DAP messages of the session (trapdbg.logFile), so a failure in a log shows what the
 *  adapter and VS Code said last. */
function printDapTail(count = 14) {
  let log;
  try { log = join(workspace, 'dap.jsonl'); } catch { return; } // a check before the workspace exists
  if (!existsSync(log)) return;
  const lines = readFileSync(log, 'utf8').trim().split('\n').slice(-count);
  for (const line of lines) console.log(`     dap: ${line.length > 220 ? `${line.slice(0, 220)}…` : line}`);
}

/** Prints the totals in the form node's test runner ends with, which the repository's test command adds up. */
function printTotals() {
  console.log(`# tests ${passes + failures.length}`);
  console.log(`# pass ${passes}`);
  console.log(`# fail ${failures.length}`);
}

/** The adapter to test with: TRAPDBG_ADAPTER (used through trapdbg.adapterPath), else the one scripts/install builds and
 * bundles in the .vsix it installs. */
function findAdapter() {
  const explicit = process.env.TRAPDBG_ADAPTER;
  if (explicit === undefined) return { install: true };
  if (!existsSync(explicit)) return { error: `TRAPDBG_ADAPTER names ${explicit}, which does not exist.` };
  const help = spawnSync(explicit, ['--help'], { encoding: 'utf8', timeout: 30_000 });
  const text = `${help.stdout ?? ''}${help.stderr ?? ''}`;
  for (const command of ['dap', 'traps']) {
    if (!new RegExp(`^\\s+${command}\\b`, 'm').test(text)) return { error: `${explicit} has no \`${command}\` command yet, so the adapter cannot be tested.` };
  }
  return { path: explicit, install: false };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function sourceLineOf(file, needle) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not found in ${file}`);
  return index + 1;
}

function compile(source, output, optimisation, ...flags) {
  execFileSync(clang, ['-g', optimisation, ...flags, '-o', output, source], { stdio: 'inherit' });
}

/** Pids of processes (other than this one) whose command line, working directory or executable lies under a folder. */
function processesUnder(folder) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cwd = (() => { try { return readlinkSync(`/proc/${entry}/cwd`); } catch { return ''; } })();
      const exe = (() => { try { return readlinkSync(`/proc/${entry}/exe`); } catch { return ''; } })();
      if (cmdline.includes(folder) || cwd.startsWith(folder) || exe.startsWith(folder)) pids.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

const adapter = findAdapter();
if (!smoke && adapter.error) {
  console.error(`UI test not run: ${adapter.error}`);
  console.error('(`npm run test:ui:smoke` checks what works without the adapter.)');
  check('the trapdbg adapter is available for the full UI test', false, adapter.error);
  printTotals();
  process.exit(2);
}

// 1. VS Code, Chromium and playwright-core.
execFileSync('bash', [join(uiScripts, 'setup.sh'), uiDir], { stdio: 'inherit' });

// 2. The extension. The full test installs it as a user does, with scripts/install (the Native AOT trapdbg bundled in the
//    .vsix, code-server found on PATH, a scratch HOME); the smoke test, and a run with TRAPDBG_ADAPTER, package the .vsix
//    and install it directly.
const scratch = mkdtempSync(join(os.tmpdir(), 'trapdbg-ui-'));
const state = join(scratch, 'state');
const home = join(state, 'home');
mkdirSync(home, { recursive: true });
let extensionsDir = join(scratch, 'extensions');
if (!smoke && adapter.install) {
  const dataHome = join(home, '.local/share');
  const prefix = join(scratch, 'prefix');
  const installEnv = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    // The package caches stay the machine's, so the scratch HOME downloads nothing again.
    NUGET_PACKAGES: process.env.NUGET_PACKAGES ?? join(os.homedir(), '.nuget/packages'),
    npm_config_cache: process.env.npm_config_cache ?? join(os.homedir(), '.npm'),
    PATH: `${join(uiDir, 'node_modules/.bin')}:${process.env.PATH}`,
  };
  const installed = spawnSync(join(repoRoot, 'scripts/install'), ['--prefix', prefix], { env: installEnv, encoding: 'utf8', timeout: 45 * 60_000 });
  console.log(`${installed.stdout ?? ''}${installed.stderr ?? ''}`.trim());
  check('scripts/install installs trapdbg and the extension into code-server', installed.status === 0 && /installed the VS Code extension .* into: .*code-server/.test(installed.stdout), `exit ${installed.status}`);
  extensionsDir = join(dataHome, 'code-server/extensions');
  const version = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')).version;
  const folder = existsSync(extensionsDir) ? readdirSync(extensionsDir).find((d) => d.startsWith(`trapdebugger.trapdbg-${version}`)) : undefined;
  const versionOf = (program) => (existsSync(program) ? spawnSync(program, ['--version'], { encoding: 'utf8' }).stdout.trim() : `(no ${program})`);
  const installedVersion = versionOf(join(prefix, 'bin/trapdbg'));
  const bundledVersion = folder ? versionOf(join(extensionsDir, folder, 'bin/linux-x64/trapdbg')) : '(extension not installed)';
  check(`the installed trapdbg --version and the extension's bundled one are the extension's version ${version}`,
    installedVersion === version && bundledVersion === version, `installed ${installedVersion}, bundled ${bundledVersion}`);
} else {
  // The smoke test's package carries no adapter, so it checks what the extension says when there is none.
  const packageOutput = execFileSync(process.execPath, [join(extensionRoot, 'scripts/package.mjs'), ...(smoke ? ['--no-binary'] : [])],
    { cwd: extensionRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vsix = packageOutput.trim().split('\n').pop();
  check('the extension packages as a .vsix', existsSync(vsix), vsix);
  execFileSync(join(uiDir, 'node_modules/.bin/code-server'), ['--install-extension', vsix, '--extensions-dir', extensionsDir], {
    env: { ...process.env, HOME: home },
    stdio: 'inherit',
  });
}

// 3. A workspace with the fixture programs and a launch.json of type trapdbg.
const workspace = join(scratch, 'workspace');
const bin = join(workspace, 'bin');
mkdirSync(join(workspace, '.vscode'), { recursive: true });
mkdirSync(bin, { recursive: true });
// The fixture sources are copied into the workspace so the debug information points inside it.
const fixtures = join(repoRoot, 'tests/fixtures');
mkdirSync(join(workspace, 'src'), { recursive: true });
for (const name of ['verbose_trap.c', 'verbose_trap_multi.c', 'service.c']) copyFileSync(join(fixtures, name), join(workspace, 'src', name));
// A program that talks before it crashes: its lines must reach the integrated terminal, the last one too.
const talkSource = join(workspace, 'src/talk.c');
writeFileSync(talkSource, [
  '#include <stdio.h>',
  'int main(void) {',
  '    printf("hello from the program\\n");',
  '    printf("last words before the crash\\n");',
  '    __builtin_verbose_trap("Demo", "the program crashed on purpose");',
  '    return 0;',
  '}',
  ''].join('\n'));
// A Rust program whose locals are standard library values, for Variables at a line breakpoint.
const rustSource = join(workspace, 'src/values.rs');
writeFileSync(rustSource, [
  'fn main() {',
  '    let numbers: Vec<i32> = vec![1, 2, 3];',
  '    let maybe: Option<i32> = Some(5);',
  '    let nothing: Option<String> = None;',
  '    println!("{} {:?} {:?}", numbers.len(), maybe, nothing); // stop here',
  '}',
  ''].join('\n'));
const verboseSource = join(workspace, 'src/verbose_trap.c');
const multiSource = join(workspace, 'src/verbose_trap_multi.c');
const serviceSource = join(workspace, 'src/service.c');
compile(verboseSource, join(bin, 'verbose_trap_O0'), '-O0');
compile(verboseSource, join(bin, 'verbose_trap_O2'), '-O2');
compile(multiSource, join(bin, 'verbose_trap_multi_O2'), '-O2');
compile(serviceSource, join(bin, 'service'), '-O0', '-pthread');
compile(talkSource, join(bin, 'talk'), '-O0');
execFileSync(process.env.RUSTC ?? 'rustc', ['-g', '-C', 'opt-level=0', '-o', join(bin, 'rust_values'), rustSource], { stdio: 'inherit' });
// service.c traps in the first request it handles after this file appears.
const requestFile = join(workspace, 'drain-now');
const configurations = [
  { type: 'trapdbg', request: 'launch', name: 'Verbose trap -O0', program: '${workspaceFolder}/bin/verbose_trap_O0', args: ['5'], cwd: '${workspaceFolder}' },
  { type: 'trapdbg', request: 'launch', name: 'Verbose trap -O2', program: '${workspaceFolder}/bin/verbose_trap_O2', args: ['5'], cwd: '${workspaceFolder}' },
  { type: 'trapdbg', request: 'launch', name: 'Merged traps -O2', program: '${workspaceFolder}/bin/verbose_trap_multi_O2', args: ['bounds'] },
  { type: 'trapdbg', request: 'attach', name: 'Attach to service', pid: '${command:pickProcess}', program: '${workspaceFolder}/bin/service' },
  { type: 'trapdbg', request: 'launch', name: 'Missing program', program: '${workspaceFolder}/bin/not_built' },
  { type: 'trapdbg', request: 'launch', name: 'Output in the terminal', program: '${workspaceFolder}/bin/talk', console: 'integratedTerminal' },
  { type: 'trapdbg', request: 'launch', name: 'Rust values', program: '${workspaceFolder}/bin/rust_values' },
];
writeFileSync(join(workspace, '.vscode/launch.json'), JSON.stringify({ version: '0.2.0', configurations }, null, 2));
const settings = {
  'trapdbg.logFile': '${workspaceFolder}/dap.jsonl',
  // No debug console and no offer to open a parent folder's git repository over the editor.
  'debug.internalConsoleOptions': 'neverOpen',
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
  // The DOM renderer lets the test read what the integrated terminal shows.
  'terminal.integrated.gpuAcceleration': 'off',
};
if (adapter.path && !adapter.install) settings['trapdbg.adapterPath'] = adapter.path;
writeFileSync(join(workspace, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
mkdirSync(imagesDir, { recursive: true });

// 4. The service to attach to: it runs for up to 20 minutes unless the run kills it first.
const service = spawn(join(bin, 'service'), ['1200000', '--trap-file', requestFile], { cwd: workspace, stdio: 'ignore', detached: true });

let serverPid = 0;
let workbench;
let cleanedUp = false;
/** Closes the browser and kills the server, the service and anything else started from the scratch folder. */
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (workbench) await Promise.race([workbench.close().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
  if (serverPid > 0) { try { process.kill(-serverPid, 'SIGKILL'); } catch { /* already gone */ } }
  try { process.kill(-service.pid, 'SIGKILL'); } catch { /* already gone */ }
  // Debug adapters and debuggees that outlived the server (they run from the scratch folder or the extensions in it).
  for (let round = 0; round < 3; round++) {
    const left = processesUnder(scratch);
    if (left.length === 0) break;
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
    await new Promise((r) => setTimeout(r, 500));
  }
}
const timeLimit = Number(process.env.UI_TEST_TIMEOUT_S ?? 900);
const watchdog = setTimeout(async () => {
  check(`the UI test finished within ${timeLimit} s`, false, `server log: ${join(state, 'code-server.log')}`);
  await cleanUp();
  printTotals();
  process.exit(1);
}, timeLimit * 1000);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanUp();
    process.exit(130);
  });
}

try {
  const port = await freePort();
  const started = spawnSync('bash', [join(uiScripts, 'start.sh'), String(port), workspace, extensionsDir, state], { encoding: 'utf8', env: { ...process.env, VSCODE_UI_DIR: uiDir } });
  serverPid = Number((started.stdout ?? '').trim().split('\n')[0]) || 0;
  if (started.status !== 0) throw new Error(`code-server did not start: ${started.stderr}`);
  workbench = await Workbench.open(uiDir, port, workspace);
  const page = workbench.page;

  // The extension is loaded: its views are in Run and Debug and its command is in the palette.
  await workbench.showRunAndDebug();
  const sitesPane = await workbench.pane('Trap Sites');
  await workbench.pane('Trap Origins');
  // The welcome content is rendered after the pane itself (once the extension's context keys are known).
  await sitesPane.getByText('Show Trap Sites of a Binary').first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => {});
  const welcome = await sitesPane.innerText().catch(() => '');
  check('the Run and Debug view shows Trap Sites and Trap Origins', true);
  check('Trap Sites offers to read a binary when no session runs', /Show Trap Sites of a Binary/.test(welcome), welcome.replace(/\s+/g, ' ').slice(0, 120));
  await workbench.screenshot(join(imagesDir, 'vscode-trap-views.png'));
  const paletteRows = await workbench.paletteRows('TrapDebugger');
  check('the command palette offers "TrapDebugger: Show Trap Sites of a Binary…"', paletteRows.some((r) => r.startsWith('TrapDebugger: Show Trap Sites of a Binary…')), paletteRows.join(' | '));
  await workbench.screenshot(join(imagesDir, 'vscode-command-palette.png'));
  await page.keyboard.press('Escape');

  // A launch.json mistake is reported in words before any adapter starts.
  await workbench.startDebugging('Missing program');
  const toast = page.locator('.notification-toast').filter({ hasText: 'TrapDebugger:' }).first();
  await toast.waitFor({ state: 'visible', timeout: 20_000 }).catch(() => {});
  const toastText = (await toast.innerText().catch(() => '')).replace(/\s+/g, ' ');
  check('a missing program is reported clearly', /The program ".*bin\/not_built" does not exist/.test(toastText), toastText);
  await workbench.screenshot(join(imagesDir, 'vscode-config-error.png'));
  await workbench.runCommand('Notifications: Clear All Notifications', /^Notifications: Clear All Notifications/).catch(() => {});

  if (smoke) {
    // Without launch.json, starting TrapDebugger asks for the program, then needs the adapter.
    rmSync(join(workspace, '.vscode/launch.json'));
    await page.waitForTimeout(1_500);
    await workbench.runCommand('Debug: Start Debugging', /^Debug: Start Debugging\s*F5/);
    await workbench.pickQuickInput('TrapDebugger', /^TrapDebugger/);
    const asked = await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Select the program to debug' }).waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
    check('without launch.json TrapDebugger asks for the program to debug', asked);
    await workbench.answerFileDialog(join(bin, 'verbose_trap_O0'));
    if (!adapter.path) {
      // VS Code shows an error thrown by the adapter factory in a modal dialog.
      const missing = page.locator('.monaco-dialog-box').filter({ hasText: 'No trapdbg executable was found' }).first();
      const missingShown = await missing.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false);
      check('without an adapter the session fails with a message naming trapdbg.adapterPath', missingShown && /trapdbg\.adapterPath/.test(await missing.innerText()), missingShown ? (await missing.innerText()).replace(/\s+/g, ' ') : '');
      await workbench.screenshot(join(imagesDir, 'vscode-adapter-missing.png'));
      await page.keyboard.press('Escape');
    }
    await workbench.runCommand('Notifications: Clear All Notifications', /^Notifications: Clear All Notifications/).catch(() => {});
    writeFileSync(join(workspace, '.vscode/launch.json'), JSON.stringify({ version: '0.2.0', configurations }, null, 2));
    await page.waitForTimeout(1_500);

    // ${command:pickProcess} lists the running service; cancelling aborts the start.
    await workbench.startDebugging('Attach to service');
    const serviceRow = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: `pid ${service.pid}` }).first();
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.quick-input-widget input').fill('drain-now');
    const shown = await serviceRow.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false);
    const rowText = shown ? (await serviceRow.innerText()).replace(/\s+/g, ' ') : '';
    check('the process picker lists the service with pid, user and command line', shown && rowText.includes('service') && rowText.includes(requestFile), rowText);
    await workbench.screenshot(join(imagesDir, 'vscode-pick-process.png'));
    await page.keyboard.press('Escape');

  } else {
    // Verbose trap at -O0 and -O2: the widget shows the message, the focused frame is the user's line.
    const trapLine = sourceLineOf(verboseSource, '__builtin_verbose_trap(');
    const [, trapCategory, trapMessage] = readFileSync(verboseSource, 'utf8').match(/__builtin_verbose_trap\("([^"]+)", "([^"]+)"\)/);
    let laidOut = false;
    for (const [config, image] of [['Verbose trap -O0', 'vscode-verbose-trap-O0.png'], ['Verbose trap -O2', 'vscode-verbose-trap-O2.png']]) {
      await workbench.startDebugging(config);
      const widget = await workbench.waitForExceptionWidget().catch((e) => `(no exception widget: ${e.message})`);
      check(`${config}: the exception widget shows the verbose-trap message "${trapCategory}: ${trapMessage}"`, widget.includes(`${trapCategory}: ${trapMessage}`), widget);
      if (!laidOut) {
        // Screenshots: a sidebar wide enough for the trap views, and room for them.
        laidOut = true;
        await workbench.widenSidebar(560);
        for (const title of ['Watch', 'Breakpoints', 'Loaded Scripts']) await workbench.collapsePane(title);
      }
      const { frame, editorLine } = await workbench.focusedFrame();
      check(`${config}: the focused frame is get() at verbose_trap.c:${trapLine}`, /\bget\b/.test(frame) && frame.includes(`verbose_trap.c`) && frame.includes(`${trapLine}`) && editorLine === String(trapLine), `frame "${frame}", editor line ${editorLine}`);
      await workbench.screenshot(join(imagesDir, image));
      await workbench.stopDebugging();
    }

    // Merged -O2 traps: the Trap Origins view ranks the check that fired first.
    // verbose_trap_multi.c's header: argv "bounds" trips the "Bounds check" of transfer(); at -O2 all of its checks
    // share one ud2. Its lines are the `if` that branches to the trap and the trap call itself.
    const multiText = readFileSync(multiSource, 'utf8');
    const multiChecks = [...multiText.matchAll(/__builtin_verbose_trap\("([^"]+)", "([^"]+)"\)/g)].map((m) => ({ category: m[1], message: m[2] }));
    const boundsCheck = multiChecks.find((c) => c.category === 'Bounds check');
    const boundsLines = [sourceLineOf(multiSource, 'if (to_slot >= SLOT_COUNT)'), sourceLineOf(multiSource, `"${boundsCheck.message}"`)];
    await workbench.startDebugging('Merged traps -O2');
    const mergedWidget = await workbench.waitForExceptionWidget().catch((e) => `(no exception widget: ${e.message})`);
    check(`Merged traps -O2: the exception widget names the check that fired ("${boundsCheck.message}")`, mergedWidget.includes(boundsCheck.message), mergedWidget.slice(0, 200));
    const mergedFrame = await workbench.focusedFrame();
    check(`Merged traps -O2: the focused frame is transfer() at verbose_trap_multi.c:${boundsLines.join(' or ')}`, /\btransfer\b/.test(mergedFrame.frame) && boundsLines.map(String).includes(mergedFrame.editorLine), `frame "${mergedFrame.frame}", editor line ${mergedFrame.editorLine}`);
    const firstOrigin = await workbench.waitForPaneRow('Trap Origins', /^1\./).then((r) => r.innerText(), () => '');
    const firstOriginText = firstOrigin.replace(/\s+/g, ' ');
    check(`Merged traps -O2: Trap Origins lists "${boundsCheck.category}: ${boundsCheck.message}" first, at its line, with its condition holding`,
      firstOriginText.includes(`${boundsCheck.category}: ${boundsCheck.message}`) && boundsLines.some((l) => firstOriginText.includes(`verbose_trap_multi.c:${l}`)) && /condition holds/.test(firstOriginText), firstOriginText);
    const siteRow = await workbench.waitForPaneRow('Trap Sites', /transfer/).then(() => true, () => false);
    check('Merged traps -O2: Trap Sites lists transfer()', siteRow, (await workbench.paneRows('Trap Sites')).join(' | '));
    await workbench.collapsePane('Trap Sites');
    await page.waitForTimeout(500);
    await workbench.screenshot(join(imagesDir, 'vscode-merged-trap-origins.png'));
    // The tree only renders the rows it has room for: fold the other views and the first origin's evidence.
    for (const title of ['Variables', 'Call Stack']) await workbench.collapsePane(title);
    const firstOriginRow = await workbench.waitForPaneRow('Trap Origins', /^1\./).catch(() => null);
    if (firstOriginRow && (await firstOriginRow.getAttribute('aria-expanded')) === 'true') await firstOriginRow.locator('.monaco-tl-twistie').click();
    await page.waitForTimeout(500);
    const originRows = (await workbench.paneRows('Trap Origins')).filter((r) => /^\d+\. /.test(r));
    check(`Merged traps -O2: Trap Origins ranks all ${multiChecks.length} checks of transfer(), the others below the one that fired`,
      originRows.length === multiChecks.length && multiChecks.every((c) => originRows.some((r) => r.includes(`${c.category}: ${c.message}`))) && originRows.slice(1).every((r) => !r.includes('condition holds')),
      originRows.join(' | '));
    for (const title of ['Variables', 'Call Stack']) await workbench.pane(title);
    await workbench.stopDebugging();

    // Attach through ${command:pickProcess} to the running service, then make it trap.
    // The trap is requested only once the adapter has answered configurationDone for the attach (per the DAP log),
    // so that a slow attach cannot let the service die of its SIGILL undebugged.
    const dapLog = join(workspace, 'dap.jsonl');
    const configurationDones = () => (existsSync(dapLog) ? readFileSync(dapLog, 'utf8').match(/"command":"configurationDone"/g)?.length ?? 0 : 0);
    const donesBefore = configurationDones();
    await workbench.startDebugging('Attach to service');
    await workbench.pickQuickInput('drain-now', `pid ${service.pid}`);
    const attachDeadline = Date.now() + 60_000;
    while (configurationDones() < donesBefore + 2 && Date.now() < attachDeadline) await page.waitForTimeout(250);
    check('Attach to service: the adapter attached and finished its configuration within 60 s', configurationDones() >= donesBefore + 2, `${configurationDones() - donesBefore} configurationDone messages`);
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 }).catch(() => {});
    writeFileSync(requestFile, 'go\n');
    const serviceWidget = await workbench.waitForExceptionWidget().catch((e) => `(no exception widget: ${e.message})`);
    check('Attach to service: the trap of the attached process is shown', serviceWidget.includes('request accepted while the service is draining'), serviceWidget);
    const serviceLine = sourceLineOf(serviceSource, 'CHECK_FAILED("State check"');
    const serviceFrame = await workbench.focusedFrame();
    check(`Attach to service: the focused frame is handle_request() at service.c:${serviceLine}`, /\bhandle_request\b/.test(serviceFrame.frame) && serviceFrame.editorLine === String(serviceLine), `frame "${serviceFrame.frame}", editor line ${serviceFrame.editorLine}`);
    await workbench.screenshot(join(imagesDir, 'vscode-attach-service.png'));
    await workbench.stopDebugging();

    // The program's output in the integrated terminal (runInTerminal), up to its last line before the crash, and a
    // Debug Console command at the stop.
    await workbench.startDebugging('Output in the terminal');
    const talkWidget = await workbench.waitForExceptionWidget().catch((e) => `(no exception widget: ${e.message})`);
    check('Output in the terminal: the crash is shown with its message', talkWidget.includes('the program crashed on purpose'), talkWidget);
    const terminalText = await workbench.waitForTerminalText(/last words before the crash/).catch((e) => e.message);
    check('Output in the terminal: the integrated terminal shows the program\'s output up to its last line before the crash',
      /hello from the program/.test(terminalText) && /last words before the crash/.test(terminalText), terminalText.slice(-300));
    await workbench.screenshot(join(imagesDir, 'vscode-integrated-terminal.png'));
    const talkLine = sourceLineOf(talkSource, '__builtin_verbose_trap(');
    const consoleRows = await workbench.debugConsole('`bt', /^#0 /).catch((e) => [e.message]);
    const frameRow = consoleRows.find((r) => /^#\d+ .* in main /.test(r)) ?? consoleRows.join(' | ');
    check(`Debug Console: \`bt lists main() at talk.c:${talkLine}`, frameRow.includes(`talk.c:${talkLine}`), frameRow);
    await workbench.screenshot(join(imagesDir, 'vscode-debug-console-command.png'));
    await workbench.stopDebugging();

    // A Rust Vec and Option in Variables: a line breakpoint set in the editor, the stop there, the locals as the user sees
    // them and the Vec's elements once expanded.
    const rustLine = sourceLineOf(rustSource, '// stop here');
    await workbench.openFileAt('values.rs', rustLine);
    await workbench.runCommand('Debug: Toggle Breakpoint', /^Debug: Toggle Breakpoint/);
    await workbench.startDebugging('Rust values');
    await workbench.waitForPause().catch(() => {});
    const rustFrame = await workbench.focusedFrame();
    check(`Rust values: the breakpoint stops main() at values.rs:${rustLine}`, /\bmain\b/.test(rustFrame.frame) && rustFrame.editorLine === String(rustLine),
      `frame "${rustFrame.frame}", editor line ${rustFrame.editorLine}`);
    for (const title of ['Trap Sites', 'Trap Origins', 'Call Stack']) await workbench.collapsePane(title);
    await workbench.expandPaneRow('Variables', /^numbers\b/).catch(() => {});
    await workbench.waitForPaneRow('Variables', /^\[2\]/).catch(() => {});
    const variableRows = await workbench.paneRows('Variables');
    // A row reads "name = value" (VS Code 1.100) or "name: value".
    const shows = (name, value) => (row) => row === `${name} = ${value}` || row === `${name}: ${value}`;
    const numbersAt = variableRows.findIndex(shows('numbers', 'size=3'));
    check('Rust values: Variables shows the Vec with its size and, expanded, its elements 1, 2, 3',
      numbersAt >= 0 && ['1', '2', '3'].every((v, i) => shows(`[${i}]`, v)(variableRows[numbersAt + 1 + i] ?? '')), variableRows.join(' | '));
    check('Rust values: Variables shows the Options as Some(5) and None',
      variableRows.some(shows('maybe', 'Some(5)')) && variableRows.some(shows('nothing', 'None')), variableRows.join(' | '));
    await workbench.screenshot(join(imagesDir, 'vscode-rust-values.png'));
    await workbench.stopDebugging();
    await workbench.runCommand('Debug: Remove All Breakpoints', /^Debug: Remove All Breakpoints/).catch(() => {});
    await workbench.pane('Call Stack');

    // Trap sites of a binary without a session.
    await workbench.runCommand('TrapDebugger: Show Trap Sites of a Binary', /Show Trap Sites of a Binary/);
    await workbench.answerFileDialog(join(bin, 'verbose_trap_multi_O2'));
    const binarySites = await workbench.waitForPaneRow('Trap Sites', /transfer/).then(() => true, () => false);
    check('Show Trap Sites of a Binary lists transfer() of verbose_trap_multi_O2', binarySites, (await workbench.paneRows('Trap Sites')).join(' | '));
    // Open transfer() and its merged site: one row per check that shares the ud2.
    await workbench.expandPaneRow('Trap Sites', /^transfer/).catch(() => {});
    await workbench.expandPaneRow('Trap Sites', /^Merged trap/).catch(() => {});
    await workbench.waitForPaneRow('Trap Sites', new RegExp(multiChecks[multiChecks.length - 1].message)).catch(() => {});
    const siteRows = await workbench.paneRows('Trap Sites');
    check(`Show Trap Sites of a Binary: the merged ud2 of transfer() lists its ${multiChecks.length} checks`, multiChecks.every((c) => siteRows.some((r) => r.includes(`${c.category}: ${c.message}`))), siteRows.join(' | '));
    // Clicking a check opens its source line.
    await workbench.runCommand('View: Close All Editors', /^View: Close All Editors/).catch(() => {});
    await workbench.waitForPaneRow('Trap Sites', new RegExp(`^${boundsCheck.category}: ${boundsCheck.message}`)).then((r) => r.click(), () => {});
    const openedTab = page.locator('.tabs-container .tab.active').filter({ hasText: 'verbose_trap_multi.c' });
    const opened = await openedTab.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
    await page.waitForTimeout(500);
    const openedLine = (await page.locator('.monaco-editor .line-numbers.active-line-number').first().innerText().catch(() => '')).trim();
    check(`Trap Sites: clicking "${boundsCheck.message}" opens verbose_trap_multi.c at line ${boundsLines.join(' or ')}`, opened && boundsLines.map(String).includes(openedLine), `editor line ${openedLine}`);
    await workbench.screenshot(join(imagesDir, 'vscode-binary-trap-sites.png'));

    const log = existsSync(join(workspace, 'dap.jsonl')) ? readFileSync(join(workspace, 'dap.jsonl'), 'utf8').trim().split('\n') : [];
    check('trapdbg.logFile records the DAP traffic as JSON lines', log.length > 0 && log.every((l) => JSON.parse(l).message !== undefined), `${log.length} lines`);
  }
} catch (e) {
  check('the UI test ran to the end', false, e.stack ?? String(e));
  if (workbench) await workbench.screenshot(join(scratch, 'failure.png')).catch(() => {});
  console.error(`failure screenshot: ${join(scratch, 'failure.png')}; server log: ${join(state, 'code-server.log')}`);
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}

printTotals();
if (failures.length > 0) {
  console.error(`${failures.length} UI check(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
if (!process.env.KEEP_UI_SCRATCH) rmSync(scratch, { recursive: true, force: true });
console.log(smoke ? 'UI smoke test passed (the adapter was not exercised).' : 'UI test passed.');
