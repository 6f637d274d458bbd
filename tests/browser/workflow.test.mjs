// The page as a working tool, driven as a person would: a doubtful file
// shows its doubts and a preview first and its reading can be corrected;
// the grid sorts, filters, searches, groups and re-sorts on request; edits
// are undone and redone; the file and its edits survive a reload until
// forgotten; targets saved as a metadata sheet come back with the data
// file; the HTML report reads without script; print shows every section;
// the page works offline once it has loaded. Every test ends with the same
// checks: nothing left the page's origin, nothing failed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP,
  artifact,
  assertClean,
  download,
  foreignRequests,
  gridRow,
  gridRows,
  loadFixture,
  loadSample,
  openPage,
  setTarget,
  settled,
  startSession,
  waitForGrid,
  waitForOutcome,
} from './harness.mjs';

/** The edits kept in this browser for every file, read from IndexedDB. */
function keptFiles(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const request = indexedDB.open('kpilot', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('files', { keyPath: 'id' });
        request.onsuccess = () => {
          const all = request.result.transaction('files').objectStore('files').getAll();
          all.onsuccess = () => resolve(all.result.map(({ name, edits }) => ({ name, edits })));
          all.onerror = () => resolve([]);
        };
        request.onerror = () => resolve([]);
      }),
  );
}

async function waitForKept(page, predicate, what) {
  const deadline = Date.now() + 10_000;
  let files = [];
  while (Date.now() < deadline) {
    files = await keptFiles(page);
    if (predicate(files)) return files;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; kept: ${JSON.stringify(files)}`);
}

describe('checking how a file was read', { timeout: 180_000 }, () => {
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

  test('a doubtful file shows its doubts and the preview first, before the grid', async () => {
    assert.equal(await loadFixture(page, 'doubtful_generic_names.csv'), 'report');
    const check = page.locator('#check-panel');
    await check.locator('.preview-table').waitFor();
    const first = await page.evaluate(() => {
      const panel = document.getElementById('check-panel');
      const grid = document.querySelector('.kpi-grid');
      return Boolean(panel.compareDocumentPosition(grid) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(first, 'the check comes before the grid');
    const text = await check.textContent();
    assert.match(text, /not sure it read this file right/);
    assert.match(text, /no name of their own/, "the engine's doubts are listed");
    assert.match(await page.textContent('#mapping'), /reading doubtful/);
    const columns = await check.locator('thead th.column-letter').evaluateAll((cells) => cells.map((cell) => cell.className));
    assert.match(columns[0], /part-periods/, `column A holds the periods: ${JSON.stringify(columns)}`);
    assert.match(await check.locator('tbody tr[data-row="1"]').getAttribute('class'), /part-header/);
    await page.screenshot({ path: artifact('workflow-check-doubtful.png'), fullPage: true });
  });

  test('codes that look like years are left out; choosing them as the periods is doubted, choosing the months back is sure', async () => {
    assert.equal(await loadFixture(page, 'doubtful_codes_as_years.csv'), 'report');
    // Read right at once: monthly over the Month column, the codes left out and said so.
    assert.match(await page.textContent('#mapping'), /24 × monthly/);
    assert.doesNotMatch(await page.textContent('#mapping'), /reading doubtful|worth a check/);
    assert.equal(await page.isVisible('#check-panel'), false, 'a sure reading does not stop the person');
    const rows = await gridRows(page);
    assert.deepEqual(rows.map((row) => row.name).sort(), ['Churn %', 'Signups', 'Tickets']);

    // The person opens the check anyway and picks the code column as the periods.
    await page.click('#check-open');
    const check = page.locator('#check-panel');
    await check.locator('.preview-table').waitFor();
    await page.selectOption('#map-period-column', 'A');
    await page.waitForFunction(() => /yearly/.test(document.getElementById('mapping').textContent));
    await settled(page);
    await page.waitForFunction(() => /span 69 years/.test(document.getElementById('check-panel').textContent));
    assert.match(await page.textContent('#mapping'), /reading doubtful/);
    await page.waitForFunction(() => /part-periods/.test(document.querySelectorAll('#check-panel thead th.column-letter')[0]?.className ?? ''));
    await page.screenshot({ path: artifact('workflow-check-codes-as-periods.png'), fullPage: true });

    // Back to the months: the reading is sure again.
    await page.selectOption('#map-period-column', 'B');
    await page.waitForFunction(() => /24 × monthly/.test(document.getElementById('mapping').textContent));
    await settled(page);
    assert.deepEqual((await gridRows(page)).map((row) => row.name).sort(), ['Churn %', 'Signups', 'Tickets']);
    assert.match(await page.textContent('#mapping'), /Jan 2023 – Dec 2024/);
    assert.doesNotMatch(await page.textContent('#mapping'), /reading doubtful|worth a check/, 'the reading is sure now');
    await page.waitForFunction(() => /part-periods/.test(document.querySelectorAll('#check-panel thead th.column-letter')[1]?.className ?? ''));
    await page.screenshot({ path: artifact('workflow-check-fixed.png'), fullPage: true });
    await page.click('#check-close');
    assert.equal(await page.isVisible('#check-panel'), false);
  });

  test('a reading worth a check can be accepted, and opened again on demand', async () => {
    assert.equal(await loadFixture(page, 'doubtful_months_without_year.csv'), 'report');
    const check = page.locator('#check-panel');
    await check.locator('.preview-table').waitFor();
    assert.match(await check.textContent(), /worth a check/);
    assert.match(await check.textContent(), /no year/);
    await page.click('#check-accept');
    assert.equal(await check.isVisible(), false);
    assert.match(await page.textContent('#headline'), /KPIs/);
    // The reading line opens it again.
    await page.click('#check-open');
    await check.locator('.preview-table').waitFor();
    assert.equal((await page.locator('#map-period-row, #map-period-column').count()) > 0, true);
    await page.click('#check-open');
    assert.equal(await check.isVisible(), false);
  });

  test('KPIs can be left out from the check', async () => {
    assert.equal(await loadFixture(page, 'doubtful_generic_names.csv'), 'report');
    const check = page.locator('#check-panel');
    await check.locator('.exclude-item').first().waitFor();
    await check.locator('.exclude-item', { hasText: 'Column D' }).locator('input').check();
    await waitForGrid(page, (rows) => rows.length === 2 && !rows.some((row) => row.name === 'Column D'), { what: 'Column D to be left out' });
    await settled(page);
    await check.locator('#map-reset').click();
    await waitForGrid(page, (rows) => rows.length === 3, { what: 'the detected reading again' });
  });

  test('an assumed direction asks which way is better and never says better or worse', async () => {
    await settled(page);
    const rows = await gridRows(page);
    assert.ok(rows.every((row) => row.direction === ''), `no direction chosen: ${JSON.stringify(rows)}`);
    const options = await page.locator('.direction-select').first().locator('option').allTextContents();
    assert.equal(options[0], 'Choose…');
    assert.equal(await page.locator('.kpi-grid .tone-word').count(), 0, 'no better/worse on an assumed direction');
    assert.ok(rows.every((row) => !/Improving|Worsening/.test(row.trend)), `trends only rise or fall: ${rows.map((row) => row.trend)}`);
    await page.click('.kpi-grid .kpi-name:text-is("Column B")');
    await page.locator('#detail .ask-direction').waitFor();
    assert.doesNotMatch(await page.textContent('#detail .sentences'), /getting worse|an improvement/);
    await page.click('#detail .ask-direction button:text-is("Higher is better")');
    await page.waitForFunction(() => document.querySelector('tr[data-kpi="Column B"] .direction-select')?.value === 'higher_is_better');
    await settled(page);
    await page.keyboard.press('Escape');
    assert.equal((await gridRow(page, 'Column B')).direction, 'higher_is_better');
  });

  test('nothing left the page, nothing failed', async () => {
    await assertClean(page, log, session.server);
  });
});

describe('working the grid', { timeout: 180_000 }, () => {
  let session;
  let page;
  let log;

  before(async () => {
    session = await startSession();
    ({ page, log } = await openPage(session));
    await loadSample(page);
  });

  after(async () => {
    await session?.close();
  });

  test('the answer comes first: a headline, then the chips, then the grid', async () => {
    const headline = await page.textContent('#headline');
    assert.match(headline, /^\d+ of 12 KPIs are breached — .+ need a key result\./);
    assert.match(headline, /Page load time/);
    const order = await page.evaluate(() => ['headline', 'summary', 'mapping', 'panel-grid'].map((id) => document.getElementById(id).getBoundingClientRect().top));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'headline, chips, the reading line, then the grid');
  });

  test('sort by any column, both ways', async () => {
    await page.click('.kpi-grid th .sort[data-sort="kpi"]');
    let names = (await gridRows(page)).map((row) => row.name);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
    assert.equal(await page.getAttribute('.kpi-grid th.col-kpi', 'aria-sort'), 'ascending');
    await page.click('.kpi-grid th .sort[data-sort="kpi"]');
    names = (await gridRows(page)).map((row) => row.name);
    assert.deepEqual(names, [...names].sort((a, b) => b.localeCompare(a)));
    assert.equal(await page.getAttribute('.kpi-grid th.col-kpi', 'aria-sort'), 'descending');
    for (const key of ['latest', 'change', 'trend', 'forecast', 'target', 'direction']) {
      await page.click(`.kpi-grid th .sort[data-sort="${key}"]`);
      assert.equal((await gridRows(page)).length, 12, `sorting by ${key} keeps every KPI`);
    }
    await page.click('.kpi-grid th .sort[data-sort="status"]');
    assert.deepEqual((await gridRows(page)).slice(0, 2).map((row) => row.status), ['Breached', 'Breached']);
  });

  test('the chips filter by status, the search box by name', async () => {
    await page.click('#summary .chip.health-breached');
    let rows = await gridRows(page);
    assert.ok(rows.length >= 1 && rows.every((row) => row.status === 'Breached'), JSON.stringify(rows));
    assert.equal(await page.getAttribute('#summary .chip.health-breached', 'aria-pressed'), 'true');
    assert.match(await page.textContent('.grid-count'), new RegExp(`Showing ${rows.length} of 12`));
    await page.click('#summary .chip.health-breached');
    assert.equal((await gridRows(page)).length, 12);

    await page.fill('#grid-search', 'churn');
    rows = await gridRows(page);
    assert.deepEqual(rows.map((row) => row.name), ['Monthly churn']);
    await page.fill('#grid-search', 'support'); // a department matches too
    assert.ok((await gridRows(page)).length >= 1);
    await page.fill('#grid-search', '');
    assert.equal((await gridRows(page)).length, 12);
  });

  test('group by department', async () => {
    await page.selectOption('#grid-group', 'department');
    const groups = await page.locator('.kpi-grid tbody.group').evaluateAll((bodies) => bodies.map((body) => body.dataset.group));
    assert.deepEqual([...groups].sort(), ['Finance', 'Marketing', 'Product', 'Sales', 'Support']);
    assert.equal((await gridRows(page)).length, 12, 'every KPI is in a group');
    assert.match(await page.textContent('.kpi-grid tbody.group .group-head'), /KPIs? ·/);
    await page.screenshot({ path: artifact('workflow-grid-grouped.png'), fullPage: true });
    await page.selectOption('#grid-group', '');
    assert.equal(await page.locator('.kpi-grid tbody.group').count(), 0);
  });

  test('an edit does not move rows under the cursor; "Re-sort" does', async () => {
    const order = (await gridRows(page)).map((row) => row.name);
    assert.equal(await page.isVisible('#grid-resort'), false);
    await setTarget(page, 'Website visitors', '>= 70000');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Website visitors')?.status === 'Breached', { what: 'Website visitors to breach' });
    await settled(page);
    assert.deepEqual((await gridRows(page)).map((row) => row.name), order, 'the rows stay where they were');
    assert.equal(await page.isVisible('#grid-resort'), true, 're-sorting is offered');
    await page.click('#grid-resort');
    const resorted = (await gridRows(page)).map((row) => row.name);
    assert.ok(resorted.indexOf('Website visitors') < order.indexOf('Website visitors'), `it moved up among the breached: ${resorted}`);
    assert.equal(await page.isVisible('#grid-resort'), false);
  });

  test('undo and redo an edit, by button and by keyboard', async () => {
    assert.equal(await page.isEnabled('#undo'), true);
    await page.click('#undo');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Website visitors')?.status === 'No target', { what: 'the undo' });
    await settled(page);
    assert.equal((await gridRow(page, 'Website visitors')).target, '');
    assert.equal(await page.isEnabled('#redo'), true);
    await page.click('#redo');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Website visitors')?.target === '>= 70000', { what: 'the redo' });
    await settled(page);

    // A direction flip, undone with Ctrl+Z: back to the metadata's direction.
    await page.selectOption('select[aria-label^="Direction for NPS"]', 'lower_is_better');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'NPS')?.direction === 'lower_is_better', { what: 'the flip' });
    await settled(page);
    await page.locator('#headline').click(); // focus out of the select: Ctrl+Z is the page's, not the field's
    await page.keyboard.press('Control+z');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'NPS')?.direction === 'higher_is_better', { what: 'the undone flip' });
    await settled(page);
    assert.doesNotMatch(await page.textContent('tr[data-kpi="NPS"] .direction'), /set by you/, 'the direction is the file\'s again');
    await page.click('#undo');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Website visitors')?.status === 'No target', { what: 'the last undo' });
    await settled(page);
    assert.equal(await page.isEnabled('#undo'), false, 'nothing left to undo');
  });

  test('nothing left the page, nothing failed', async () => {
    await assertClean(page, log, session.server);
  });
});

describe('nothing lost', { timeout: 240_000 }, () => {
  let session;

  before(async () => {
    session = await startSession();
  });

  after(async () => {
    await session?.close();
  });

  test('a reload restores the last file and its edits; "Forget" clears them', async () => {
    const { page, log } = await openPage(session);
    await loadSample(page);
    await setTarget(page, 'Website visitors', '>= 70000');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Website visitors')?.status === 'Breached', { what: 'the edit' });
    await settled(page);
    await waitForKept(page, (files) => files.some((file) => file.edits?.length === 1), 'the edit to be kept');

    await page.reload();
    await page.waitForFunction(() => document.body.classList.contains('ready'));
    assert.equal(await waitForOutcome(page, 'kpilot-sample.xlsx'), 'report');
    await page.waitForFunction(() => !document.getElementById('restored-note').hidden);
    assert.match(await page.textContent('#restored-note'), /with your 1 edit/);
    const restored = await gridRow(page, 'Website visitors');
    assert.equal(restored.target, '>= 70000');
    assert.equal(restored.status, 'Breached');
    await page.screenshot({ path: artifact('workflow-restored.png') });

    await page.click('#forget-file');
    await waitForKept(page, (files) => files.length === 0, 'the file to be forgotten');
    await page.reload();
    await page.waitForFunction(() => document.body.classList.contains('ready'));
    await page.waitForTimeout(300);
    assert.equal(await page.isVisible('#landing'), true, 'nothing comes back');
    assert.equal(await page.isVisible('#recent-files'), false);
    await assertClean(page, log, session.server);
    await page.context().close();
  });

  test('the kept files can be opened again and forgotten one by one', async () => {
    const { page, log } = await openPage(session);
    await loadFixture(page, 'wide_rows.xlsx');
    await loadSample(page);
    await waitForKept(page, (files) => files.length === 2, 'two kept files');
    await page.click('#kept-menu summary');
    const listed = await page.locator('#kept-menu .recent-open').allTextContents();
    assert.deepEqual(listed, ['kpilot-sample.xlsx', 'wide_rows.xlsx'], 'newest first');
    await page.click('#kept-menu .recent-open:text-is("wide_rows.xlsx")');
    assert.equal(await waitForOutcome(page, 'wide_rows.xlsx'), 'report');
    await page.click('#kept-menu summary');
    await page.click('#kept-menu .recent-forget[aria-label="Forget kpilot-sample.xlsx"]');
    await waitForKept(page, (files) => files.length === 1 && files[0].name === 'wide_rows.xlsx', 'the sample to be forgotten');
    await page.click('#forget-file');
    await waitForKept(page, (files) => files.length === 0, 'nothing kept');
    assert.match(await page.textContent('#results-toolbar .kept'), /Not kept in this browser/);
    await assertClean(page, log, session.server);
    await page.context().close();
  });

  test('targets saved as a metadata sheet (CSV, XLSX) give the same targets when loaded with the data file', async () => {
    const { page, log } = await openPage(session);
    await loadSample(page);
    await setTarget(page, 'Website visitors', '>= 70000');
    await setTarget(page, 'Monthly churn', '<= 9');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'Monthly churn')?.target === '<= 9', { what: 'the edits' });
    await page.selectOption('select[aria-label^="Direction for NPS"]', 'lower_is_better');
    await waitForGrid(page, (rows) => rows.find((row) => row.name === 'NPS')?.direction === 'lower_is_better', { what: 'the flip' });
    await settled(page);
    const edited = (await gridRows(page)).map(({ name, target, direction }) => ({ name, target, direction })).sort((a, b) => a.name.localeCompare(b.name));
    const csv = await download(page, '#save-targets-csv');
    assert.equal(csv.name, 'kpilot-sample-targets.csv');
    assert.match(csv.text, /^KPI,Target,Direction,Unit,Owner,Department,Focus\n/);
    const xlsx = await download(page, '#save-targets-xlsx');
    assert.equal(xlsx.name, 'kpilot-sample-targets.xlsx');
    assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK');
    await assertClean(page, log, session.server);
    await page.context().close();

    for (const sheet of [csv, xlsx]) {
      const fresh = await openPage(session);
      await loadSample(fresh.page);
      const plain = (await gridRows(fresh.page)).map(({ name, target, direction }) => ({ name, target, direction })).sort((a, b) => a.name.localeCompare(b.name));
      assert.notDeepEqual(plain, edited, 'the sample as shipped differs');
      await fresh.page.setInputFiles('#targets-input', {
        name: sheet.name,
        mimeType: sheet.name.endsWith('.csv') ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: sheet.bytes,
      });
      await fresh.page.waitForFunction((name) => document.getElementById('mapping').textContent.includes(`targets from ${name}`), sheet.name);
      await settled(fresh.page);
      const loaded = (await gridRows(fresh.page)).map(({ name, target, direction }) => ({ name, target, direction })).sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(loaded, edited, `${sheet.name} gives the same targets and directions`);
      await assertClean(fresh.page, fresh.log, session.server);
      await fresh.context.close();
    }
  });
});

describe('sharing and printing', { timeout: 180_000 }, () => {
  let session;
  let page;
  let log;

  before(async () => {
    session = await startSession();
    ({ page, log } = await openPage(session, { viewport: DESKTOP }));
    await loadSample(page);
  });

  after(async () => {
    await session?.close();
  });

  test('the HTML report opens in a fresh page without JavaScript and shows every KPI\'s status', async () => {
    const statuses = Object.fromEntries((await gridRows(page)).map((row) => [row.name, row.status]));
    const report = await download(page, '#download-html');
    assert.equal(report.name, 'kpilot-sample-kpilot-report.html');
    assert.doesNotMatch(report.text, /<script/i);
    const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
    const requests = [];
    context.on('request', (request) => requests.push(request.url()));
    const reader = await context.newPage();
    await reader.setContent(report.text, { waitUntil: 'load' });
    const shown = await reader.$$eval('table.grid tbody tr', (rows) =>
      rows.map((row) => [row.querySelector('th a')?.textContent ?? '', row.querySelector('.status')?.textContent.replace(/^\S+\s/, '').trim() ?? '']),
    );
    assert.deepEqual(Object.fromEntries(shown), statuses, 'every KPI with the status the page shows');
    assert.match(await reader.textContent('.headline'), new RegExp((await page.textContent('#headline')).slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await reader.locator('svg.chart').count(), 12, 'a chart per KPI, drawn without script');
    assert.deepEqual(requests.filter((url) => !url.startsWith('data:') && url !== 'about:blank'), [], 'the report loads nothing');
    await reader.screenshot({ path: artifact('workflow-html-report.png'), fullPage: true });
    await context.close();
  });

  test('print shows every section and none of the controls', async () => {
    await page.emulateMedia({ media: 'print' });
    await page.waitForFunction(() => document.querySelector('#panel-leadlag .relationship-list'));
    for (const selector of ['#headline', '#summary .chips', '#panel-grid .kpi-grid', '#panel-suggestions .kr-list', '#panel-leadlag .relationship-list']) {
      assert.equal(await page.isVisible(selector), true, `${selector} prints`);
    }
    for (const selector of ['.tabs', '#results-toolbar', '.grid-toolbar']) {
      assert.equal(await page.isVisible(selector), false, `${selector} does not print`);
    }
    assert.equal(await page.locator('#panel-leadlag .pair-statistics .sub').first().isVisible(), true, 'the numbers print too');
    await page.screenshot({ path: artifact('workflow-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  });

  test('nothing left the page, nothing failed', async () => {
    await assertClean(page, log, session.server);
  });
});

describe('offline', { timeout: 180_000 }, () => {
  let session;

  before(async () => {
    session = await startSession();
  });

  after(async () => {
    await session?.close();
  });

  test('once loaded, the page reloads and analyses with the network cut', async () => {
    const { page, log, context } = await openPage(session);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active?.state;
    });
    // Every file the page needs is cached before the network goes.
    await page.waitForFunction(async () => {
      const cache = await caches.open('kpilot-v1');
      return (await cache.keys()).length >= 26;
    });
    const origin = session.server.url;
    await session.server.close();
    const refused = await fetch(origin).then(
      () => false,
      () => true,
    );
    assert.ok(refused, 'the server is gone');
    await page.reload();
    await page.waitForFunction(() => document.body.classList.contains('ready'));
    await loadSample(page);
    assert.equal((await gridRows(page)).length, 12, 'the sample is analysed offline');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(foreignRequests(log, { url: origin }), [], 'offline or not, nothing left the origin');
    await context.close();
  });
});
