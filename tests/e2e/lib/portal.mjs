// Helpers for browser tests of the canvas UI: Debian's Chromium driven through
// playwright-core. The app draws into a canvas, so widgets are found through
// window.portal.widgets() (named widgets with CSS-pixel rectangles) and then
// pressed, tapped and typed into with real input events, as a person would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.resolve(here, '..', 'screenshots');

export const CHROMIUM_ARGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
export const DESKTOP = {
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
  permissions: ['clipboard-read', 'clipboard-write'],
};

export function portalUrl() {
  const url = process.env.PORTAL_URL;
  if (!url) throw new Error('PORTAL_URL is not set (tests/e2e/run-e2e.sh starts a server and sets it)');
  return url.endsWith('/') ? url : url + '/';
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

// Opens the portal in a new context (at `path`, an address of the portal such as
// "/t/RC...#c=..."); returns {page, timing}. Fails on page errors.
export async function openPortal(browser, device, { lang = null, path = '/' } = {}) {
  const context = await browser.newContext({ ...device, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.portalErrors = [];
  page.on('pageerror', (e) => page.portalErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.portalErrors.push(m.text());
  });
  if (lang) await page.addInitScript((l) => localStorage.setItem('portal.lang', l), lang);
  const started = Date.now();
  await page.goto(new URL(path.replace(/^\//, ''), portalUrl()).href);
  await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 30000 });
  const wallMs = Date.now() - started;
  const timing = await page.evaluate(() => ({
    firstFrameMs: window.portal.firstFrameMs,
    domContentLoadedMs: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
    glyphs: window.portal.glyphs ? window.portal.glyphs() : null,
    glyphAtlas: window.portal.firstGlyphAtlas,
  }));
  timing.wallMs = wallMs;
  page.device = device;
  await settle(page);
  return { page, context, timing };
}

export async function widgets(page) {
  return page.evaluate(() => window.portal.widgets());
}

export async function widget(page, id) {
  return page.evaluate((i) => window.portal.widget(i), id);
}

// Waits until the app has no frame pending (it only draws when something changed).
export async function settle(page, timeout = 10000) {
  await page.waitForFunction(() => window.portal.idle(), null, { timeout, polling: 30 });
}

// Polls the widget until check(widget) holds.
export async function waitWidget(page, id, check = () => true, timeout = 15000) {
  const until = Date.now() + timeout;
  let last = null;
  while (Date.now() < until) {
    last = await widget(page, id);
    if (last && check(last)) return last;
    await page.waitForTimeout(40);
  }
  throw new Error(`widget ${id} not as expected within ${timeout} ms; last: ${JSON.stringify(last)}`);
}

export async function waitScreen(page, name, timeout = 15000) {
  await waitWidget(page, 'screen', (w) => w.value === name, timeout);
  await settle(page);
}

const isTouch = (page) => !!page.device.hasTouch;

// Scrolls the page body the way its user would (finger swipe or mouse wheel).
export async function scrollBy(page, dy) {
  const { width, height } = page.viewportSize();
  const x = Math.round(width / 2);
  if (isTouch(page)) {
    // One session per page, kept: detaching a CDP session resets the context's network
    // emulation (setOffline) in Chromium.
    page.__touchSession = page.__touchSession || await page.context().newCDPSession(page);
    const cdp = page.__touchSession;
    const y0 = dy > 0 ? Math.round(height * 0.75) : Math.round(height * 0.3);
    const y1 = y0 - Math.max(-height * 0.45, Math.min(height * 0.45, dy));
    const steps = 12;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
    for (let i = 1; i <= steps; i++) {
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove', touchPoints: [{ x, y: Math.round(y0 + ((y1 - y0) * i) / steps) }],
      });
      await page.waitForTimeout(16);
    }
    // Rest before lifting, so the page does not fling on.
    await page.waitForTimeout(120);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y1 }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } else {
    await page.mouse.move(x, Math.round(height / 2));
    await page.mouse.wheel(0, dy);
  }
  await settle(page);
}

// Brings a widget fully into view, scrolling as needed.
export async function reveal(page, id) {
  const { height } = page.viewportSize();
  for (let i = 0; i < 12; i++) {
    const w = await waitWidget(page, id);
    if (w.visible) return w;
    const target = height * 0.45;
    await scrollBy(page, Math.round(w.y + w.h / 2 - target));
  }
  throw new Error(`could not scroll ${id} into view`);
}

// Taps (touch) or clicks (mouse) the middle of a widget.
export async function press(page, id) {
  const w = await reveal(page, id);
  if (!w.enabled) throw new Error(`widget ${id} is disabled`);
  const x = w.x + w.w / 2, y = w.y + w.h / 2;
  if (isTouch(page)) await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
  return w;
}

// On the report form: opens the category picker and picks its first category.
export async function pickFirstCategory(page) {
  await press(page, 'submit.category');
  await waitScreen(page, 'categories');
  const cat = (await widgets(page)).find((w) => w.id.startsWith('category.'));
  await press(page, cat.id);
  await waitScreen(page, 'submit');
}

// Puts the caret into a text field and waits until the app edits it.
export async function focusField(page, id) {
  await press(page, id);
  await waitWidget(page, id, (w) => w.active);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'portal-input');
}

// Text a Chinese IME commits: CDP Input.insertText into the focused field.
export async function insertText(page, text) {
  await page.keyboard.insertText(text);
  await settle(page);
}

// An IME composition (pinyin being typed), then its commit. whileComposing(page) runs
// with the composition open.
export async function compose(page, preedit, commit, whileComposing = null) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.imeSetComposition', { text: preedit, selectionStart: preedit.length, selectionEnd: preedit.length });
  await settle(page);
  const during = await page.evaluate(() => document.getElementById('portal-input').value);
  if (whileComposing) await whileComposing(page);
  await cdp.send('Input.insertText', { text: commit });
  await cdp.detach();
  await settle(page);
  return during;
}

// Real key presses, one by one.
export async function typeKeys(page, text) {
  await page.keyboard.type(text, { delay: 15 });
  await settle(page);
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await settle(page);
  await page.screenshot({ path: file });
  return file;
}

// Opens the portal on `device` and runs body(page, timing); the page must show no
// errors. On failure keeps a screenshot `failed-<name>` of what the page showed.
export async function withPortal(browser, device, name, body) {
  const { page, context, timing } = await openPortal(browser, device);
  try {
    await body(page, timing);
    assert.deepEqual(page.portalErrors, [], 'errors on the page');
  } catch (e) {
    await screenshot(page, `failed-${name}`).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
}

// Signs in from the home screen with a demo account's password and waits until the app
// lands on one of the screens `lands` (a name or a list); returns that screen's name.
// `shot` names a screenshot of the account screen before anything is typed.
export async function signIn(page, login, { lands, shot = null }) {
  const screens = [].concat(lands);
  await press(page, 'home.account');
  await waitScreen(page, 'account');
  if (shot) await screenshot(page, shot);
  await focusField(page, 'account.login');
  await insertText(page, login);
  await focusField(page, 'account.password');
  await insertText(page, 'demo12345');
  await press(page, 'account.submit');
  const landed = await waitWidget(page, 'screen', (w) => screens.includes(w.value));
  await settle(page);
  return landed.value;
}

// Waits for the app's first complete frame after a navigation or reload, and for calm.
export async function ready(page) {
  await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 30000 });
  await settle(page);
}

// Polls fn(arg) in the page (it may be async) until it is truthy.
export async function until(page, fn, arg = null, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > end) throw new Error(`not within ${timeout} ms: ${fn}`);
    await page.waitForTimeout(100);
  }
}
