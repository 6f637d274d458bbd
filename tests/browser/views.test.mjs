// Every view at 1,440, 1,024 and 390 px, light and dark: pictures for a
// person to look at (test-artifacts/views/), and the checks a picture
// cannot be trusted for — no sideways scrolling of the page, the grid
// fitting 1,024 px, compact phone cards, the dark scheme really dark.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WIDTHS, artifact, assertClean, loadFixture, loadSample, openPage, overflow, startSession } from './harness.mjs';

const SCHEMES = ['light', 'dark'];

describe('every view, every width, light and dark', { timeout: 600_000 }, () => {
  let session;

  before(async () => {
    session = await startSession();
    mkdirSync(artifact('views'), { recursive: true });
  });

  after(async () => {
    await session?.close();
  });

  for (const scheme of SCHEMES) {
    for (const { name, width, height } of WIDTHS) {
      test(`${scheme}, ${width} px`, async () => {
        const { page, log, context } = await openPage(session, { viewport: { width, height }, colorScheme: scheme, deviceScaleFactor: width < 500 ? 2 : 1 });
        const shot = (view, options = {}) => page.screenshot({ path: artifact(`views/${scheme}-${width}-${view}.png`), ...options });
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        if (scheme === 'dark') assert.match(background, /rgb\((1\d|2\d), (1\d|2\d), (1\d|2\d|3\d)\)/, `a dark page: ${background}`);
        await shot('landing', { fullPage: true });

        await loadSample(page);
        assert.ok((await overflow(page)) <= 0, `no sideways scrolling of the grid at ${width} px`);
        if (width >= 1024) {
          const gridOverflow = await page.evaluate(() => {
            const scroller = document.querySelector('.grid-scroll');
            return scroller.scrollWidth - scroller.clientWidth;
          });
          assert.ok(gridOverflow <= 0, `the grid fits ${width} px without scrolling sideways (${gridOverflow} px over)`);
        }
        await shot('grid', { fullPage: true });
        if (name === 'phone') {
          const heights = await page.$$eval('.kpi-grid tr[data-kpi-index]', (rows) => rows.map((row) => row.getBoundingClientRect().height));
          assert.ok(Math.max(...heights) <= 130, `compact phone cards: ${heights.map(Math.round)}`);
          const total = await page.evaluate(() => document.documentElement.scrollHeight);
          assert.ok(total < 2600, `the 12-KPI sample is ${total} px tall on a phone`);
          await page.click('.kpi-grid tr[data-kpi-index] .row-toggle >> nth=0');
          await shot('grid-card-open');
          await page.click('.kpi-grid tr[data-kpi-index] .row-toggle >> nth=0');
        }

        await page.click('.kpi-grid .kpi-name >> nth=0');
        await page.locator('#detail .chart canvas').first().waitFor();
        await page.waitForTimeout(150);
        await shot('detail');
        await page.click('#detail .statistics summary');
        await shot('detail-statistics', { fullPage: false });
        await page.keyboard.press('Escape');

        await page.click('#tab-suggestions');
        assert.ok((await overflow(page)) <= 0, `no sideways scrolling of the key results at ${width} px`);
        await shot('suggestions', { fullPage: true });

        await page.click('#tab-leadlag');
        await page.locator('.matrix-frame .cell').first().waitFor();
        assert.ok((await overflow(page)) <= 0, `no sideways scrolling of the lead/lag view at ${width} px`);
        await page.click('.matrix-frame .cell >> nth=0');
        await shot('leadlag', { fullPage: true });
        await page.click('#tab-grid');

        assert.equal(await loadFixture(page, 'doubtful_generic_names.csv'), 'report');
        await page.locator('#check-panel .preview-table').waitFor();
        assert.ok((await overflow(page)) <= 0, `no sideways scrolling of the check at ${width} px`);
        await shot('check', { fullPage: true });

        assert.equal(await loadFixture(page, 'truncated.xlsx'), 'error');
        await shot('error');
        await assertClean(page, log, session.server);
        await context.close();
      });
    }
  }
});
