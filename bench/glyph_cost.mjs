// The cost of a new glyph in real Chromium (no throttling, DPR 3 phone): types 3,000
// distinct CJK characters into the description in batches of 200, as fast as the IME
// path takes them, and prints after each batch the glyphs in the texture, its size,
// the drawing time per glyph (canvas, readback, upload) and the slowest frame of the
// batch, so a stall while the texture grows would show. Run through
// bench/glyph-cost.sh. Not a timed test.
import { test, before, after } from 'node:test';
import { PHONE, focusField, launch, openPortal, press, settle, waitScreen } from '../tests/e2e/lib/portal.mjs';

const CHARS = 3000, BATCH = 200;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('glyph cost while the texture grows', async () => {
  const { page, context } = await openPortal(browser, PHONE);
  try {
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await focusField(page, 'submit.description');
    const text = [];
    for (let cp = 0x4E00; text.length < CHARS; cp += 3) text.push(String.fromCodePoint(cp));
    let last = await page.evaluate(() => ({ js: window.portal.glyphs(), frames: window.portal.frame }));
    const perGlyph = [];
    for (let i = 0; i < CHARS; i += BATCH) {
      await page.evaluate(() => { window.portal.frameMs.length = 0; });
      await page.keyboard.insertText(text.slice(i, i + BATCH).join(''));
      await settle(page);
      const now = await page.evaluate(() => ({ js: window.portal.glyphs(), atlas: window.portal.glyphAtlas,
        worst: Math.max(...window.portal.frameMs) }));
      const n = now.js.glyphs - last.js.glyphs;
      const ms = (now.js.ms - last.js.ms) / Math.max(1, n);
      perGlyph.push(ms);
      console.log(`# ${String(i + BATCH).padStart(5)} typed: ${now.atlas.glyphs} glyphs in a ${now.atlas.texture} px ` +
        `texture (${now.atlas.resets} resets), ${n} new at ${ms.toFixed(3)} ms each, slowest frame ${now.worst.toFixed(1)} ms`);
      last = now;
    }
    perGlyph.sort((a, b) => a - b);
    console.log(`# NEW GLYPH: median ${perGlyph[perGlyph.length >> 1].toFixed(3)} ms ` +
      `(target < 1 ms, ratio ${(perGlyph[perGlyph.length >> 1] / 1).toFixed(2)}), worst batch ${perGlyph[perGlyph.length - 1].toFixed(3)} ms`);
  } finally {
    await context.close();
  }
});
