// Frame time of a long list: the list of my tickets filled with 1,000 and 10,000 rows
// (window.portal.benchList), scrolled with the mouse wheel in real Chromium; prints the
// CPU time per frame the app reports: the whole frame (input, UI, WebGL calls, which
// under software WebGL wait on the rasteriser) and building the UI alone.
// Run through bench/list-frames.sh, which starts a server. Not a timed test.
import { test, before, after } from 'node:test';
import { DESKTOP, PHONE, launch, openPortal, settle, waitScreen } from '../tests/e2e/lib/portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
};

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
      }
    } finally {
      await context.close();
    }
  });
}
