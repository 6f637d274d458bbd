// Files chosen through the file picker, one per format and layout, then the
// hostile ones: KPI names that are markup or formulas, and files that are not
// spreadsheets at all. The fixtures and what they hold are described in
// tests/fixtures/make_fixtures.py (six months, Jan–Jun 2024: churn ends at
// 8.4 against <= 7.5, NPS at 74 against >= 70, revenue at 140,000 with no target).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FIXTURES,
  artifact,
  assertClean,
  download,
  foreignRequests,
  gridRow,
  gridRows,
  loadFixture,
  markRows,
  openPage,
  rebuiltRows,
  setTarget,
  settled,
  startSession,
  stats,
  waitForGrid,
  waitForOutcome,
} from './harness.mjs';

const CHURN = /^Monthly churn/;
const NPS = /^NPS/;
const REVENUE = /^Revenue/;

// name → whether the file carries targets (churn <= 7.5, NPS >= 70)
const FORMATS = [
  ['wide_rows.xlsx', true],
  ['wide_rows.xls', true],
  ['wide_columns.ods', false],
  ['wide_columns.csv', false],
  ['wide_columns.tsv', false],
  ['long.csv', true],
];

describe('each format through the file picker', { timeout: 180_000 }, () => {
  let session;
  let page;
  let log;

  before(async () => {
    session = await startSession();
    ({ page, log } = await openPage(session));
  });

  after(async () => {
    await session?.close();
  });

  for (const [fileName, hasTargets] of FORMATS) {
    test(fileName, async () => {
      assert.equal(await loadFixture(page, fileName), 'report', `the page read ${fileName}: ${await page.textContent('#error-banner')}`);
      const rows = await gridRows(page);
      assert.equal(rows.length, 3, `three KPIs in ${fileName}: ${rows.map((row) => row.name).join(', ')}`);
      const churn = await gridRow(page, CHURN);
      const nps = await gridRow(page, NPS);
      const revenue = await gridRow(page, REVENUE);
      assert.match(churn.latest, /^8\.4\s?%?$/);
      assert.match(nps.latest, /^74$/);
      assert.match(revenue.latest, /^\$?140,000$/);
      assert.equal(revenue.status, 'No target');
      if (hasTargets) {
        assert.equal(churn.status, 'Breached');
        assert.equal(churn.target, '<= 7.5');
        assert.notEqual(nps.status, 'Breached');
        assert.notEqual(nps.status, 'No target');
      } else {
        assert.equal(churn.status, 'No target');
      }
      const mapping = await page.textContent('#mapping');
      assert.match(mapping, /6 × monthly/);
      assert.match(mapping, /Jan 2024 – Jun 2024/);
    });
  }

  test('a file dropped on the page is analysed', async () => {
    const text = await readFile(join(FIXTURES, 'long.csv'), 'utf8');
    await page.evaluate((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], 'dropped.csv', { type: 'text/csv' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        window.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, text);
    assert.equal(await waitForOutcome(page, 'dropped.csv'), 'report');
    assert.equal((await gridRows(page)).length, 3);
    assert.equal(await page.evaluate(() => document.body.classList.contains('dragging')), false);
  });

  test('the layouts are named in the mapping bar', async () => {
    await loadFixture(page, 'long.csv');
    assert.match(await page.textContent('#mapping'), /Long table/);
    await loadFixture(page, 'wide_rows.xlsx');
    assert.match(await page.textContent('#mapping'), /One row per KPI/);
    await loadFixture(page, 'wide_columns.csv');
    assert.match(await page.textContent('#mapping'), /One column per KPI/);
  });

  test('no other origin, no console errors', async () => {
    assert.deepEqual(foreignRequests(log, session.server), []);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.pageErrors, []);
  });
});

describe('hostile KPI names', { timeout: 120_000 }, () => {
  let session;
  let page;
  let log;

  before(async () => {
    session = await startSession();
    ({ page, log } = await openPage(session));
  });

  after(async () => {
    await session?.close();
  });

  test('markup in a KPI name is shown as text and runs nothing', async () => {
    assert.equal(await loadFixture(page, 'html_names.csv'), 'report');
    const names = (await gridRows(page)).map((row) => row.name);
    assert.ok(names.includes('<img src=x onerror=alert(1)>'), `the name is shown verbatim: ${names.join(' | ')}`);
    assert.ok(names.includes('=HYPERLINK("x")'));
    assert.ok(names.includes('@SUM(A1)'));

    // Open every view that shows names.
    await page.click('.kpi-grid .kpi-name:text-is("<img src=x onerror=alert(1)>")');
    await page.locator('#detail').waitFor({ state: 'visible' });
    assert.equal(await page.textContent('#detail h2'), '<img src=x onerror=alert(1)>');
    await page.keyboard.press('Escape');
    await page.click('#tab-leadlag');
    await page.click('#tab-suggestions');
    await page.click('#tab-grid');
    await page.waitForTimeout(300); // time for an injected onerror to fire, were there one

    assert.equal(await page.locator('img').count(), 0, 'no element was created from the name');
    assert.deepEqual(log.dialogs, [], 'no script ran');
    assert.deepEqual(log.pageErrors, []);
    await page.screenshot({ path: artifact('desktop-hostile-names.png'), fullPage: true });
  });

  test('a formula-like KPI name is escaped in the CSV export', async () => {
    const before = await stats(page);
    const rowCount = await markRows(page);
    // Give the formula-named KPI (NPS values, 72 … 74) a target it breaks, so it gets a key result.
    await setTarget(page, '=HYPERLINK("x")', '>= 80');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === '=HYPERLINK("x")')?.status === 'Breached', {
      what: 'the formula-named KPI to breach',
    });
    await settled(page);
    assert.equal((await stats(page)).open, before.open, 'the edit did not re-open the file');
    assert.deepEqual(await rebuiltRows(page), { rows: rowCount, rebuilt: ['=HYPERLINK("x")'] }, 'only the edited row was built again');
    await page.click('#tab-suggestions');
    const csv = await download(page, '[data-export="csv"]');
    assert.match(csv.text, /'=HYPERLINK\(""x""\)/, `the name is prefixed with ': ${csv.text}`);
    for (const line of csv.text.split('\n')) {
      for (const cell of line.split(',')) assert.doesNotMatch(cell, /^"?[=+@]/, `an unescaped cell: ${cell}`);
    }
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(log.dialogs, []);
  });
});

describe('files that are not spreadsheets', { timeout: 120_000 }, () => {
  let session;
  let page;
  let log;

  before(async () => {
    session = await startSession();
    ({ page, log } = await openPage(session));
  });

  after(async () => {
    await session?.close();
  });

  test('a bad first file shows a clear error and the page is ready for the next', async () => {
    assert.equal(await loadFixture(page, 'truncated.xlsx'), 'error');
    const banner = page.locator('#error-banner');
    assert.equal(await banner.isVisible(), true);
    assert.match(await banner.locator('.error-title').textContent(), /truncated\.xlsx/);
    const message = await banner.locator('.error-message').textContent();
    assert.ok(message.trim().length > 10, `the engine says what went wrong: "${message}"`);
    assert.equal(await page.isVisible('#drop-zone'), true, 'the drop zone is there for the next file');
    assert.equal(await page.isVisible('.kpi-grid'), false, 'nothing was analysed yet');
    await page.screenshot({ path: artifact('desktop-error-truncated-xlsx.png') });
    assert.equal(await loadFixture(page, 'wide_columns.csv'), 'report');
    assert.equal(await banner.isVisible(), false, 'the error is gone');
    assert.equal((await gridRows(page)).length, 3);
  });

  for (const bad of ['truncated.xlsx', 'random.bin']) {
    test(`${bad} after a good file keeps the good analysis, still editable`, async () => {
      assert.equal(await loadFixture(page, 'wide_rows.xlsx'), 'report');
      const before = await gridRows(page);
      assert.equal(await loadFixture(page, bad), 'error');
      const banner = page.locator('#error-banner');
      assert.match(await banner.locator('.error-title').textContent(), new RegExp(bad.replace('.', '\\.')));
      assert.match(await banner.locator('.error-hint').textContent(), /analysis of wide_rows\.xlsx is still here/);
      assert.deepEqual(await gridRows(page), before, 'the good analysis stays on screen');
      assert.equal(await page.textContent('#mapping .file-name'), 'wide_rows.xlsx');
      await page.screenshot({ path: artifact(`desktop-error-kept-${bad.replace(/\W/g, '-')}.png`) });
      // And it is still the live session: an edit works on it.
      await setTarget(page, 'Revenue', '>= 1000000');
      await waitForGrid(page, (rows) => rows.find((row) => REVENUE.test(row.name))?.status === 'Breached', {
        what: 'Revenue to breach its new target',
      });
      await settled(page);
      assert.equal(await loadFixture(page, 'long.csv'), 'report', 'the next file works');
    });
  }

  test('a file over 80 MB is refused before it is read, and the analysis stays', async () => {
    await loadFixture(page, 'wide_rows.xlsx');
    const before = await stats(page);
    // 90,000,000 bytes of nothing: the size alone decides, the bytes are never read.
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(90_000_000)], 'huge.csv', { type: 'text/csv' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    assert.equal(await waitForOutcome(page, 'huge.csv'), 'error');
    assert.equal(await page.textContent('#error-banner .error-message'), "'huge.csv' is 90.0 MB; kpilot reads files up to 80 MB");
    const after = await stats(page);
    assert.equal(after.open, before.open + 1);
    assert.equal(after.progress, before.progress, 'refused at once: the worker never said it was reading the file');
    assert.equal(await page.isVisible('.kpi-grid'), true, 'the previous analysis stays');
    assert.equal(await page.isVisible('#error-check'), false, 'nothing to correct in a file too large');
    assert.equal(await loadFixture(page, 'long.csv'), 'report', 'the next file works');
  });

  test('a bad period is reported with where it is, and the reading can be checked', async () => {
    assert.equal(await loadFixture(page, 'bad_period.csv'), 'error');
    assert.match(await page.textContent('#error-banner .error-message'), /abc/);
    // The error offers the preview of the file, to point at its parts.
    await page.click('#error-check');
    await page.locator('#check-panel .preview-table').waitFor();
    assert.match(await page.textContent('#check-panel .check-failure'), /abc/);
    assert.ok((await page.locator('#check-panel .preview-table tbody tr').count()) > 2, 'the rows of the file are shown');
    await page.screenshot({ path: artifact('desktop-error-check-bad-period.png'), fullPage: true });
  });

  test('no console errors from the failures', async () => {
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(foreignRequests(log, session.server), []);
  });
});

describe('a sheet of many KPIs', { timeout: 180_000 }, () => {
  let session;

  before(async () => {
    session = await startSession();
  });

  after(async () => {
    await session?.close();
  });

  /** 300 KPIs over 24 months, each a deterministic walk; every third has a target it misses. */
  function manyKpis(count = 300, months = 24) {
    const header = ['Month', ...Array.from({ length: count }, (_, k) => `KPI ${String(k + 1).padStart(3, '0')}${k % 3 === 0 ? ' (>= 1000)' : ''}`)];
    const lines = [header.join(',')];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const levels = Array.from({ length: count }, (_, k) => 100 + k);
    for (let month = 0; month < months; month += 1) {
      const label = `${2023 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
      for (let k = 0; k < count; k += 1) levels[k] += next() * 4 - 2;
      lines.push([label, ...levels.map((value) => value.toFixed(2))].join(','));
    }
    return Buffer.from(`${lines.join('\n')}\n`);
  }

  test('its grid fills a task at a time: every row arrives, in its place, and no task holds the page', async () => {
    const { page, log } = await openPage(session);
    await page.evaluate(() => {
      window.__longTasks.length = 0;
    });
    await page.setInputFiles('#file-input', { name: 'many-kpis.csv', mimeType: 'text/csv', buffer: manyKpis() });
    assert.equal(await waitForOutcome(page, 'many-kpis.csv', { timeout: 120_000 }), 'report');
    const rows = await gridRows(page);
    assert.equal(rows.length, 300, 'every KPI has its row');
    assert.equal(new Set(rows.map((row) => row.name)).size, 300, 'each once');
    // Sorted by status first (the default): the 100 KPIs that miss their target come first.
    assert.ok(rows.slice(0, 100).every((row) => row.status === 'Breached'), rows.slice(0, 100).map((row) => row.status).join());
    assert.ok(rows.slice(100).every((row) => row.status !== 'Breached'));
    assert.equal(await page.getAttribute('.kpi-grid', 'aria-busy'), null, 'the table no longer says it is busy');
    assert.equal(await page.textContent('.grid-count'), '300 KPIs');
    const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks.map((task) => task.duration))));
    assert.ok(longest < 200, `the main thread was held for ${longest} ms`);
    // Searching re-arranges the whole grid, past rows never built before.
    await page.fill('#grid-search', 'KPI 29');
    await waitForGrid(page, (shown) => shown.length === 10 && shown.every((row) => row.name.startsWith('KPI 29')), { what: 'KPI 290–299' });
    await assertClean(page, log, session.server);
  });
});
