// Every character, drawn by the device's own fonts, in real Chromium against the real
// server: names outside GB2312 (堃, 玥, 喆, 镕), a character beyond the BMP (𠮷, a
// surrogate pair in the page) and a colour emoji (👍) typed through the IME path into
// the description, the name and the address; each one comes out as a real glyph (its
// pixels differ from the box the device draws for a code point no font has, and from
// each other's); Backspace removes a surrogate pair or an emoji whole; the ticket keeps
// the text byte for byte on the citizen's page and in the grid worker's queue; no font
// file is fetched by a browser that can draw CJK, and one that cannot gets only the
// pieces of the fallback font its text needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, focusField, insertText, launch, openPortal, portalUrl, press, screenshot, settle, signIn,
  waitScreen, waitWidget,
} from './lib/portal.mjs';
import { accountOf, api } from './lib/api.mjs';

const NAMES = ['李堃', '王玥', '张喆', '𠮷野', '朱镕基', '👍'];
// The characters a GB2312 font lacked, and a few it had, to compare against.
const CHECKED = ['堃', '玥', '喆', '𠮷', '镕', '👍', '李', '王', '野', '基'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Each character was drawn by a font of the device: not the device's box for a
// missing code point, not blank, not the same pixels as another character.
function assertRealGlyphs(report, chars, where) {
  const hashes = [];
  for (const ch of chars) {
    const g = report.chars[ch];
    assert.ok(g, `${where}: ${ch} was never drawn`);
    assert.equal(g.status, 'drawn', `${where}: ${ch} has no glyph on this device`);
    assert.notEqual(g.hash, 'empty', `${where}: ${ch} drawn blank`);
    assert.notEqual(g.hash, g.box, `${where}: ${ch} drawn as the box of a missing code point`);
    hashes.push(`${g.px}:${g.hash}`);
  }
  assert.equal(new Set(hashes).size, hashes.length, `${where}: two characters share their pixels`);
  if (chars.includes('👍')) assert.equal(report.chars['👍'].colored, true, `${where}: 👍 is not in colour`);
}

async function glyphs(page, text) {
  return page.evaluate((t) => window.portal.glyphs(t), text);
}

async function backspace(page, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press('Backspace');
  await settle(page);
}

test('phone: rare names, 𠮷 and 👍 typed, drawn, deleted whole, kept on the ticket and in the queue', async () => {
  const fontRequests = [];
  const where = await api('GET', '/api/v1/grids/locate?lat=35.41&lng=116.58');
  assert.equal(where.status, 200, JSON.stringify(where.json));
  const worker = await accountOf('grid_worker', where.json.grid_id);

  const citizen = await openPortal(browser, PHONE);
  const page = citizen.page;
  page.on('request', (r) => { if (/\/fonts\//.test(r.url())) fontRequests.push(r.url()); });
  let gw = null;
  try {
    const first = citizen.timing.glyphs;
    assert.equal(first.systemCJK, true, 'the tofu check finds this browser draws CJK');
    assert.ok(first.glyphs > 0, 'the first frame drew its glyphs');

    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await press(page, 'submit.category');
    await waitScreen(page, 'categories');
    await press(page, 'category.env.noise');
    await waitScreen(page, 'submit');

    // Backspace removes 𠮷 (two UTF-16 units in the page) and 👍 whole, and 👍🏽 (thumb
    // and skin tone) in one press.
    await focusField(page, 'submit.description');
    await insertText(page, '测试👍𠮷');
    await waitWidget(page, 'submit.description', (w) => w.value === '测试👍𠮷');
    await backspace(page);
    await waitWidget(page, 'submit.description', (w) => w.value === '测试👍');
    await backspace(page);
    await waitWidget(page, 'submit.description', (w) => w.value === '测试');
    await insertText(page, '👍🏽');
    await backspace(page);
    await waitWidget(page, 'submit.description', (w) => w.value === '测试');
    await backspace(page, 2);
    await waitWidget(page, 'submit.description', (w) => w.value === '');

    const description = `${NAMES.join('、')}：楼道灯坏了一个月`;
    const name = '李堃';
    const address = '古槐路𠮷野小区 3 号楼 👍';
    for (const n of NAMES) {  // one IME commit each, as a person would type them
      await insertText(page, n);
      if (n !== '👍') await insertText(page, '、');
    }
    await insertText(page, '：楼道灯坏了一个月');
    await waitWidget(page, 'submit.description', (w) => w.value === description);
    await focusField(page, 'submit.address');
    await insertText(page, address);
    await waitWidget(page, 'submit.address', (w) => w.value === address);
    await focusField(page, 'submit.lat');
    await insertText(page, '35.41');
    await focusField(page, 'submit.lng');
    await insertText(page, '116.58');
    await focusField(page, 'submit.name');
    await insertText(page, name);
    await focusField(page, 'submit.phone');
    await insertText(page, '13800138077');
    await screenshot(page, 'phone-70-characters-typed');
    assertRealGlyphs(await glyphs(page, CHECKED.join('')), CHECKED, 'submit form');

    await press(page, 'submit.button');
    await waitScreen(page, 'receipt');
    const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
    const code = (await waitWidget(page, 'receipt.code', (w) => !!w.value)).value;

    // The server keeps every character.
    const r = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.description, description);
    assert.equal(r.json.location.address, address);

    // The citizen's page shows them.
    await press(page, 'receipt.view');
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.description', (w) => w.value === description);
    await screenshot(page, 'phone-71-characters-ticket');
    assertRealGlyphs(await glyphs(page, CHECKED.join('')), CHECKED, 'ticket page');
    assert.deepEqual(fontRequests, [], 'a browser that draws CJK fetches no font');

    // The grid worker's queue shows the same text, drawn from scratch in another page.
    gw = await openPortal(browser, PHONE);
    await signIn(gw.page, worker, { lands: ['queue', 'cockpit'] });
    await waitScreen(gw.page, 'queue');
    await waitWidget(gw.page, `queue.${number}`, () => true, 15000);
    await screenshot(gw.page, 'phone-72-characters-queue');
    const inQueue = NAMES.slice(0, 3).join('').split('');
    assertRealGlyphs(await glyphs(gw.page, inQueue.join('')), inQueue, 'worker queue');
    await press(gw.page, `queue.${number}`);
    await waitScreen(gw.page, 'ticket');
    await waitWidget(gw.page, 'ticket.description', (w) => w.value === description);
    assertRealGlyphs(await glyphs(gw.page, CHECKED.join('')), CHECKED, 'worker ticket page');
    assert.deepEqual(gw.page.portalErrors, [], 'errors on the worker page');
    assert.deepEqual(page.portalErrors, [], 'errors on the citizen page');
  } catch (e) {
    await screenshot(page, 'failed-characters').catch(() => {});
    throw e;
  } finally {
    await citizen.context.close();
    if (gw) await gw.context.close();
  }
});

test('phone: a browser without CJK fonts gets the fallback font, piece by piece', async () => {
  // `?glyphs=fallback` makes the page draw every CJK character as if the device had no
  // font for it, so the fallback path runs on a machine that has one.
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.device = PHONE;
  const pieces = [];
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    const m = /\/fonts\/cjk-([0-9a-z]+)\.woff2$/.exec(r.url());
    if (m) pieces.push(m[1]);
  });
  try {
    await page.goto(new URL('?glyphs=fallback', portalUrl()).href);
    await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 60000 });
    await settle(page);
    const home = await glyphs(page, '任诚办');
    assert.equal(home.forced, true);
    assert.ok(home.fallback > 0, 'glyphs came from the fallback pieces');
    assertRealGlyphs(home, ['任', '诚', '办'], 'home from the fallback');
    // Only the pieces the shown text needs: the home screen uses a part of them.
    assert.ok(pieces.length > 0 && pieces.length < 28, `pieces fetched: ${pieces.join(' ')}`);
    assert.equal(new Set(pieces).size, pieces.length, 'a piece is fetched once');

    // 㛃 (U+36C3, Extension A: GB 18030 level 1) lives in piece 3400, which no text of
    // the portal needs: typing it fetches that piece, and it is drawn from it.
    assert.ok(!pieces.includes('3400'), 'piece 3400 is not fetched before it is needed');
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await focusField(page, 'submit.description');
    await insertText(page, '㛃');
    await page.waitForFunction(() => {
      const g = window.portal.glyphs('㛃').chars['㛃'];
      return g && g.status === 'drawn';
    }, null, { timeout: 20000 });
    await settle(page);
    assert.ok(pieces.includes('3400'), `piece 3400 fetched for 㛃: ${pieces.join(' ')}`);
    assert.equal(new Set(pieces).size, pieces.length, 'a piece is fetched once');
    assertRealGlyphs(await glyphs(page, '㛃任'), ['㛃', '任'], 'typed, from the fallback');
    await screenshot(page, 'phone-73-fallback-font');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('DPR 1 and 2: glyphs drawn at the device pixel size', async () => {
  for (const dpr of [1, 2]) {
    const device = { ...PHONE, deviceScaleFactor: dpr };
    const { page, context } = await openPortal(browser, device);
    try {
      await press(page, 'home.submit');
      await waitScreen(page, 'submit');
      await focusField(page, 'submit.description');
      await insertText(page, NAMES.join(''));
      await waitWidget(page, 'submit.description', (w) => w.value === NAMES.join(''));
      const report = await glyphs(page, CHECKED.join(''));
      assertRealGlyphs(report, CHECKED, `DPR ${dpr}`);
      // The body face is 16 CSS px: rasterised at 16 x DPR device pixels.
      assert.equal(report.chars['堃'].px, 16 * dpr);
      assert.ok(report.chars['堃'].h >= 13 * dpr && report.chars['堃'].h <= 19 * dpr,
        `堃 is ${report.chars['堃'].h} px tall at DPR ${dpr}`);
      await screenshot(page, `phone-74-characters-dpr${dpr}`);
      assert.deepEqual(page.portalErrors, []);
    } finally {
      await context.close();
    }
  }
});
