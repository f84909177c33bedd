// Frame time of the grid map while panning, in real Chromium: the report form's map with
// all the district's grids (1,571 in the demo), at the district view and zoomed in three
// steps, panned with two fingers on a phone at DPR 3 and dragged with the mouse on a
// desktop; prints the CPU time per frame the app reports: the whole frame (input, UI,
// WebGL calls, which under software WebGL wait on the rasteriser) and building the UI
// alone (the map's culling, lines and names). Run through bench/map-frames.sh, which
// starts a server. Not a timed test.
import { test, before, after } from 'node:test';
import { DESKTOP, PHONE, launch, openPortal, press, reveal, settle, waitScreen, waitWidget, widgets } from '../tests/e2e/lib/portal.mjs';

import { frameStats as stats } from './figures.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });


async function pan(page, map, touch) {
  const cx = map.x + map.w / 2, cy = map.y + map.h / 2;
  if (touch) {
    const cdp = await page.context().newCDPSession(page);
    const fingers = (dx, dy) => [{ x: cx - 30 + dx, y: cy + dy, id: 1 }, { x: cx + 30 + dx, y: cy + dy, id: 2 }];
    for (let round = 0; round < 3; round++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(0, 0) });
      for (let i = 1; i <= 30; i++) {
        const t = i / 30;
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(Math.sin(t * 6.28) * 60, (round - 1) * 40 * t) });
        await page.waitForTimeout(16);
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    }
    await cdp.detach();
  } else {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 90; i++) {
      await page.mouse.move(cx + Math.sin(i / 90 * 6.28) * 150, cy + Math.cos(i / 90 * 6.28) * 80 - 80);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
  }
}

for (const [name, device] of [['phone 360x640 DPR 3', PHONE], ['desktop 1280x800', DESKTOP]]) {
  test(`map frame time, ${name}`, async () => {
    const { page, context } = await openPortal(browser, device);
    try {
      await press(page, 'home.submit');
      await waitScreen(page, 'submit');
      await reveal(page, 'submit.locate');
      await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
      for (const steps of [0, 3]) {
        for (let i = 0; i < steps; i++) { await press(page, 'submit.map.zoom_in'); await settle(page); }
        const map = await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
        const names = (await widgets(page)).filter((w) => w.kind === 'maplabel').length;
        await page.evaluate(() => { window.portal.frameMs.length = 0; window.portal.frameUiMs.length = 0; });
        await pan(page, map, !!device.hasTouch);
        await settle(page);
        const s = stats(await page.evaluate(() => window.portal.frameMs.slice()));
        const u = stats(await page.evaluate(() => window.portal.frameUiMs.slice()));
        console.log(`# ${name}, zoom ${Number(map.value.split(',')[4]).toFixed(1)} (${names} names): ${s.n} frames while panning; ` +
          `whole frame median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms; ` +
          `building the UI median ${u.median.toFixed(2)} ms, p95 ${u.p95.toFixed(2)} ms, max ${u.max.toFixed(2)} ms`);
      }
    } finally {
      await context.close();
    }
  });
}
