// Notifications end to end (SPEC §12, API.md "Notifications"): the real server posts
// its messages to an SMS gateway this test runs (real HTTP, run-e2e.sh ... notify);
// each carries the gateway's signature. A citizen's report: `received` with the number,
// the access code and a link; the handler resolves: `resolved` with a link that, opened
// in Chromium, shows the rating form of that ticket, and the rating given there closes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import {
  PHONE, launch, openPortal, press, screenshot, settle, waitScreen, waitWidget,
} from './lib/portal.mjs';
import { accountOf, api, login } from './lib/api.mjs';

const PORT = Number(process.env.PORTAL_NOTIFY_PORT);
const SECRET = process.env.PORTAL_NOTIFY_SECRET;

let browser, gateway;
const got = [];
before(async () => {
  if (!PORT || !SECRET) throw new Error('run through run-e2e.sh with "notify"');
  gateway = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ id: req.headers['x-portal-delivery'], signature: req.headers['x-portal-signature'], body,
        json: JSON.parse(body) });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => gateway.listen(PORT, '127.0.0.1', r));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await new Promise((r) => gateway?.close(r));
});

async function message(kind, number, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const m = got.find((d) => d.json.kind === kind && d.json.ticket === number);
    if (m) return m;
    if (Date.now() > end) throw new Error(`no ${kind} message for ${number}: ${JSON.stringify(got.map((d) => d.json))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function signed(m) {
  const want = 'sha256=' + crypto.createHmac('sha256', SECRET).update(m.body, 'utf8').digest('hex');
  return m.signature === want && m.id === m.json.id;
}

test('phone: received and resolved reach the gateway signed; the resolved link opens the rating of that ticket', async () => {
  const r = await api('POST', '/api/v1/tickets', {
    body: {
      category: 'city.streetlight', description: '小区门口路灯不亮已经一周，晚上出行不便。',
      location: { lat: 35.41, lng: 116.58, address: '古槐路 18 号' },
      contact: { name: '周女士', phone: '13800138061' }, lang: 'zh', notify: true,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const { number, access_code: code } = r.json;

  const received = await message('received', number);
  assert.ok(signed(received), 'signed with the shared secret');
  assert.equal(received.json.to.phone, '13800138061');
  assert.equal(received.json.lang, 'zh');
  assert.ok(received.json.text.includes(number) && received.json.text.includes(code), received.json.text);
  assert.ok([...received.json.text].length <= 140, received.json.text);
  assert.ok(!received.json.link.includes('13800138061'), 'no phone in a link');

  // The grid worker accepts and resolves.
  const gw = await login(await accountOf('grid_worker', r.json.grid_id));
  for (const body of [{ action: 'accept' }, { action: 'resolve', reply: '已更换灯泡，路灯恢复照明。' }]) {
    const a = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body });
    assert.equal(a.status, 200, JSON.stringify(a.json));
  }
  const resolved = await message('resolved', number);
  assert.ok(signed(resolved));
  assert.ok(resolved.json.text.includes('已更换灯泡'), resolved.json.text);
  const link = resolved.json.link;
  assert.ok(link.endsWith(`/t/${number}#c=${code}&rate`), link);
  assert.ok(resolved.json.text.includes(link), 'the link is in the text');
  assert.notEqual(resolved.id, received.id);

  // The citizen taps the link in the SMS.
  const { page, context } = await openPortal(browser, PHONE, { path: new URL(link).pathname + new URL(link).hash });
  try {
    await waitScreen(page, 'rate');
    await waitWidget(page, 'rate.submit');
    assert.ok(!page.url().includes(code), `the code leaves the address bar: ${page.url()}`);
    await screenshot(page, 'phone-90-sms-link-rating');
    await press(page, 'rate.resolved_yes');
    await press(page, 'rate.s5');
    await press(page, 'rate.submit');
    await waitScreen(page, 'ticket');
    await settle(page);
    await screenshot(page, 'phone-91-sms-link-rated');
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }
  const t = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
  assert.equal(t.json.status, 'closed', 'rated through the link: the ticket is closed');
  assert.equal(t.json.rating.satisfaction, 5);
  // Every message once: the gateway answered 200 each time.
  const ids = got.map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length);
});
