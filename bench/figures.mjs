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
