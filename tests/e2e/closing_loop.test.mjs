// Closing the loop, in real Chromium against the real server: the link of a "resolved"
// text message, /t/{number}#c={code}&rate, opens the ticket's rating form at once with
// its first choice focused, and the fragment leaves the address bar; the same link
// for a ticket not resolved yet opens its page. A signed-in citizen's switch for text
// messages shows what the server holds, and says so when a change is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, launch, openPortal, press, screenshot, signIn, waitScreen, waitWidget, withPortal,
} from './lib/portal.mjs';
import { api, login, workerOf } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const REPLY = '路灯已更换，恢复照明。感谢您的反映。';

// An anonymous report over the API; accepted, and resolved when asked, by its grid's worker.
async function reportAndHandle({ resolve }) {
  const r = await api('POST', '/api/v1/tickets', {
    body: {
      category: 'city.streetlight', description: '小区门口路灯不亮已经一周，晚上出行不便。',
      location: { lat: 35.41, lng: 116.58, address: '古槐路 18 号' },
      contact: { name: '周女士', phone: '13800138062' }, lang: 'zh', notify: true,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const { number, access_code: code, grid_id: grid } = r.json;
  const gw = await workerOf(grid);
  const act = (body) => api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body });
  assert.equal((await act({ action: 'accept' })).status, 200);
  if (resolve) {
    const done = await act({ action: 'resolve', reply: REPLY });
    assert.equal(done.status, 200, JSON.stringify(done.json));
    assert.equal(done.json.status, 'resolved');
  }
  return { number, code };
}

// The text of the accessibility mirror: what a screen reader (or a search) finds.
// Names given as aria-label (check boxes, radios, images) count too.
const mirrorText = (page) => page.evaluate(() => {
  const root = document.getElementById('portal-semantics');
  const labels = [...root.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'));
  return [root.textContent, ...labels].join(' ');
});

test('phone: the rating link opens the form of the resolved ticket, focused, and the fragment goes', async () => {
  const { number, code } = await reportAndHandle({ resolve: true });
  const { page, context } = await openPortal(browser, PHONE, { path: `/t/${number}#c=${code}&rate` });
  try {
    await waitScreen(page, 'rate');
    // The form of that ticket: its number and the reply it rates, in the mirror too.
    await waitWidget(page, 'rate.ticket', (w) => w.value === number);
    await waitWidget(page, 'rate.reply', (w) => w.value === REPLY);
    await waitWidget(page, 'rate.resolved_yes', (w) => w.visible && w.enabled);
    await waitWidget(page, 'rate.s5');
    const text = await mirrorText(page);
    for (const part of [number, REPLY, '问题是否已解决？', '已解决', '非常满意'])
      assert.ok(text.includes(part), `${part} not in the mirror: ${text.slice(0, 300)}`);
    // The keyboard and screen readers start at the first choice.
    await page.waitForFunction(() => document.activeElement?.dataset?.id === 'rate.resolved_yes',
      null, { timeout: 5000 });
    // The address bar: the ticket's address, no fragment, no code.
    const url = new URL(page.url());
    assert.equal(url.pathname, `/t/${number}`);
    assert.equal(url.hash, '');
    assert.ok(!page.url().includes(code), page.url());
    await screenshot(page, 'phone-rate-link');
    // Back: the ticket's page under it.
    await page.goBack();
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === number);
    await waitWidget(page, 'ticket.rate');
    assert.equal(new URL(page.url()).hash, '');
  } finally {
    await context.close();
  }
});

test('phone: the rating link of a ticket still being handled opens its page', async () => {
  const { number, code } = await reportAndHandle({ resolve: false });
  const { page, context } = await openPortal(browser, PHONE, { path: `/t/${number}#c=${code}&rate` });
  try {
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === number);
    await waitWidget(page, 'ticket.status', (w) => w.value === '已受理');
    assert.equal(await page.evaluate(() => window.portal.widget('rate.resolved_yes')), null);
    assert.equal(new URL(page.url()).hash, '');
  } finally {
    await context.close();
  }
});

// Playwright routes no request of a page under a service worker: this test runs without.
const PHONE_NO_WORKER = { ...PHONE, serviceWorkers: 'block' };

test('phone: the account switch shows the text setting the server holds, and a refused change', () =>
  withPortal(browser, PHONE_NO_WORKER, 'notify-setting', async (page) => {
    // The real server answers, except that the first change is refused on the way (as a
    // busy server would).
    const puts = [];
    await page.route('**/api/v1/me/notifications', async (route) => {
      const req = route.request();
      if (req.method() === 'GET') return route.continue();
      assert.equal(req.method(), 'PUT');
      assert.ok(req.headers().authorization?.startsWith('Bearer '), 'sent with the account\'s token');
      const body = JSON.parse(req.postData());
      puts.push(body);
      if (puts.length === 1)
        return route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'busy' } } });
      return route.continue();
    });
    await signIn(page, 'cz005', { lands: 'my_tickets' });
    await page.goBack();
    await waitScreen(page, 'home');
    await press(page, 'home.account');
    await waitScreen(page, 'account');
    await waitWidget(page, 'account.notify',
      (w) => w.label === '短信通知办理进展' && w.value === 'true' && w.enabled);
    await screenshot(page, 'phone-account-notify');
    // Off, refused: back on, and said.
    await press(page, 'account.notify');
    await waitWidget(page, 'account.notify.error', (w) => w.label.includes('未能保存'));
    await waitWidget(page, 'account.notify', (w) => w.value === 'true' && w.enabled);
    await screenshot(page, 'phone-account-notify-refused');
    // Again, taken: off, and no error left.
    await press(page, 'account.notify');
    await waitWidget(page, 'account.notify', (w) => w.value === 'false' && w.enabled);
    assert.equal(await page.evaluate(() => window.portal.widget('account.notify.error')), null);
    assert.deepEqual(puts, [{ enabled: false, lang: 'zh' }, { enabled: false, lang: 'zh' }]);
    // The server holds it now.
    const held = await api('GET', '/api/v1/me/notifications', { token: await login('cz005') });
    assert.deepEqual(held.json, { enabled: false, lang: 'zh' });
  }));
