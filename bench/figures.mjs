// What the browser benchmarks share: the start-up steps the page marks, medians,
// quantiles, and how figures print.

// Nearest rank.
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// The phone profile of Lighthouse's mobile audit: 1.6 Mbit/s down, 750 kbit/s up, 150 ms
// round trip, the CPU four times slower. Applied to `page` through the DevTools protocol;
// `cacheDisabled` clears the way to the HTTP cache (a cold visit).
export const PHONE_NETWORK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
export const PHONE_CPU_SLOWDOWN = 4;
export async function throttleLikeAPhone(context, page, { cacheDisabled }) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled });
  await cdp.send('Network.emulateNetworkConditions', PHONE_NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE_CPU_SLOWDOWN });
  return cdp;
}

// The page's start-up marks (portal:*) in ms since navigation, and when the HTML was in.
export function startupMarks() {
  const at = {};
  for (const m of performance.getEntriesByType('mark'))
    if (m.name.startsWith('portal:')) at[m.name.slice(7)] = m.startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  at.html = nav ? nav.responseEnd : null;
  return at;
}

// Frame times: count, median, 95th percentile and maximum.
export function frameStats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

// Whole milliseconds, '-' for a figure that is missing.
export const f0 = (x) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(0));

// Milestones of a page load in the order they happen, read as ms since navigation start
// from the portal:* performance marks (web/portal-bridge.js, client/platform/main_web.cpp),
// 'html' from the navigation timing.
export const STARTUP_STEPS = [
  ['html', 'HTML received (responseEnd)'],
  ['bridge', 'portal-bridge.js runs'],
  ['webgl-early', 'WebGL2 context created by the page'],
  ['script', 'portal.js loaded and run'],
  ['wasm', 'portal.wasm downloaded, compiled, instantiated'],
  ['main-entry', 'main() entered'],
  ['webgl', 'WebGL2 context created'],
  ['main', 'app started (ImGui, GL objects, first requests)'],
  ['resized', 'canvas sized, events attached'],
  ['glyphs', 'first glyphs drawn by the device fonts'],
  ['first-frame', 'first usable frame (every character drawn)'],
];
