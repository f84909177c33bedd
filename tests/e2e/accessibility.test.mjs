// The canvas as a page for screen readers and the keyboard, in real Chromium: a citizen
// submits, tracks and rates through the accessibility mirror alone (Playwright's role
// and label locators, focus and keys, never the widget list's coordinates); axe-core
// finds no violation on the main screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PHONE, launch, openPortal, screenshot, settle } from './lib/portal.mjs';
import { api, workerOf } from './lib/api.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// What a keyboard or screen reader user does with a control: focus it, press Enter.
async function activate(page, locator) {
  await locator.focus();
  await page.keyboard.press('Enter');
  await settle(page);
}

// Focus on a text field's node starts editing it: the hidden field, named like it, takes
// the typing (IME commits through Input.insertText, as a Chinese IME does).
async function typeInto(page, name, text) {
  await page.getByRole('textbox', { name, exact: true }).focus();
  await page.waitForFunction((n) => document.activeElement && document.activeElement.id === 'portal-input' &&
    document.activeElement.getAttribute('aria-label') === n, name);
  await page.keyboard.insertText(text);
  await settle(page);
}

// axe-core on the page as it is now: no violation (the canvas itself is aria-hidden;
// what is checked is the mirror and the page around it).
async function assertAxeClean(page, where) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(found, [], `axe on ${where}`);
}

// The names the flow reads, in each language.
const ZH = {
  report: '我要反映', submitTitle: '反映问题', submit: '提交', description: '问题描述', required: '此项必填',
  category: '问题类型', noise: '噪声扰民', name: '联系人', phone: '联系电话', number: '受理编号',
  code: '查询码', copy: '复制', backHome: '返回首页', track: '查询进度', lookUp: '查询', rate: '评价办理结果',
  solved: '已解决', verySatisfied: '非常满意', sendRating: '提交评价', rating: '评价', sep: '：',
  elderly: '长辈版', myLocation: '使用我的位置', placeGrid: '所在网格',
};
const EN = {
  report: 'Report a matter', submitTitle: 'Report a matter', submit: 'Submit', description: 'Description',
  required: 'Required', category: 'Category', noise: 'Noise nuisance', name: 'Your name', phone: 'Phone',
  number: 'Ticket number', code: 'Access code', copy: 'Copy', backHome: 'Back to home', track: 'Track progress',
  lookUp: 'Look up', rate: 'Rate the result', solved: 'Solved', verySatisfied: 'Very satisfied',
  sendRating: 'Send rating', rating: 'Rating', sep: '：', elderly: 'Large text mode',
  myLocation: 'Use my location', placeGrid: 'Grid',
};
const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function flow(L, { lang = null, elderly = false, shot }) {
  const { page, context } = await openPortal(browser, PHONE, { lang });
  try {
    // Tab from the page reaches the first control, with a visible ring.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      return { inMirror: !!el.closest('#portal-semantics'), outline: getComputedStyle(el).outlineStyle };
    });
    assert.deepEqual(first, { inMirror: true, outline: 'solid' });
    await page.getByRole('heading', { level: 1 }).waitFor();
    if (elderly) {
      // 长辈版 is a switch on the home screen; on, the whole UI is larger (text 20 px,
      // targets 60 px) and stays so on this device.
      const sw = page.getByRole('switch', { name: L.elderly });
      assert.equal(await sw.getAttribute('aria-checked'), 'false');
      await sw.focus();
      await page.keyboard.press('Space');
      await settle(page);
      assert.equal(await page.getByRole('switch', { name: L.elderly }).getAttribute('aria-checked'), 'true');
      assert.equal(await page.evaluate(() => localStorage.getItem('portal.elderly')), '1');
      const box = await page.getByRole('button', { name: L.report, exact: true }).boundingBox();
      assert.ok(box.height >= 60, `the tile is ${box.height} px tall`);
      await screenshot(page, `${shot}-home`);
    }
    await assertAxeClean(page, 'home');

    await activate(page, page.getByRole('button', { name: L.report, exact: true }));
    await page.getByRole('heading', { name: L.submitTitle, level: 1 }).waitFor();
    // Sending it empty: the errors are on the fields, and announced.
    await activate(page, page.getByRole('button', { name: L.submit, exact: true }));
    const description = page.getByRole('textbox', { name: L.description, exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]'));
    assert.equal(await description.getAttribute('aria-invalid'), 'true');
    assert.equal(await description.getAttribute('aria-description'), L.required);
    await page.waitForFunction((r) => document.getElementById('portal-live').textContent.includes(r), L.required);
    await assertAxeClean(page, 'submit');

    await activate(page, page.getByRole('button', { name: new RegExp(`^${esc(L.category)}`) }));
    await activate(page, page.getByRole('button', { name: L.noise, exact: true }));
    await page.getByRole('button', { name: `${L.category}${L.sep}${L.noise}` }).waitFor();
    const text = '楼下广场舞音响声音太大，晚上十点后仍未停止';
    await typeInto(page, L.description, text);
    await typeInto(page, L.name, '王玥');
    await typeInto(page, L.phone, '13800138066');
    // Where: a keyboard user takes the device's position (the map needs a pointer).
    await context.grantPermissions(['geolocation']);
    await context.setGeolocation({ latitude: 35.41, longitude: 116.58 });
    await activate(page, page.getByRole('button', { name: L.myLocation, exact: true }));
    await page.getByText(new RegExp(`^${esc(L.placeGrid)}${L.sep}.+·`)).waitFor();
    // Tab goes on from the field being edited to the next control.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('#portal-semantics')), true);
    await screenshot(page, `${shot}-submit-filled`);
    await activate(page, page.getByRole('button', { name: L.submit, exact: true }));

    // The receipt: number and code are text a screen reader reads, with copy buttons.
    const numberText = await page.getByText(new RegExp(`^${esc(L.number)}${L.sep}RC\\d{16}$`)).textContent();
    const codeText = await page.getByText(new RegExp(`^${esc(L.code)}${L.sep}\\S+$`)).textContent();
    const number = numberText.split(L.sep)[1], code = codeText.split(L.sep)[1];
    await page.getByRole('button', { name: L.copy }).first().waitFor();
    // The number can also be selected where it is drawn (a double click, a long press).
    await page.getByText(numberText).dblclick();
    assert.equal(await page.evaluate(() => window.getSelection().toString()), number);
    await screenshot(page, `${shot}-receipt`);
    await assertAxeClean(page, 'receipt');
    const t = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(t.status, 200);
    assert.equal(t.json.description, text);

    // Track it from the home screen by number and code.
    await activate(page, page.getByRole('button', { name: L.backHome, exact: true }));
    await activate(page, page.getByRole('button', { name: L.track, exact: true }));
    await typeInto(page, L.number, number);
    await typeInto(page, L.code, code);
    await activate(page, page.getByRole('button', { name: L.lookUp, exact: true }));
    await page.getByText(`${L.number}${L.sep}${number}`).waitFor();
    await page.getByText(`${L.description}${L.sep}${text}`).waitFor();
    await screenshot(page, `${shot}-ticket`);
    await assertAxeClean(page, 'ticket');

    // Resolved by the grid worker (API); the page updates live and offers the rating.
    const gw = await workerOf(t.json.grid.id);
    for (const action of [{ action: 'accept' }, { action: 'resolve', reply: '已联系场地管理方，晚上九点半后停止使用音响。' }]) {
      const r = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: action });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    const rate = page.getByRole('button', { name: L.rate, exact: true });
    await rate.waitFor({ timeout: 15000 });
    await activate(page, rate);
    await activate(page, page.getByRole('button', { name: L.solved, exact: true }));
    assert.equal(await page.getByRole('button', { name: L.solved, exact: true }).getAttribute('aria-pressed'), 'true');
    // The 1-5 scale is one choice: radios, exactly one of them checked.
    await activate(page, page.getByRole('radio', { name: L.verySatisfied, exact: true }));
    assert.equal(await page.getByRole('radio', { name: L.verySatisfied, exact: true }).getAttribute('aria-checked'), 'true');
    assert.equal(await page.getByRole('radio').count(), 5);
    assert.equal(await page.getByRole('radio', { checked: true }).count(), 1);
    await assertAxeClean(page, 'rate');
    await activate(page, page.getByRole('button', { name: L.sendRating, exact: true }));
    await page.getByText(new RegExp(`^${esc(L.rating)}${L.sep}`)).waitFor({ timeout: 15000 });
    const rated = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(rated.json.rating.satisfaction, 5);
    assert.equal(rated.json.rating.resolved, true);

    // Escape goes back.
    const before = await page.evaluate(() => window.portal.widget('screen').value);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction((b) => window.portal.widget('screen').value !== b, before);
    assert.deepEqual(page.portalErrors, []);
  } catch (e) {
    await screenshot(page, `failed-${shot}`).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
}

test('phone: submit, track and rate with the keyboard and the accessibility tree only', () =>
  flow(ZH, { shot: 'phone-90-a11y' }));
test('phone, 长辈版: the same flow, larger', () => flow(ZH, { elderly: true, shot: 'phone-91-elderly' }));
test('phone, English: the same flow', () => flow(EN, { lang: 'en', shot: 'phone-92-a11y-en' }));

// Nothing runs off the right edge (screens scroll vertically only).
async function assertFits(page, width, where) {
  for (const w of await page.evaluate(() => window.portal.widgets())) {
    if (w.kind === 'screen' || !w.visible) continue;
    assert.ok(w.x >= -0.5 && w.x + w.w <= width + 0.5, `${where}: ${w.id || w.label} (${w.x}+${w.w}) overflows ${width} px`);
  }
}

test('desktop at 200 % zoom and a phone pinched: the layout reflows, nothing clipped', async () => {
  // 1280x800 at 200 % browser zoom is a 640x400 CSS px viewport at twice the pixels.
  const zoomed = await openPortal(browser, { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  try {
    const p = zoomed.page;
    p.device = { hasTouch: false };
    await assertFits(p, 640, 'home at 200 %');
    await screenshot(p, 'desktop-93-zoom-200-home');
    await activate(p, p.getByRole('button', { name: '我要反映', exact: true }));
    await p.getByRole('heading', { name: '反映问题', level: 1 }).waitFor();
    await assertFits(p, 640, 'submit at 200 %');
    await screenshot(p, 'desktop-94-zoom-200-submit');
    assert.deepEqual(p.portalErrors, []);
  } finally {
    await zoomed.context.close();
  }

  // Two fingers spread on a phone (outside the map) zoom the page, which reflows.
  const phone = await openPortal(browser, PHONE);
  try {
    const p = phone.page;
    const before = (await p.evaluate(() => window.portal.widget('home.submit'))).h;
    const cdp = await p.context().newCDPSession(p);
    const pts = (d) => [{ x: 180 - d, y: 420, id: 1 }, { x: 180 + d, y: 420, id: 2 }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: pts(40) });
    for (let d = 45; d <= 100; d += 5) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: pts(d) });
      await p.waitForTimeout(16);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp.detach();
    await settle(p);
    const after = (await p.evaluate(() => window.portal.widget('home.submit'))).h;
    assert.ok(after > before * 1.5, `the tile grew from ${before} to ${after} px`);
    await assertFits(p, 360, 'home pinched');
    await screenshot(p, 'phone-95-pinch-zoom');
    assert.deepEqual(p.portalErrors, []);
  } finally {
    await phone.context.close();
  }
});

test('phone: my matters and the public board through the keyboard; axe finds nothing', async () => {
  const { page, context } = await openPortal(browser, PHONE);
  try {
    await activate(page, page.getByRole('button', { name: '登录 / 注册', exact: true }));
    // Citizens sign in with their phone, staff with a username: the label says both.
    await typeInto(page, '手机号/用户名', 'cz003');
    await typeInto(page, '密码', 'demo12345');
    await activate(page, page.getByRole('button', { name: '登录', exact: true }));
    await page.getByRole('heading', { name: '我的诉求', level: 1 }).waitFor({ timeout: 15000 });
    await settle(page);
    await assertAxeClean(page, 'my matters');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '群众满意度公示', exact: true }).waitFor();
    await activate(page, page.getByRole('button', { name: '群众满意度公示', exact: true }));
    await page.getByRole('heading', { name: '群众满意度公示', level: 1 }).waitFor();
    await settle(page);
    await assertAxeClean(page, 'the board');
    await screenshot(page, 'phone-96-a11y-board');
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }
});
