// The citizen's walking skeleton, in real Chromium against the real server:
// submit a matter on a phone (touch, Chinese through the IME path, ASCII through
// real key presses), read the receipt, check the ticket over the API, track it in
// the UI, switch the language; then the same on a desktop with mouse and keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, compose, focusField, insertText, launch, portalUrl, press, reveal,
  screenshot, typeKeys, waitScreen, waitWidget, widget, widgets, withPortal,
} from './lib/portal.mjs';

const STATUS_ZH = {
  submitted: '已提交', assigned: '已派单', accepted: '已受理', in_progress: '办理中', resolved: '已办结',
  closed: '已关闭', returned: '已退回', rejected: '不予受理', merged: '已合并',
};
const STATUS_EN = {
  submitted: 'Submitted', assigned: 'Assigned', accepted: 'Accepted', in_progress: 'In progress',
  resolved: 'Resolved', closed: 'Closed', returned: 'Returned', rejected: 'Rejected', merged: 'Merged',
};

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function apiTicket(number, code) {
  const res = await fetch(new URL(`api/v1/tickets/${encodeURIComponent(number)}`, portalUrl()), {
    headers: { 'X-Access-Code': code, Accept: 'application/json' },
  });
  assert.equal(res.status, 200, `GET ticket ${number}: HTTP ${res.status}`);
  return res.json();
}

function assertFits(list, width) {
  for (const w of list) {
    if (w.kind === 'screen') continue;
    assert.ok(w.x >= -0.5 && w.x + w.w <= width + 0.5, `${w.id} (${w.x}+${w.w}) overflows ${width} px`);
  }
}

test('phone: submit a matter in Chinese, read the receipt, track it, switch language', () =>
  withPortal(browser, PHONE, 'phone', async (page, timing) => {
  console.log(`# phone first frame: ${timing.firstFrameMs.toFixed(0)} ms after navigation start ` +
    `(${timing.wallMs} ms wall clock from goto), ${timing.glyphs.glyphs} glyphs drawn by the ` +
    `device's fonts (${timing.glyphs.msPerGlyph.toFixed(2)} ms each)`);

  // Home.
  await waitWidget(page, 'home.submit');
  assertFits(await widgets(page), 360);
  await screenshot(page, 'phone-01-home');

  // An idle portal draws nothing.
  const frameBefore = await page.evaluate(() => window.portal.frame);
  await page.waitForTimeout(800);
  assert.equal(await page.evaluate(() => window.portal.frame), frameBefore, 'frames drawn while idle');

  // Language switch without reload, and back.
  await press(page, 'lang.toggle');
  await waitWidget(page, 'home.submit', (w) => w.label === 'Report a matter');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.title(), 'Rencheng Service');
  await screenshot(page, 'phone-02-home-en');
  await press(page, 'lang.toggle');
  await waitWidget(page, 'home.submit', (w) => w.label === '我要反映');

  // The form: submitting it empty shows errors at the fields.
  await press(page, 'home.submit');
  await waitScreen(page, 'submit');
  await screenshot(page, 'phone-03-submit-empty');
  await press(page, 'submit.button');
  const descError = await waitWidget(page, 'submit.description', (w) => !!w.error);
  assert.equal(descError.error, '此项必填');
  assert.equal((await widget(page, 'submit.phone')).error, '此项必填');
  // Nothing is placed for the citizen: the place is asked for as well.
  assert.match((await widget(page, 'submit.location')).error, /请选择事发位置/);
  // The first field with a problem is brought into view.
  await waitWidget(page, 'submit.category', (w) => w.visible && w.error === '请选择问题类型');
  await screenshot(page, 'phone-04-submit-errors');

  // Category, from the grouped picker.
  await press(page, 'submit.category');
  await waitScreen(page, 'categories');
  await screenshot(page, 'phone-05-categories');
  await press(page, 'category.env.noise');
  await waitScreen(page, 'submit');
  await waitWidget(page, 'submit.category', (w) => w.value === '噪声扰民');

  // Description: committed IME text, a live composition, then ASCII key presses.
  await focusField(page, 'submit.description');
  await insertText(page, '小区北门烧烤摊每天夜里');
  const preedit = await compose(page, 'zao yin', '噪音', async (p) => {
    // The composition shows at the caret, and is not in the text yet.
    await waitWidget(p, 'submit.description', (w) => w.value === '小区北门烧烤摊每天夜里');
    await screenshot(p, 'phone-06a-ime-composing');
  });
  assert.equal(preedit, 'zao yin', 'the composition stays in the hidden field until committed');
  await insertText(page, '很大，影响休息，已持续一个月');
  await typeKeys(page, ' 22:00-02:00');
  const description = '小区北门烧烤摊每天夜里噪音很大，影响休息，已持续一个月 22:00-02:00';
  await waitWidget(page, 'submit.description', (w) => w.value === description);
  assert.equal(await page.evaluate(() => document.getElementById('portal-input').value), '',
    'the hidden field hands over every character and keeps none');
  await screenshot(page, 'phone-06-description');

  // Where and who.
  await focusField(page, 'submit.address');
  await insertText(page, '济阳街道古槐路 18 号');
  await waitWidget(page, 'submit.address', (w) => w.value === '济阳街道古槐路 18 号');
  // The place, tapped on the map.
  await reveal(page, 'submit.locate');
  const map = await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
  await page.touchscreen.tap(map.x + map.w / 2, map.y + map.h / 2);
  await waitWidget(page, 'submit.place', (w) => /·/.test(w.value));
  await focusField(page, 'submit.name');
  await insertText(page, '张先生');
  await focusField(page, 'submit.phone');
  await typeKeys(page, '13800138000');
  await waitWidget(page, 'submit.phone', (w) => w.value === '13800138000' && !w.error);
  assertFits(await widgets(page), 360);
  await screenshot(page, 'phone-07-form-filled');

  // Submit: the button is disabled while the request runs, then the receipt shows. The
  // report asks for text messages (ticked unless unticked) in the language shown.
  await waitWidget(page, 'submit.notify', (w) => w.value === 'true' && w.label === '办理进展短信通知我');
  const posted = page.waitForRequest(
    (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/tickets');
  await press(page, 'submit.button');
  const sentBody = JSON.parse((await posted).postData());
  assert.equal(sentBody.lang, 'zh');
  assert.equal(sentBody.notify, true);
  await waitScreen(page, 'receipt');
  const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
  const code = (await waitWidget(page, 'receipt.code', (w) => !!w.value)).value;
  assert.match(number, /^RC\d{16}$/);
  assert.ok(code.length >= 4, `access code ${code}`);
  assertFits(await widgets(page), 360);
  await screenshot(page, 'phone-08-receipt');

  // The server has exactly what was typed.
  const ticket = await apiTicket(number, code);
  assert.equal(ticket.description, description);
  assert.equal(ticket.category, 'env.noise');
  assert.equal(ticket.location.address, '济阳街道古槐路 18 号');
  assert.equal(ticket.level, 'grid', 'the place tapped is in a grid');
  assert.equal(typeof ticket.location.lat, 'number');
  assert.equal(ticket.channel, 'web');

  // Copy the number.
  // The button itself says it copied (a toast would cover the 请保存 warning below).
  await press(page, 'receipt.copy_number');
  await waitWidget(page, 'receipt.copy_number', (w) => w.label === '已复制');
  await waitWidget(page, 'copied', (w) => w.role === 'status' && w.value === '已复制');
  assert.equal(await page.evaluate(() => window.portal.widgets().some((w) => w.id === 'toast')), false);
  await screenshot(page, 'phone-08b-receipt-copied');
  assert.equal(await page.evaluate(() => window.portal.lastCopied), number);

  // Its page, straight from the receipt.
  await press(page, 'receipt.view');
  await waitScreen(page, 'ticket');
  await waitWidget(page, 'ticket.status', (w) => w.value === STATUS_ZH[ticket.status]);
  assert.equal((await widget(page, 'ticket.description')).value, description);
  assert.equal((await widget(page, 'ticket.number')).value, number);
  assertFits(await widgets(page), 360);
  await screenshot(page, 'phone-09-ticket');
  await reveal(page, 'ticket.refresh');
  await screenshot(page, 'phone-10-ticket-bottom');

  // The system back button walks back through the screens: ticket, receipt, home.
  await page.goBack();
  await waitScreen(page, 'receipt');
  await page.goBack();
  await waitScreen(page, 'home');

  // Track it by number and code from the home page, typing both.
  await waitWidget(page, 'home.recent.0', (w) => w.label === number);
  await press(page, 'home.track');
  await waitScreen(page, 'track');
  await focusField(page, 'track.number');
  await typeKeys(page, number.toLowerCase());  // typed in any case, shown upper case
  await waitWidget(page, 'track.number', (w) => w.value === number);
  await focusField(page, 'track.code');
  await typeKeys(page, code);
  await screenshot(page, 'phone-11-track');
  await press(page, 'track.button');
  await waitScreen(page, 'ticket');
  await waitWidget(page, 'ticket.status', (w) => w.value === STATUS_ZH[ticket.status]);

  // The same page in English.
  await press(page, 'lang.toggle');
  await waitWidget(page, 'ticket.status', (w) => w.value === STATUS_EN[ticket.status]);
  await waitWidget(page, 'ticket.category', (w) => w.value === 'Noise nuisance');
  await screenshot(page, 'phone-12-ticket-en');
  const atlas = await page.evaluate(() => window.portal.glyphAtlas);
  console.log(`# phone glyphs: ${atlas.glyphs} in a ${atlas.texture} px texture at DPR 3, ` +
    `${atlas.drawn} drawn in ${atlas.ms.toFixed(1)} ms, ${atlas.resets} resets`);
}));

test('desktop: keyboard editing, wrong access code, mouse and wheel', () =>
  withPortal(browser, DESKTOP, 'desktop', async (page, timing) => {
  console.log(`# desktop first frame: ${timing.firstFrameMs.toFixed(0)} ms after navigation start`);
  await waitWidget(page, 'home.submit');
  // A centred column on a wide screen.
  const tile = await widget(page, 'home.submit');
  assert.ok(tile.x > 300, `column starts at ${tile.x}`);
  await screenshot(page, 'desktop-01-home');

  await press(page, 'home.submit');
  await waitScreen(page, 'submit');
  await press(page, 'submit.category');
  await waitScreen(page, 'categories');
  // The search narrows the list down.
  await focusField(page, 'categories.search');
  await insertText(page, '路灯');
  await waitWidget(page, 'category.city.streetlight');
  assert.deepEqual((await widgets(page)).filter((w) => w.id.startsWith('category.')).map((w) => w.id),
    ['category.city.streetlight']);
  await press(page, 'category.city.streetlight');
  await waitScreen(page, 'submit');

  // Typing with editing keys: every key once, Backspace and arrows edit in place.
  await focusField(page, 'submit.description');
  await typeKeys(page, 'Lamp 3 is broken');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await typeKeys(page, 'out');
  await page.keyboard.press('Home');
  await insertText(page, '路灯：');
  await waitWidget(page, 'submit.description', (w) => w.value === '路灯：Lamp 3 is out');
  // Enter starts a new line in the description.
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await insertText(page, '古槐路与建设路路口以北第三根');
  const description = '路灯：Lamp 3 is out\n古槐路与建设路路口以北第三根';
  await waitWidget(page, 'submit.description', (w) => w.value === description);

  // Select all and copy goes to the system clipboard; paste brings it into another field
  // (on one line there).
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  await page.waitForFunction((d) => window.portal.lastCopied === d, description);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), description);
  await page.keyboard.press('End');

  // Tab moves on to the next field.
  await page.keyboard.press('Tab');
  await waitWidget(page, 'submit.address', (w) => w.active);
  await page.keyboard.press('Control+V');
  await waitWidget(page, 'submit.address', (w) => w.value === description.replace('\n', ' '));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await waitWidget(page, 'submit.address', (w) => w.value === '');
  await insertText(page, '古槐路');
  await focusField(page, 'submit.name');
  await insertText(page, '李女士');
  await focusField(page, 'submit.phone');
  await typeKeys(page, '0537-2345678');
  // Where exactly is not known: the hotline centre takes it.
  await press(page, 'submit.location_unknown');
  await waitWidget(page, 'submit.location_unknown', (w) => w.value === 'true');
  await screenshot(page, 'desktop-02-form');
  await press(page, 'submit.button');
  await waitScreen(page, 'receipt');
  const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
  const code = (await widget(page, 'receipt.code')).value;
  const filed = await apiTicket(number, code);
  assert.equal(filed.description, description);
  assert.equal(filed.level, 'district');
  await screenshot(page, 'desktop-03-receipt');

  // A wrong access code is refused with a clear message at the form.
  await press(page, 'receipt.home');
  await waitScreen(page, 'home');
  await press(page, 'home.track');
  await waitScreen(page, 'track');
  await focusField(page, 'track.number');
  await typeKeys(page, number);
  await focusField(page, 'track.code');
  await typeKeys(page, code === 'WRONG1' ? 'WRONG2' : 'WRONG1');
  await page.keyboard.press('Enter');  // Enter in the form looks it up, as the button does
  const err = await waitWidget(page, 'track.error', (w) => !!w.value);
  assert.equal(err.value, '未找到该事项，请核对受理编号和查询码');
  await screenshot(page, 'desktop-04-track-refused');

  // Back home; a narrower window keeps the layout in one column.
  await press(page, 'nav.back');
  await waitScreen(page, 'home');
  await page.setViewportSize({ width: 700, height: 700 });
  await waitWidget(page, 'home.submit', (w) => Math.abs(w.x - 66) < 1);
  assertFits(await widgets(page), 700);
  await screenshot(page, 'desktop-05-narrow');
}));
