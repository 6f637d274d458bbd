// Hostile files dropped on the page: each ends in an analysis or an error
// banner naming it, and the page reads the next file. The regression file
// with one stray cell at XFD1048576 (a dense reader asked for 512 GB and
// ended the module) reads, and the note on reading it says where the stray
// cell was. Then calamine's own 133 test workbooks (../shared/calamine-tests,
// skipped when absent), one after the other, and a good file after them.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, gridRows, loadFixture, openPage, startSession, waitForOutcome } from './harness.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'calamine-tests');
const TIME_LIMIT_MS = 10_000;

describe('hostile files', { timeout: 120_000 }, () => {
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

  test('a stray cell at the last cell of a sheet is left out, with a note saying where', async () => {
    assert.equal(await loadFixture(page, 'regression_stray_cell.xlsx'), 'report', await page.textContent('#error-banner'));
    assert.equal((await gridRows(page)).length, 12);
    const notes = await page.locator('#mapping .warnings li').allTextContents();
    assert.ok(
      notes.includes("Sheet 'KPIs': a lone cell at XFD1048576, far from the table, was left out."),
      `a note names the stray cell: ${notes.join(' | ')}`,
    );
  });

  test("calamine's test workbooks each end in an analysis or an error, and the next file still reads", { skip: !existsSync(CORPUS) && `${CORPUS} is absent` }, async () => {
    const names = (await readdir(CORPUS)).filter((name) => !name.endsWith('.md')).sort();
    const failures = [];
    let analysed = 0;
    for (const name of names) {
      const started = Date.now();
      await page.setInputFiles('#file-input', join(CORPUS, name));
      const outcome = await waitForOutcome(page, name, { timeout: TIME_LIMIT_MS }).catch(() => 'nothing');
      if (outcome === 'nothing') failures.push(`${name}: neither an analysis nor an error within ${TIME_LIMIT_MS} ms`);
      if (outcome === 'report') analysed += 1;
      if (Date.now() - started > TIME_LIMIT_MS) failures.push(`${name}: took ${Date.now() - started} ms`);
    }
    console.log(`${names.length} files: ${analysed} analysed, ${names.length - analysed - failures.length} refused with an error banner`);
    assert.deepEqual(failures, []);
    assert.deepEqual(log.pageErrors, [], 'no uncaught error in the page');
    assert.equal(await loadFixture(page, 'wide_rows.xlsx'), 'report', 'a good file reads after them');
  });
});
