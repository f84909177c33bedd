// The handler workbench, in real Chromium against the real server, on phones: a grid
// worker has the workbench open (one browser context) when a citizen reports a matter
// in another; the ticket arrives live, marked unread; the worker accepts and escalates
// it in the UI; the community escalates it on (API); a street user whistles two units
// in the UI; both units check in and finish (API); the street user resolves it in the
// UI and the citizen rates it with the access code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, focusField, insertText, launch, openPortal, portalUrl, press, screenshot,
  waitScreen, waitWidget, widget, widgets,
} from './lib/portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(new URL(path.replace(/^\//, ''), portalUrl()), {
    method,
    headers: {
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function login(name) {
  const r = await api('POST', '/api/v1/auth/login', { body: { login: name, password: 'demo12345' } });
  assert.equal(r.status, 200, `login ${name}: ${JSON.stringify(r.json)}`);
  return r.json.token;
}

// The login name of the first account of `role` whose record mentions `id`.
let adminToken = null;
async function accountOf(role, id) {
  adminToken = adminToken || await login('admin');
  for (let page = 1; page <= 40; page++) {
    const r = await api('GET', `/api/v1/users?role=${role}&page=${page}&page_size=200`, { token: adminToken });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const u = r.json.items.find((x) => x.role === role && JSON.stringify(x).includes(`"${id}"`));
    if (u) return u.username || u.login || u.phone;
    if (r.json.items.length === 0) break;
  }
  throw new Error(`no ${role} account for ${id}`);
}

async function act(token, number, body) {
  const r = await api('POST', `/api/v1/tickets/${number}/actions`, { token, body });
  assert.equal(r.status, 200, `${body.action}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function signIn(page, name) {
  await press(page, 'home.account');
  await waitScreen(page, 'account');
  await focusField(page, 'account.login');
  await insertText(page, name);
  await focusField(page, 'account.password');
  await insertText(page, 'demo12345');
  await press(page, 'account.submit');
  await waitScreen(page, 'queue');
}

async function submitAction(page, action, note) {
  await press(page, `act.${action}`);
  await waitScreen(page, 'action');
  if (note) {
    await focusField(page, 'action.note');
    await insertText(page, note);
  }
  return async () => {
    await press(page, 'action.submit');
    await waitScreen(page, 'ticket');
  };
}

test('phone: live receipt, accept, escalate, whistle two units, resolve, rate', async () => {
  // Where the citizen's default location falls, and who works there.
  const where = await api('GET', '/api/v1/grids/locate?lat=35.41&lng=116.58');
  assert.equal(where.status, 200, JSON.stringify(where.json));
  const gridId = where.json.grid_id;
  const worker = await accountOf('grid_worker', gridId);

  const gw = await openPortal(browser, PHONE);
  const citizen = await openPortal(browser, PHONE);
  let street = null;
  try {
    // The grid worker's workbench is open first.
    await signIn(gw.page, worker);
    await waitWidget(gw.page, 'queue.filter.open');
    await screenshot(gw.page, 'phone-50-workbench');

    // A citizen, without an account, reports a matter in another browser.
    const cp = citizen.page;
    await press(cp, 'home.submit');
    await waitScreen(cp, 'submit');
    await press(cp, 'submit.category');
    await waitScreen(cp, 'categories');
    const cat = (await widgets(cp)).find((w) => w.id.startsWith('category.'));
    await press(cp, cat.id);
    await waitScreen(cp, 'submit');
    await focusField(cp, 'submit.description');
    await insertText(cp, '小区东门下水道堵塞，污水漫到人行道上。');
    await focusField(cp, 'submit.name');
    await insertText(cp, '孙女士');
    await focusField(cp, 'submit.phone');
    await insertText(cp, '13800138050');
    await press(cp, 'submit.button');
    await waitScreen(cp, 'receipt');
    const number = (await waitWidget(cp, 'receipt.number')).value;
    const code = (await waitWidget(cp, 'receipt.code')).value;
    assert.match(number, /^RC\d{16}$/);

    // It arrives on the worker's workbench live, unread.
    const row = await waitWidget(gw.page, `queue.${number}`, (w) => w.unread === true, 15000);
    assert.ok(row);
    await waitWidget(gw.page, 'queue.unread');
    await screenshot(gw.page, 'phone-51-workbench-live');

    // Accept and escalate in the UI.
    await press(gw.page, `queue.${number}`);
    await waitScreen(gw.page, 'ticket');
    await waitWidget(gw.page, 'act.accept');
    await screenshot(gw.page, 'phone-52-ticket-actions');
    await press(gw.page, 'act.accept');
    await waitWidget(gw.page, 'ticket.status', (w) => w.value === '已受理');
    const done = await submitAction(gw.page, 'escalate', '涉及市政管网，需社区协调。');
    await screenshot(gw.page, 'phone-53-escalate-form');
    await done();
    let t = await api('GET', `/api/v1/tickets/${number}`, { token: await login(worker) });
    assert.equal(t.json.level, 'community', 'escalated to the community');

    // The community escalates on to the street.
    const cs = await login(await accountOf('community_staff', where.json.community.id));
    const csTicket = (await api('GET', `/api/v1/tickets/${number}`, { token: cs })).json;
    if (!csTicket.allowed_actions.includes('escalate')) await act(cs, number, { action: 'accept' });
    await act(cs, number, { action: 'escalate', reason: '需住建和水务部门处置。' });

    // A street user whistles two units in the UI.
    const streetLogin = await accountOf('street_staff', where.json.street.id);
    street = await openPortal(browser, PHONE);
    const sp = street.page;
    await signIn(sp, streetLogin);
    await press(sp, `queue.${number}`);
    await waitScreen(sp, 'ticket');
    await waitWidget(sp, 'ticket.level', (w) => w.value.length > 0);
    if (!(await widget(sp, 'act.whistle'))) {
      await press(sp, 'act.accept');
      await waitWidget(sp, 'act.whistle');
    }
    const whistle = await submitAction(sp, 'whistle', '请两家单位到场处置。');
    await waitWidget(sp, 'action.pick.1');
    await press(sp, 'action.pick.0');
    await press(sp, 'action.pick.1');
    await waitWidget(sp, 'action.pick.0', (w) => w.checked === true);
    await waitWidget(sp, 'action.pick.1', (w) => w.checked === true);
    await screenshot(sp, 'phone-54-whistle-form');
    await whistle();
    await waitWidget(sp, 'ticket.whistle.1');
    const streetToken = await login(streetLogin);
    t = await api('GET', `/api/v1/tickets/${number}`, { token: streetToken });
    assert.equal(t.json.whistles.length, 2, 'two units summoned');

    // Both units check in and finish.
    for (const w of t.json.whistles) {
      const unit = await login(await accountOf('unit_staff', w.unit_id));
      await act(unit, number, { action: 'checkin', whistle_id: w.id });
      await act(unit, number, { action: 'whistle_done', whistle_id: w.id, note: '已到场处置完毕。' });
    }

    // The street user's page follows live; they resolve it in the UI.
    await waitWidget(sp, 'act.resolve', () => true, 15000);
    const resolve = await submitAction(sp, 'resolve', '管网已疏通，路面已清理。');
    await resolve();
    await waitWidget(sp, 'ticket.status', (w) => w.value === '已办结');
    await screenshot(sp, 'phone-55-resolved');

    // The citizen rates it with the access code.
    const rated = await api('POST', `/api/v1/tickets/${number}/rating`, {
      body: { resolved: true, satisfaction: 5, comment: '处理及时' }, headers: { 'X-Access-Code': code },
    });
    assert.equal(rated.status, 200, JSON.stringify(rated.json));
    assert.equal(rated.json.status, 'closed');
    await waitWidget(sp, 'ticket.status', (w) => w.value === '已关闭', 15000);

    // English workbench.
    await press(sp, 'lang.toggle');
    await sp.goBack();
    await waitScreen(sp, 'queue');
    await screenshot(sp, 'phone-56-workbench-en');
    for (const p of [gw.page, cp, sp]) assert.deepEqual(p.portalErrors, [], 'errors on the page');
  } catch (e) {
    await screenshot(gw.page, 'failed-workbench-gw').catch(() => {});
    if (street) await screenshot(street.page, 'failed-workbench-street').catch(() => {});
    throw e;
  } finally {
    await gw.context.close();
    await citizen.context.close();
    if (street) await street.context.close();
  }
});
