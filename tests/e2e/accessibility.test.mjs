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

test('phone: submit, track and rate with the keyboard and the accessibility tree only', async () => {
  const { page, context } = await openPortal(browser, PHONE);
  try {
    // Tab from the page reaches the first control, with a visible ring.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      return { inMirror: !!el.closest('#portal-semantics'), outline: getComputedStyle(el).outlineStyle };
    });
    assert.deepEqual(first, { inMirror: true, outline: 'solid' });
    await page.getByRole('heading', { level: 1 }).waitFor();
    await assertAxeClean(page, 'home');

    await activate(page, page.getByRole('button', { name: '我要反映', exact: true }));
    await page.getByRole('heading', { name: '反映问题', level: 1 }).waitFor();
    // Sending it empty: the errors are on the fields, and announced.
    await activate(page, page.getByRole('button', { name: '提交', exact: true }));
    const description = page.getByRole('textbox', { name: '问题描述', exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]'));
    assert.equal(await description.getAttribute('aria-invalid'), 'true');
    assert.equal(await description.getAttribute('aria-description'), '此项必填');
    await page.waitForFunction(() => /此项必填/.test(document.getElementById('portal-live').textContent));
    await assertAxeClean(page, 'submit');

    await activate(page, page.getByRole('button', { name: /^问题类型/ }));
    await activate(page, page.getByRole('button', { name: '噪声扰民', exact: true }));
    await page.getByRole('button', { name: '问题类型：噪声扰民' }).waitFor();
    const text = '楼下广场舞音响声音太大，晚上十点后仍未停止';
    await typeInto(page, '问题描述', text);
    await typeInto(page, '联系人', '王玥');
    await typeInto(page, '联系电话', '13800138066');
    // Tab goes on from the field being edited to the next control.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('#portal-semantics')), true);
    await screenshot(page, 'phone-80-a11y-submit-filled');
    await activate(page, page.getByRole('button', { name: '提交', exact: true }));

    // The receipt: number and code are text a screen reader reads, with copy buttons.
    const numberText = await page.getByText(/^受理编号：RC\d{16}$/).textContent();
    const codeText = await page.getByText(/^查询码：\S+$/).textContent();
    const number = numberText.split('：')[1], code = codeText.split('：')[1];
    await page.getByRole('button', { name: '复制' }).first().waitFor();
    await assertAxeClean(page, 'receipt');
    const t = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(t.status, 200);
    assert.equal(t.json.description, text);

    // Track it from the home screen by number and code.
    await activate(page, page.getByRole('button', { name: '返回首页', exact: true }));
    await activate(page, page.getByRole('button', { name: '查询进度', exact: true }));
    await typeInto(page, '受理编号', number);
    await typeInto(page, '查询码', code);
    await activate(page, page.getByRole('button', { name: '查询', exact: true }));
    await page.getByText(`受理编号：${number}`).waitFor();
    await page.getByText(`问题描述：${text}`).waitFor();
    await assertAxeClean(page, 'ticket');

    // Resolved by the grid worker (API); the page updates live and offers the rating.
    const gw = await workerOf(t.json.grid.id);
    for (const action of [{ action: 'accept' }, { action: 'resolve', reply: '已联系场地管理方，晚上九点半后停止使用音响。' }]) {
      const r = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: action });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    const rate = page.getByRole('button', { name: '评价办理结果', exact: true });
    await rate.waitFor({ timeout: 15000 });
    await activate(page, rate);
    await activate(page, page.getByRole('button', { name: '已解决', exact: true }));
    assert.equal(await page.getByRole('button', { name: '已解决', exact: true }).getAttribute('aria-pressed'), 'true');
    await activate(page, page.getByRole('button', { name: '非常满意', exact: true }));
    assert.equal(await page.getByRole('button', { name: '非常满意', exact: true }).getAttribute('aria-pressed'), 'true');
    await assertAxeClean(page, 'rate');
    await activate(page, page.getByRole('button', { name: '提交评价', exact: true }));
    await page.getByText(/^评价：/).waitFor({ timeout: 15000 });
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
    await screenshot(page, 'failed-a11y').catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
});
