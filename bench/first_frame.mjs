// Time to the first interactive frame of the citizen page in real Chromium: N cold loads,
// each in a fresh browser context (empty HTTP cache, no code cache), one browser for all.
// Prints every load, then the median and p90 of the first frame and of each start-up
// step, read from the portal:* performance marks that web/portal-bridge.js and
// client/platform/main_web.cpp leave, and from resource timing.
// Run through bench/first-frame.sh, which starts a server. Not a timed test.
//   FIRST_FRAME_RUNS (10)        loads measured
//   FIRST_FRAME_WARMUP (1)       loads before them, shown but not counted (the browser's
//                                own first start: GPU process, shader caches)
//   FIRST_FRAME_DEVICE (phone)   phone (360x640, DPR 3, touch) or desktop (1280x800)
import { test, before, after } from 'node:test';
import { f0, median, quantile, STARTUP_STEPS as STEPS, startupMarks } from './figures.mjs';
import { DESKTOP, PHONE, launch, portalUrl } from '../tests/e2e/lib/portal.mjs';

const RUNS = Number(process.env.FIRST_FRAME_RUNS || 10);
const WARMUP = Number(process.env.FIRST_FRAME_WARMUP || 1);
const DEVICE_NAME = process.env.FIRST_FRAME_DEVICE || 'phone';
const DEVICE = DEVICE_NAME === 'desktop' ? DESKTOP : PHONE;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function coldLoad() {
  const context = await browser.newContext({ ...DEVICE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(portalUrl());
    await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 30000, polling: 'raf' });
    const t = await page.evaluate((at) => {
      const res = {};
      for (const r of performance.getEntriesByType('resource')) {
        const name = r.name.replace(/[?#].*$/, '').replace(/^.*\//, '');  // without ?v=...
        res[name] = { start: r.startTime, end: r.responseEnd, bytes: r.transferSize };
      }
      return {
        at,
        res,
        firstFrameMs: window.portal.firstFrameMs,
        firstFrameCpuMs: window.portal.frameMs[0],
        atlas: window.portal.firstGlyphAtlas || window.portal.glyphAtlas,
      };
    }, await page.evaluate(startupMarks));
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    return t;
  } finally {
    await context.close();
  }
}

test(`first frame, ${DEVICE_NAME}, ${RUNS} cold loads`, async () => {
  const loads = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t = await coldLoad();
    const a = t.at;
    const line = `${i < WARMUP ? 'warm-up' : `load ${i - WARMUP + 1}`}: first frame ${f0(t.firstFrameMs)} ms ` +
      `(html ${f0(a.html)}, bridge ${f0(a.bridge)}, gl ${f0(a['webgl-early'] - a.bridge)} ms, script ${f0(a.script)}, wasm ${f0(a.wasm)}, webgl ${f0(a.webgl - a['main-entry'])} ms, ` +
      `main ${f0(a.main)}, glyphs ${f0(t.atlas?.ms)} ms for ${t.atlas?.glyphs} in a ` +
      `${t.atlas?.texture} px texture, frame cpu ${f0(t.firstFrameCpuMs)} ms)`;
    console.log('# ' + line);
    if (i >= WARMUP) loads.push(t);
  }
  const col = (f) => loads.map(f).filter((x) => typeof x === 'number');
  const row = (label, xs) =>
    console.log(`# ${label.padEnd(52)} median ${f0(median(xs)).padStart(5)}  p90 ${f0(quantile(xs, 0.9)).padStart(5)}`);
  console.log(`# --- ${DEVICE_NAME}, ${loads.length} cold loads, ms since navigation start ---`);
  for (const [key, label] of STEPS) row(`${key}: ${label}`, col((t) => t.at[key]));
  console.log('# --- resources (responseEnd, ms since navigation start) ---');
  for (const name of ['portal-glyphs.js', 'portal-bridge.js', 'portal.js', 'portal.wasm'])
    row(name, col((t) => t.res[name]?.end));
  console.log('# --- durations (ms) ---');
  row('WebGL2 context creation in the page (bridge)', col((t) => t.at['webgl-early'] - t.at.bridge));
  row('WebGL2 context creation in main()', col((t) => t.at.webgl - t.at['main-entry']));
  row('main() to app started', col((t) => t.at.main - t.at['main-entry']));
  row('glyphs of the first frame (drawn, uploaded)', col((t) => t.atlas?.ms));
  row('first frame CPU (glyphs, UI, WebGL calls)', col((t) => t.firstFrameCpuMs));
  row('app started to first frame drawn', col((t) => t.at['first-frame'] - t.at.main));
  const ff = col((t) => t.firstFrameMs);
  console.log(`# FIRST FRAME (${DEVICE_NAME}): median ${f0(median(ff))} ms, p90 ${f0(quantile(ff, 0.9))} ms, ` +
    `min ${f0(Math.min(...ff))}, max ${f0(Math.max(...ff))} over ${ff.length} cold loads`);
});
