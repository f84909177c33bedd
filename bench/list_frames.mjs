// Frame time of a long list: the list of my tickets filled with 1,000 and 10,000 rows
// (window.portal.benchList), scrolled with the mouse wheel in real Chromium; prints the
// CPU time per frame the app reports: the whole frame (input, UI, WebGL calls, which
// under software WebGL wait on the rasteriser) and building the UI alone; and the cost of
// the accessibility mirror: building its changes in the app, applying them to the DOM.
// Run through bench/list-frames.sh, which starts a server. Not a timed test.
import { test, before, after } from 'node:test';
import { DESKTOP, PHONE, launch, openPortal, settle, waitScreen } from '../tests/e2e/lib/portal.mjs';

import { frameStats as stats } from './figures.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });


for (const [name, device] of [['desktop 1280x800', DESKTOP], ['phone 360x640 DPR 3', PHONE]]) {
  test(`list frame time, ${name}`, async () => {
    const { page, context } = await openPortal(browser, device);
    try {
      for (const rows of [1000, 10000]) {
        await page.evaluate((n) => window.portal.benchList(n), rows);
        await waitScreen(page, 'my_tickets');
        const shown = await page.evaluate(() => window.portal.widgets().filter((w) => w.id.startsWith('mine.RC')).length);
        await page.mouse.move(180, 320);
        await page.evaluate(() => { window.portal.frameMs.length = 0; window.portal.frameUiMs.length = 0; });
        const mirror0 = await page.evaluate(() => window.portalSemantics ? window.portalSemantics.stats() : null);
        for (let i = 0; i < 120; i++) {
          await page.mouse.wheel(0, i < 60 ? 240 : -120);
          await page.waitForTimeout(16);
        }
        await settle(page);
        const ms = await page.evaluate(() => window.portal.frameMs.slice());
        const ui = await page.evaluate(() => window.portal.frameUiMs.slice());
        const s = stats(ms), u = stats(ui);
        console.log(`# ${name}: ${rows} rows (${shown} drawn per frame): ${s.n} frames while scrolling; ` +
          `whole frame median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms; ` +
          `building the UI median ${u.median.toFixed(2)} ms, p95 ${u.p95.toFixed(2)} ms, max ${u.max.toFixed(2)} ms`);
        const m1 = await page.evaluate(() => window.portalSemantics ? window.portalSemantics.stats() : null);
        if (m1) {
        const n = Math.max(1, m1.updates - mirror0.updates);
        console.log(`# ${name}: ${rows} rows: accessibility mirror ${m1.nodes} nodes, ${n} updates while scrolling, ` +
          `${((m1.changed - mirror0.changed) / n).toFixed(1)} nodes changed each, ` +
          `${((m1.appMs - mirror0.appMs) / n).toFixed(3)} ms in the app and ` +
          `${((m1.pageMs - mirror0.pageMs) / n).toFixed(3)} ms in the page per update (page max ${m1.maxPageMs.toFixed(2)} ms)`);
        }
      }
    } finally {
      await context.close();
    }
  });
}
