// The handler workbench, in real Chromium against the real server, on phones: a grid
// worker has the workbench open (one browser context) when a citizen reports a matter
// in another; the ticket arrives live, marked unread; the worker accepts and escalates
// it in the UI; the community escalates it on (API); a street user whistles two units
// in the UI; both units check in and finish (API); the street user resolves it in the
// UI and the citizen rates it with the access code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, focusField, insertText, launch, openPortal, press, screenshot, signIn, waitScreen,
  waitWidget, widget, pickFirstCategory,
} from './lib/portal.mjs';
import { accountOf, api, login } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function act(token, number, body) {
  const r = await api('POST', `/api/v1/tickets/${number}/actions`, { token, body });
  assert.equal(r.status, 200, `${body.action}: ${JSON.stringify(r.json)}`);
  return r.json;
}

// A JPEG made by the browser, as a camera photo would be.
async function photo(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1200;
    c.height = 900;
    const g = c.getContext('2d');
    g.fillStyle = '#4a8';
    g.fillRect(0, 0, 1200, 900);
    return c.toDataURL('image/jpeg', 0.8).split(',')[1];
  });
  return { name: 'result.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

// Signs a handler in and opens the workbench. Leaders (community, street, district
// staff) land in the data cockpit; the workbench is on the home screen.
async function signInToQueue(page, name) {
  if (await signIn(page, name, { lands: ['queue', 'cockpit'] }) === 'cockpit') {
    await page.goBack();
    await waitScreen(page, 'home');
    await press(page, 'home.queue');
  }
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
  // The grid of the place the citizen gives, and who works there.
  const where = await api('GET', '/api/v1/grids/locate?lat=35.41&lng=116.58');
  assert.equal(where.status, 200, JSON.stringify(where.json));
  const gridId = where.json.grid_id;
  const worker = await accountOf('grid_worker', gridId);

  const gw = await openPortal(browser, PHONE);
  const citizen = await openPortal(browser, PHONE);
  let street = null;
  try {
    // The grid worker's workbench is open first.
    await signInToQueue(gw.page, worker);
    await waitWidget(gw.page, 'queue.filter.open');
    await screenshot(gw.page, 'phone-50-workbench');

    // A citizen, without an account, reports a matter in another browser.
    const cp = citizen.page;
    await press(cp, 'home.submit');
    await waitScreen(cp, 'submit');
    await pickFirstCategory(cp);
    await focusField(cp, 'submit.description');
    await insertText(cp, '小区东门下水道堵塞，污水漫到人行道上。');
    // Where: the coordinates of the worker's grid, typed.
    await focusField(cp, 'submit.lat');
    await insertText(cp, '35.41');
    await focusField(cp, 'submit.lng');
    await insertText(cp, '116.58');
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
    await signInToQueue(sp, streetLogin);
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
    // A photo of the result, through the browser's picker.
    await press(sp, 'action.add_photos');
    await sp.setInputFiles('#portal-photos', await photo(sp));
    await waitWidget(sp, 'action.photo.0', (w) => /×/.test(w.value), 20000);
    await screenshot(sp, 'phone-55a-resolve-form');
    await resolve();
    await waitWidget(sp, 'ticket.status', (w) => w.value === '已办结');
    await screenshot(sp, 'phone-55-resolved');
    const resolved = await api('GET', `/api/v1/tickets/${number}`, { token: streetToken });
    assert.equal(resolved.json.attachments.length, 1, 'the photo of the result is attached');

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

// Reports the way staff file them: fills the report form of the portal.
// The report form; `at` is [lat, lng] typed, or null: the place is not known.
async function fillReport(page, description, name, phone, at) {
  await waitScreen(page, 'submit');
  await pickFirstCategory(page);
  await focusField(page, 'submit.description');
  await insertText(page, description);
  if (at) {
    await focusField(page, 'submit.lat');
    await insertText(page, String(at[0]));
    await focusField(page, 'submit.lng');
    await insertText(page, String(at[1]));
  } else {
    await press(page, 'submit.location_unknown');
  }
  await focusField(page, 'submit.name');
  await insertText(page, name);
  await focusField(page, 'submit.phone');
  await insertText(page, phone);
}

async function waitFor(check, timeout = 15000) {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('phone: patrol report settled on the spot; hotline call filed; batch import with row errors', async () => {
  const where = await api('GET', '/api/v1/grids/locate?lat=35.41&lng=116.58');
  const worker = await accountOf('grid_worker', where.json.grid_id);
  const gw = await openPortal(browser, PHONE);
  const ha = await openPortal(browser, PHONE);
  try {
    // Patrol: found and settled on the spot.
    await signInToQueue(gw.page, worker);
    await press(gw.page, 'queue.patrol');
    // Found in the worker's own grid, where the worker stands.
    await fillReport(gw.page, '巡查发现路边垃圾桶倾倒，已扶正清理。', '刘网格员', '13800138070', [35.41, 116.58]);
    await press(gw.page, 'submit.on_the_spot');
    await waitWidget(gw.page, 'submit.on_the_spot', (w) => w.value === 'true');
    await screenshot(gw.page, 'phone-57-patrol');
    await press(gw.page, 'submit.button');
    await waitScreen(gw.page, 'receipt');
    const patrolled = (await waitWidget(gw.page, 'receipt.number')).value;
    const gwToken = await login(worker);
    const settled = await waitFor(async () => {
      const t = await api('GET', `/api/v1/tickets/${patrolled}`, { token: gwToken });
      return t.json.status === 'resolved' ? t.json : null;
    });
    assert.equal(settled.channel, 'patrol');

    // Hotline agent: a call filed for the caller.
    await signInToQueue(ha.page, 'ha01');
    await waitWidget(ha.page, 'queue.import');
    await press(ha.page, 'queue.file');
    // The caller cannot say where exactly: the hotline centre dispatches it.
    await fillReport(ha.page, '来电反映小区停水两天，无人通知。', '周先生', '13800138071', null);
    await press(ha.page, 'submit.button');
    await waitScreen(ha.page, 'receipt');
    const filed = (await waitWidget(ha.page, 'receipt.number')).value;
    const haToken = await login('ha01');
    const call = await api('GET', `/api/v1/tickets/${filed}`, { token: haToken });
    assert.equal(call.status, 200, JSON.stringify(call.json));
    assert.equal(call.json.channel, 'hotline');
    assert.equal(call.json.level, 'district');

    // A batch of work orders: a bad row is named, nothing is imported; fixed, it is.
    await ha.page.goBack();
    await waitScreen(ha.page, 'queue');
    await press(ha.page, 'queue.import');
    await waitScreen(ha.page, 'hotline_import');
    const header = 'category,description,lat,lng,contact_name,contact_phone';
    const good = 'env.noise,夜间装修噪音扰民,35.41,116.58,钱先生,13800138060';
    await focusField(ha.page, 'import.text');
    await insertText(ha.page, `${header}\n${good}\nenv.noise,,35.41,116.58,李女士,13800138061`);
    await press(ha.page, 'import.button');
    const rowError = await waitWidget(ha.page, 'import.row.0');
    assert.match(rowError.label, /2/, 'the second row is named');
    assert.match(rowError.value, /description/);
    assert.equal((await widget(ha.page, 'import.created')).value, '0');
    await screenshot(ha.page, 'phone-58-import-errors');
    await focusField(ha.page, 'import.text');
    await ha.page.keyboard.press('Control+A');
    await insertText(ha.page, `${header}\n${good}\nenv.noise,楼道灯坏了,35.41,116.58,李女士,13800138061`);
    await press(ha.page, 'import.button');
    await waitWidget(ha.page, 'import.created', (w) => w.value === '2');
    assert.equal(await widget(ha.page, 'import.row.0'), null);
    await screenshot(ha.page, 'phone-59-import-done');
    for (const p of [gw.page, ha.page]) assert.deepEqual(p.portalErrors, [], 'errors on the page');
  } catch (e) {
    await screenshot(gw.page, 'failed-patrol').catch(() => {});
    await screenshot(ha.page, 'failed-hotline').catch(() => {});
    throw e;
  } finally {
    await gw.context.close();
    await ha.context.close();
  }
});
