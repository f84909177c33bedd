// Links and reload, in real Chromium against the real server: every screen has its
// address (API.md "Client routes"); a link with #c= opens an anonymous submitter's
// ticket and the code leaves the address bar; reload keeps the screen, the ticket and
// a half-filled form; Back and Forward walk five screens; the tickets of this device
// are listed at home with their status and can be removed; the report's place is the
// citizen's choice (the map, their position, or "I don't know where exactly", which
// files it to the district hotline centre).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, focusField, insertText, launch, openPortal, portalUrl, press, reveal,
  screenshot, settle, typeKeys, waitScreen, waitWidget, widget, widgets,
} from './lib/portal.mjs';
import { accountOf, api, login } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// An anonymous report over the API, in the grid of the district's middle.
async function report(description = '小区门口路灯不亮已经一周，晚上出行不便。') {
  const r = await api('POST', '/api/v1/tickets', {
    body: {
      category: 'city.streetlight', description,
      location: { lat: 35.41, lng: 116.58, address: '古槐路 18 号' },
      contact: { name: '周女士', phone: '13800138061' },
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

function where(page) {
  const u = new URL(page.url());
  return u.pathname + u.hash;
}

async function ready(page) {
  await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 30000 });
  await settle(page);
}
async function goto(page, path) {
  await page.goto(new URL(path.replace(/^\//, ''), portalUrl()).href);
  await ready(page);
}
async function reload(page) {
  await page.reload();
  await ready(page);
}
async function back(page) {
  await page.goBack();
  await ready(page);
}
async function forward(page) {
  await page.goForward();
  await ready(page);
}

// On the sign-in screen an address asked for: sign in there.
async function signInHere(page, name) {
  await waitScreen(page, 'account');
  await focusField(page, 'account.login');
  await insertText(page, name);
  await focusField(page, 'account.password');
  await insertText(page, 'demo12345');
  await press(page, 'account.submit');
}

test('phone: a link with the code opens the ticket, reload keeps it, the device lists it and forgets it', async () => {
  const t = await report();
  const { page, context } = await openPortal(browser, PHONE, { path: `/t/${t.number}#c=${t.access_code}` });
  try {
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === t.number);
    await waitWidget(page, 'ticket.status', (w) => w.value === '已派单');
    // The fragment with the code is gone from the address bar (and from its history entry).
    assert.equal(where(page), `/t/${t.number}`);
    assert.ok(!page.url().includes(t.access_code), page.url());
    await screenshot(page, 'phone-80-link-ticket');

    // Reload: the same ticket, the code kept on this device.
    await reload(page);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === t.number);
    await waitWidget(page, 'ticket.status', (w) => w.value === '已派单');
    assert.equal(where(page), `/t/${t.number}`);

    // Back leads into the portal's home, where this device's tickets are listed.
    await back(page);
    await waitScreen(page, 'home');
    assert.equal(where(page), '/');
    const row = await waitWidget(page, 'home.recent.0', (w) => w.value === '已派单');
    assert.equal(row.label, t.number);
    await reveal(page, 'home.recent.0');
    await screenshot(page, 'phone-81-home-device-list');

    // The status follows the ticket: accepted by its grid worker, shown so at home later.
    const gw = await login(await accountOf('grid_worker', t.grid_id));
    const acted = await api('POST', `/api/v1/tickets/${t.number}/actions`, { token: gw, body: { action: 'accept' } });
    assert.equal(acted.status, 200, JSON.stringify(acted.json));
    await reload(page);
    await waitWidget(page, 'home.recent.0', (w) => w.value === '已受理');

    // Remove: asked first, then gone from the list and from this browser.
    await press(page, 'home.recent.0.remove');
    await waitWidget(page, 'home.recent.0.confirm');
    assert.match((await widget(page, 'home.recent.0')).value, /移除/);
    await reveal(page, 'home.recent.0.keep');
    await screenshot(page, 'phone-82-home-remove-ask');
    await press(page, 'home.recent.0.keep');
    await waitWidget(page, 'home.recent.0.remove');
    await press(page, 'home.recent.0.remove');
    await press(page, 'home.recent.0.confirm');
    await waitWidget(page, 'toast', (w) => w.value === '已从本机移除');
    assert.equal(await widget(page, 'home.recent.0'), null);
    const kept = await page.evaluate(() => localStorage.getItem('portal.recent'));
    assert.ok(!kept.includes(t.number), kept);
    await reload(page);
    assert.equal(await widget(page, 'home.recent.0'), null);

    // Without the code on the device, the ticket's address asks for it.
    await goto(page, `/t/${t.number}`);
    await waitScreen(page, 'track');
    assert.equal((await widget(page, 'track.number')).value, t.number);
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }
});

test('phone: reload keeps every route', async () => {
  const t = await report('井盖破损，车辆经过有危险，请尽快修复。');
  const gwLogin = await accountOf('grid_worker', t.grid_id);
  const { page, context } = await openPortal(browser, PHONE, { path: `/t/${t.number}#c=${t.access_code}` });
  try {
    await waitScreen(page, 'ticket');
    const routes = [
      ['/', 'home'], ['/submit', 'submit'], ['/track', 'track'], ['/board', 'board'],
      ['/services', 'services'], [`/t/${t.number}`, 'ticket'],
      // An account's screens ask to sign in first.
      ['/me', 'account'], ['/work', 'account'], [`/work/t/${t.number}`, 'account'], ['/cockpit', 'account'],
    ];
    for (const [path, screen] of routes) {
      await goto(page, path);
      await waitScreen(page, screen);
      assert.equal(where(page), path, `${path} keeps its address`);
      await reload(page);
      await waitScreen(page, screen);
      assert.equal(where(page), path, `${path} after reload`);
      if (screen === 'ticket') await waitWidget(page, 'ticket.number', (w) => w.value === t.number);
      // Back from a link leads home.
      assert.ok((await widget(page, 'nav.back')) !== null || screen === 'home', `${path}: a way back`);
    }

    // Sign in where the address asked for it (the workbench's ticket): that ticket, then
    // a reload keeps it (the session lives in this tab).
    await goto(page, `/work/t/${t.number}`);
    await signInHere(page, gwLogin);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === t.number);
    await waitWidget(page, 'act.accept');
    assert.equal(where(page), `/work/t/${t.number}`);
    await reload(page);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.number', (w) => w.value === t.number);
    await goto(page, '/work');
    await waitScreen(page, 'queue');
    await waitWidget(page, `queue.${t.number}`);
    await reload(page);
    await waitScreen(page, 'queue');
    // The ticket from the queue has the workbench's address.
    await press(page, `queue.${t.number}`);
    await waitScreen(page, 'ticket');
    assert.equal(where(page), `/work/t/${t.number}`);
    await screenshot(page, 'phone-83-work-ticket');
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }

  // A citizen at /me and a leader at /cockpit: signed in there, they stay there.
  for (const [path, name, screen] of [['/me', 'cz006', 'my_tickets'], ['/cockpit', 'ds01', 'cockpit']]) {
    const c = await openPortal(browser, PHONE, { path });
    try {
      await signInHere(c.page, name);
      await waitScreen(c.page, screen);
      assert.equal(where(c.page), path);
      await reload(c.page);
      await waitScreen(c.page, screen);
      assert.equal(where(c.page), path);
      assert.deepEqual(c.page.portalErrors, []);
    } finally {
      await c.context.close();
    }
  }
});

test('desktop: Back and Forward walk five screens, the address bar with them', async () => {
  const { page, context } = await openPortal(browser, DESKTOP);
  try {
    // A citizen signs in (my tickets), goes home, then: account, my tickets, report form,
    // category picker.
    await press(page, 'home.account');
    await signInHere(page, 'cz007');
    await waitScreen(page, 'my_tickets');
    await press(page, 'nav.back');
    await waitScreen(page, 'home');
    const steps = [['home', '/']];
    await press(page, 'home.account');
    await waitScreen(page, 'account');
    steps.push(['account', '/me']);
    await press(page, 'account.mine');
    await waitScreen(page, 'my_tickets');
    steps.push(['my_tickets', '/me']);
    await press(page, 'mine.new');
    await waitScreen(page, 'submit');
    steps.push(['submit', '/submit']);
    await press(page, 'submit.category');
    await waitScreen(page, 'categories');
    steps.push(['categories', '/submit']);
    assert.equal(where(page), '/submit');

    for (let i = steps.length - 2; i >= 0; i--) {
      await page.goBack();
      await waitScreen(page, steps[i][0]);
      assert.equal(where(page), steps[i][1], `back to ${steps[i][0]}`);
    }
    for (let i = 1; i < steps.length; i++) {
      await page.goForward();
      await waitScreen(page, steps[i][0]);
      assert.equal(where(page), steps[i][1], `forward to ${steps[i][0]}`);
    }
    // The app's own back button walks the same entries.
    await press(page, 'nav.back');
    await waitScreen(page, 'submit');
    await press(page, 'nav.back');
    await waitScreen(page, 'my_tickets');
    await page.goForward();
    await waitScreen(page, 'submit');
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }
});

test('phone: a half-filled form survives a reload; the place must be chosen; "don\'t know" goes to the hotline centre', async () => {
  const { page, context } = await openPortal(browser, PHONE, { path: '/submit' });
  try {
    await waitScreen(page, 'submit');
    await press(page, 'submit.category');
    await waitScreen(page, 'categories');
    await press(page, 'category.env.noise');
    await waitScreen(page, 'submit');
    await focusField(page, 'submit.description');
    await insertText(page, '夜里工地施工噪音很大，吵得睡不着');
    await focusField(page, 'submit.address');
    await insertText(page, '大概在火车站南边');
    await focusField(page, 'submit.name');
    await insertText(page, '吴先生');

    // Reload: everything typed is still there.
    await reload(page);
    await waitScreen(page, 'submit');
    assert.equal(where(page), '/submit');
    await waitWidget(page, 'submit.category', (w) => w.value === '噪声扰民');
    assert.equal((await widget(page, 'submit.description')).value, '夜里工地施工噪音很大，吵得睡不着');
    assert.equal((await widget(page, 'submit.address')).value, '大概在火车站南边');
    assert.equal((await widget(page, 'submit.name')).value, '吴先生');
    await focusField(page, 'submit.phone');
    await typeKeys(page, '13800138062');

    // No place chosen: the error is at the place, and nothing is sent.
    assert.equal((await widget(page, 'submit.lat')).value, '', 'no coordinates are filled in for the citizen');
    await press(page, 'submit.button');
    const loc = await waitWidget(page, 'submit.location', (w) => !!w.error);
    assert.match(loc.error, /不清楚具体位置/);
    assert.equal((await widget(page, 'screen')).value, 'submit');
    await reveal(page, 'submit.location');
    await screenshot(page, 'phone-84-location-required');
    await reveal(page, 'submit.location_unknown');
    await screenshot(page, 'phone-84b-location-required-choices');

    // "I don't know where exactly": the note says who takes it; it survives a reload too.
    await press(page, 'submit.location_unknown');
    await waitWidget(page, 'submit.location_unknown', (w) => w.value === 'true');
    await waitWidget(page, 'submit.location', (w) => !w.error);
    assert.match((await widget(page, 'submit.place')).value, /热线中心/);
    assert.equal(await widget(page, 'submit.lat'), null, 'no coordinates when the place is not known');
    await reveal(page, 'submit.location_unknown');
    await screenshot(page, 'phone-85-location-unknown');
    await reload(page);
    await waitWidget(page, 'submit.location_unknown', (w) => w.value === 'true');
    assert.equal((await widget(page, 'submit.phone')).value, '13800138062');

    await press(page, 'submit.button');
    await waitScreen(page, 'receipt');
    const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
    const code = (await waitWidget(page, 'receipt.code', (w) => !!w.value)).value;
    assert.match((await widget(page, 'receipt.lead')).value, /热线中心/);
    assert.equal(where(page), `/t/${number}`);
    await screenshot(page, 'phone-86-receipt-hotline');

    // Over the API: at the district level, with the hotline centre, no point.
    const r = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.level, 'district');
    assert.equal(r.json.assignee.id, 'district');
    assert.equal(r.json.assignee.name, '任城区政务热线服务中心');
    assert.equal(r.json.location.address, '大概在火车站南边');
    assert.equal(r.json.location.lat, undefined);
    assert.equal(r.json.grid, null);

    // Its page says where it went; the form starts clean, the place to be chosen again.
    await press(page, 'receipt.view');
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.area', (w) => /热线中心/.test(w.value));
    await goto(page, '/submit');
    await waitScreen(page, 'submit');
    assert.equal((await widget(page, 'submit.description')).value, '');
    assert.equal((await widget(page, 'submit.location_unknown')).value, 'false');
    assert.deepEqual(page.portalErrors, []);
  } finally {
    await context.close();
  }
});
