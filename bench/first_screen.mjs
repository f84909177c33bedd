// The first screen on a phone network: N cold loads of the citizen page in real
// Chromium with the network and CPU of Lighthouse's mobile profile, set through CDP:
//   Network.emulateNetworkConditions  1.6 Mbit/s down, 750 kbit/s up, 150 ms latency
//   Emulation.setCPUThrottlingRate    4x slower
//   Network.setCacheDisabled          true
//   360x640 at DPR 3, touch
// Measures the first usable frame (window.portal.ready: every character of the first
// screen drawn) and the bytes transferred until then (encoded, as on the wire, per
// file), and the time of each start-up step from the portal:* performance marks.
// Prints every load, then medians. Targets: first usable frame <= 2500 ms (median),
// first-load transfer <= 350 KB. Run through bench/first-screen.sh. Not a timed test.
//   FIRST_SCREEN_RUNS (5)     loads measured (after one warm-up load, not counted)
import { test, before, after } from 'node:test';
import { f0, median, STARTUP_STEPS as STEPS, startupMarks, throttleLikeAPhone } from './figures.mjs';
import { PHONE, launch, portalUrl } from '../tests/e2e/lib/portal.mjs';

const RUNS = Number(process.env.FIRST_SCREEN_RUNS || 5);
const TARGET_MS = 2500;
const TARGET_BYTES = 350 * 1000;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const kb = (b) => (b / 1000).toFixed(1);

async function coldLoad() {
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await throttleLikeAPhone(context, page, { cacheDisabled: true });
    const urls = new Map();
    const files = [];  // {name, bytes, encoding} of requests finished
    let ready = false;
    cdp.on('Network.responseReceived', (e) => {
      const enc = e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || '';
      urls.set(e.requestId, { url: e.response.url, encoding: enc });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const u = urls.get(e.requestId);
      if (!u) return;
      files.push({ name: u.url.replace(/^https?:\/\/[^/]+\//, '/'), bytes: e.encodedDataLength,
        encoding: u.encoding, beforeReady: !ready });
    });
    await page.goto(portalUrl(), { waitUntil: 'commit' });
    await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 60000, polling: 100 });
    ready = true;
    const t = await page.evaluate((at) => {
      // An older build has no glyph report.
      const none = { glyphs: 0, msPerGlyph: 0 };
      return { at, firstFrameMs: window.portal.firstFrameMs, glyphs: window.portal.glyphs ? window.portal.glyphs() : none };
    }, await page.evaluate(startupMarks));
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await cdp.detach();
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    t.files = files.filter((f) => f.beforeReady);
    t.bytes = t.files.reduce((s, f) => s + f.bytes, 0);
    return t;
  } finally {
    await context.close();
  }
}

test(`first screen on a phone network, ${RUNS} cold loads`, async () => {
  const loads = [];
  for (let i = 0; i < 1 + RUNS; i++) {
    const t = await coldLoad();
    const a = t.at;
    console.log(`# ${i === 0 ? 'warm-up' : `load ${i}`}: first usable frame ${f0(t.firstFrameMs)} ms, ` +
      `${kb(t.bytes)} KB in ${t.files.length} files (html ${f0(a.html)}, script ${f0(a.script)}, ` +
      `wasm ${f0(a.wasm)}, main ${f0(a.main)}, glyphs ${t.glyphs.glyphs} at ` +
      `${t.glyphs.msPerGlyph.toFixed(2)} ms each)`);
    if (i > 0) loads.push(t);
  }
  console.log('# --- ms since navigation start, median ---');
  for (const [key, label] of STEPS)
    console.log(`# ${(key + ': ' + label).padEnd(60)} ${f0(median(loads.map((t) => t.at[key]).filter((x) => x != null))).padStart(6)}`);
  console.log('# --- bytes on the wire until the first usable frame (last load) ---');
  for (const f of loads[loads.length - 1].files)
    console.log(`# ${f.name.padEnd(40)} ${kb(f.bytes).padStart(8)} KB ${f.encoding || 'identity'}`);
  const ms = median(loads.map((t) => t.firstFrameMs));
  const bytes = median(loads.map((t) => t.bytes));
  const glyphMs = median(loads.map((t) => t.glyphs.msPerGlyph));
  console.log(`# glyphs on the first screen: ${loads[0].glyphs.glyphs}, ${glyphMs.toFixed(2)} ms each (median; 4x CPU slowdown)`);
  console.log(`# FIRST USABLE FRAME: median ${f0(ms)} ms (target ${TARGET_MS}, ratio ${(ms / TARGET_MS).toFixed(2)})`);
  console.log(`# FIRST-LOAD TRANSFER: median ${kb(bytes)} KB (target ${kb(TARGET_BYTES)}, ratio ${(bytes / TARGET_BYTES).toFixed(2)})`);
});
