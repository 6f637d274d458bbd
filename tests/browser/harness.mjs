// Shared set-up for the browser tests: a static server on a free port, Debian's
// Chromium through playwright-core, and a page that records what a test must
// check afterwards (requests, console errors, dialogs, CSP violations, long
// tasks on the main thread). Not a test file itself.

import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
export const WWW = join(ROOT, 'www');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.KPILOT_CHROMIUM ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** The widths every view is looked at in (with the height of a common screen). */
export const WIDTHS = [
  { name: 'wide', width: 1440, height: 900 },
  { name: 'laptop', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
];

/** Fails with a message that says what to do when the page has not been built. */
export function requireBuiltPage() {
  const needed = ['pkg/kpilot.js', 'pkg/kpilot_bg.wasm', 'vendor/uPlot.esm.js', 'vendor/uPlot.min.css', 'sample.xlsx'];
  const missing = needed.filter((path) => !existsSync(join(WWW, path)));
  if (missing.length > 0) {
    throw new Error(
      `The page is not built: www/${missing.join(', www/')} missing. Run scripts/build-web.sh first ` +
        '(it builds the wasm engine into www/pkg, copies uPlot into www/vendor and writes www/sample.xlsx).',
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set KPILOT_CHROMIUM.`);
  }
}

/** Starts the server and the browser; `close()` stops both. */
export async function startSession() {
  requireBuiltPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer({ root: WWW, port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

// Runs in the page before any of its scripts: long tasks and CSP violations.
function instrument() {
  window.__longTasks = [];
  window.__cspViolations = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ duration: entry.duration, start: entry.startTime });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    window.__longTasks = null; // not supported: the test says so
  }
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
}

/**
 * A fresh context and page at the server's root. Returns `{page, context, log}`;
 * `log` collects requests, console errors, page errors and dialogs.
 */
export async function openPage(session, { viewport = DESKTOP, deviceScaleFactor = 1, colorScheme = 'light', context: existing = null } = {}) {
  const context = existing ?? (await session.browser.newContext({ viewport, deviceScaleFactor, colorScheme, acceptDownloads: true, locale: 'en-US' }));
  const log = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  context.on('request', (request) => log.requests.push(request.url()));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') log.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('dialog', async (dialog) => {
    log.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(instrument);
  await page.goto(session.server.url);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  return { page, context, log };
}

/** Requests that left the page's own origin (data: and blob: URLs stay in the page). */
export function foreignRequests(log, server) {
  const origin = new URL(server.url).origin;
  return log.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
}

/** Waits until the page shows the analysis of `fileName`, or its error; returns which. */
export async function waitForOutcome(page, fileName, { timeout = 30_000 } = {}) {
  const handle = await page.waitForFunction(
    (name) => {
      const banner = document.getElementById('error-banner');
      if (!banner.hidden && banner.textContent.includes(name)) return 'error';
      const results = document.getElementById('results');
      const shown = document.querySelector('#mapping .file-name')?.textContent;
      // (Every row in: a long grid is filled a task at a time.)
      const filling = document.querySelector('.kpi-grid[aria-busy="true"]');
      if (!results.hidden && shown === name && document.getElementById('progress').hidden && !filling) return 'report';
      return false;
    },
    fileName,
    { timeout },
  );
  return handle.jsonValue();
}

/** Clicks "Try the sample" and waits for its analysis. */
export async function loadSample(page) {
  // The button is on the landing; with an analysis on screen it is clicked from script.
  if (await page.isVisible('[data-action="try-sample"]')) await page.click('[data-action="try-sample"]');
  else await page.evaluate(() => document.querySelector('[data-action="try-sample"]').click());
  const outcome = await waitForOutcome(page, 'kpilot-sample.xlsx');
  if (outcome !== 'report') throw new Error(`the sample did not load: ${await page.textContent('#error-banner')}`);
}

/** Gives a fixture to the file input, as a person choosing it would; returns 'report' or 'error'. */
export async function loadFixture(page, name) {
  await page.setInputFiles('#file-input', join(FIXTURES, name));
  return waitForOutcome(page, name);
}

/** The grid as a person reads it: name, status word, latest value text, forecast. */
export function gridRows(page) {
  return page.$$eval('.kpi-grid tr[data-kpi-index]', (rows) =>
    rows.map((row) => ({
      name: row.querySelector('.kpi-name')?.textContent ?? '',
      status: row.querySelector('.status-word')?.textContent ?? '',
      latest: row.querySelector('.latest')?.textContent ?? '',
      trend: row.querySelector('.trend')?.textContent ?? '',
      forecast: row.querySelector('.forecast')?.textContent ?? '',
      target: row.querySelector('.target-input')?.value ?? '',
      direction: row.querySelector('.direction-select')?.value ?? '',
    })),
  );
}

/** The row of the KPI whose name matches `pattern` (a RegExp or exact text). */
export async function gridRow(page, pattern) {
  const rows = await gridRows(page);
  const row = rows.find((candidate) => (pattern instanceof RegExp ? pattern.test(candidate.name) : candidate.name === pattern));
  if (!row) throw new Error(`no grid row matches ${pattern}; rows: ${rows.map((candidate) => candidate.name).join(', ')}`);
  return row;
}

/** The page's request counters (`window.__kpilotStats`, kept by engine.js). */
export function stats(page) {
  return page.evaluate(() => ({ ...window.__kpilotStats }));
}

/** Waits until the page has no request to the engine in flight. */
export async function settled(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(() => window.__kpilotStats?.pending === 0, null, { timeout });
}

/** Types a target into the grid for `kpi` and presses Enter. */
export async function setTarget(page, kpi, text) {
  const input = page.locator(`input.target-input[aria-label="Target for ${kpi.replace(/"/g, '\\"')}"]`);
  await input.fill(text);
  await input.press('Enter');
}

/**
 * The left edge of every column of the grid, in px: the header's and each
 * row's (rows built but not yet on screen included).
 */
export function columnEdges(page) {
  return page.evaluate(() => {
    const edges = (row) => [...row.children].map((cell) => Math.round(cell.getBoundingClientRect().left));
    return {
      head: edges(document.querySelector('.kpi-grid thead tr')),
      rows: [...document.querySelectorAll('.kpi-grid tr[data-kpi-index]')].map(edges),
    };
  });
}

/**
 * Marks every grid row (a property on the DOM node, which a rebuilt row does
 * not have), so `rebuiltRows` can tell afterwards which rows were replaced.
 */
export function markRows(page) {
  return page.$$eval('.kpi-grid tr[data-kpi-index]', (rows) => {
    for (const row of rows) row.__kpilotMark = true;
    return rows.length;
  });
}

/** The names of the grid rows built since `markRows`, and how many rows there are. */
export function rebuiltRows(page) {
  return page.$$eval('.kpi-grid tr[data-kpi-index]', (rows) => ({
    rows: rows.length,
    rebuilt: rows.filter((row) => !row.__kpilotMark).map((row) => row.dataset.kpi),
  }));
}

/** The focused element: its aria-label, tag and whether it is inside the grid. */
export function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    return { label: element?.getAttribute('aria-label') ?? null, tag: element?.tagName.toLowerCase() ?? null, inGrid: Boolean(element?.closest('.kpi-grid')) };
  });
}

/** Waits until `predicate(rows)` holds for the grid rows (evaluated in Node). */
export async function waitForGrid(page, predicate, { timeout = 15_000, what = 'the grid to change' } = {}) {
  const deadline = Date.now() + timeout;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await gridRows(page);
    if (predicate(rows)) return rows;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; grid: ${JSON.stringify(rows)}`);
}

/** Clicks an export button and returns the downloaded file's name, text, bytes and path. */
export async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await file.path();
  const bytes = await readFile(path);
  return { name: file.suggestedFilename(), text: bytes.toString('utf8'), bytes, path };
}

/** Every check each test ends with: nothing left the page's origin, nothing failed. */
export async function assertClean(page, log, server) {
  const { deepEqual } = await import('node:assert/strict');
  deepEqual(foreignRequests(log, server), [], 'no request left the page\'s origin');
  deepEqual(log.consoleErrors, [], 'no console errors');
  deepEqual(log.pageErrors, [], 'no page errors');
  deepEqual(await page.evaluate(() => window.__cspViolations ?? []), [], 'no policy violations');
}

/** The sideways overflow of the page in px (0: none). */
export function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export function artifact(name) {
  return join(ARTIFACTS, name);
}
