// The signed-in citizen, in real Chromium against the real server: sign in, report a
// matter with a place tapped on the grid map and a photo (downscaled in the browser),
// find it in "my matters", read its timeline, have it resolved over the API by the
// grid worker, rate it badly in the UI and see it reopened; English; phone and desktop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, focusField, insertText, launch, press, reveal, screenshot, settle,
  signIn, waitScreen, waitWidget, widget, withPortal, pickFirstCategory,
} from './lib/portal.mjs';
import { api, login, workerOf } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A 2400×1800 JPEG made by the browser, as a camera photo would be.
async function bigJpeg(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1800;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 2400, 1800);
    grad.addColorStop(0, '#3a7'); grad.addColorStop(1, '#37a');
    g.fillStyle = grad;
    g.fillRect(0, 0, 2400, 1800);
    return c.toDataURL('image/jpeg', 0.8).split(',')[1];
  });
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

// Signs a citizen in; the session's token is kept in sessionStorage, not localStorage.
async function signInCitizen(page, name) {
  const shot = `${page.device.hasTouch ? 'phone' : 'desktop'}-20-signin`;
  await signIn(page, name, { lands: 'my_tickets', shot });
  const stored = await page.evaluate(() => sessionStorage.getItem('portal.session'));
  assert.ok(stored && JSON.parse(stored).token, 'token kept in sessionStorage');
  assert.equal(await page.evaluate(() => localStorage.getItem('portal.session')), null, 'not in localStorage');
}

test('phone: sign in, report with map and photo, timeline, resolve, rate badly, reopened', () =>
  withPortal(browser, PHONE, 'phone-account', async (page) => {
    await waitWidget(page, 'home.account');
    await screenshot(page, 'phone-19-home-signed-out');
    // One field for both: citizens sign in with their phone, staff with a username.
    await press(page, 'home.account');
    assert.equal((await waitWidget(page, 'account.login')).label, '手机号/用户名');
    await page.goBack();
    await waitScreen(page, 'home');
    await signInCitizen(page, 'cz003');
    await screenshot(page, 'phone-21-mine');

    // Report a matter.
    await press(page, 'mine.new');
    await waitScreen(page, 'submit');
    await pickFirstCategory(page);
    await focusField(page, 'submit.description');
    await insertText(page, '小区门口路灯不亮已经一周，晚上出行不便。');

    // The map: wait for the grids, tap its middle, see the grid named. One finger on
    // the map scrolls the page (the map moves with two), so swipes may start on it.
    await reveal(page, 'submit.locate');
    const map = await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
    await page.touchscreen.tap(map.x + map.w / 2, map.y + map.h / 2);
    const place = await waitWidget(page, 'submit.place', (w) => w.value.length > 0);
    assert.match(place.value, /·/, 'street · community · grid');
    await screenshot(page, 'phone-22-map-placed');

    // Two fingers spread and slide on the map: it zooms and moves, the page stays put.
    const mapBefore = await widget(page, 'submit.map');
    const cx = mapBefore.x + mapBefore.w / 2, cy = mapBefore.y + mapBefore.h / 2;
    const fingers = (spread, shift) => [
      { x: cx - spread + shift, y: cy, id: 1 }, { x: cx + spread + shift, y: cy, id: 2 }];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(30, 0) });
    for (let i = 1; i <= 8; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(30 + i * 4, i * 3) });
      await page.waitForTimeout(16);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp.detach();
    await settle(page);
    const mapAfter = await widget(page, 'submit.map');
    assert.equal(mapAfter.y, mapBefore.y, 'two fingers on the map do not scroll the page');
    const [lng0, lat0, px0] = mapBefore.value.split(',').map(Number);
    const [lng1, lat1, px1] = mapAfter.value.split(',').map(Number);
    assert.ok(px1 > px0 * 1.5, `pinched open, the map zooms in (${px0} -> ${px1} px/deg)`);
    assert.ok(lng1 !== lng0 || lat1 !== lat0, 'and looks elsewhere');
    assert.equal((await widget(page, 'submit.place')).value, place.value, 'the pin stays where it was');

    // A photo through the browser's picker: downscaled to 1600 px and uploaded.
    await press(page, 'submit.add_photos');
    await page.setInputFiles('#portal-photos', await bigJpeg(page));
    const photo = await waitWidget(page, 'submit.photo.0', (w) => w.value === 'done', 20000);
    assert.ok(photo);
    await reveal(page, 'submit.photo.0');
    await screenshot(page, 'phone-23-photo');

    await focusField(page, 'submit.name');
    await insertText(page, '王先生');
    await focusField(page, 'submit.phone');
    await insertText(page, '13800138003');
    await press(page, 'submit.button');
    await waitScreen(page, 'receipt');
    const number = (await waitWidget(page, 'receipt.number')).value;
    assert.match(number, /^RC\d{16}$/);

    const token = await login('cz003');
    const t = await api('GET', `/api/v1/tickets/${number}`, { token });
    assert.equal(t.status, 200);
    assert.equal(t.json.attachments.length, 1, 'the photo is attached');
    assert.ok(Math.max(t.json.attachments[0].width, t.json.attachments[0].height) <= 1600, 'downscaled');
    assert.ok(t.json.grid.id, 'routed to a grid');

    // My matters lists it with its status chip; its page shows the timeline.
    await press(page, 'receipt.view');
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.event.0');
    await waitWidget(page, 'ticket.handler', (w) => w.value.length > 0);
    await screenshot(page, 'phone-24-ticket-timeline');
    // Back goes the way it came: the receipt, then my matters (where the report began).
    await page.goBack();
    await waitScreen(page, 'receipt');
    await page.goBack();
    await waitScreen(page, 'my_tickets');
    await waitWidget(page, `mine.${number}`);
    await screenshot(page, 'phone-25-mine-list');

    // The grid worker accepts and resolves it.
    const gw = await workerOf(t.json.grid.id);
    for (const action of [{ action: 'accept' }, { action: 'resolve', reply: '已更换路灯灯泡，恢复照明。' }]) {
      const r = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: action });
      assert.equal(r.status, 200, `${action.action}: ${JSON.stringify(r.json)}`);
    }

    // Rate it in the UI: not solved, dissatisfied → reopened.
    await press(page, `mine.${number}`);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.status', (w) => w.value === '已办结');
    await press(page, 'ticket.rate');
    await waitScreen(page, 'rate');
    await press(page, 'rate.resolved_no');
    await press(page, 'rate.s2');
    // A single choice: five radios, only the one pressed is checked.
    await waitWidget(page, 'rate.s2', (w) => w.checked === true);
    const scale = (await page.evaluate(() => window.portal.widgets())).filter((w) => /^rate\.s[1-5]$/.test(w.id));
    assert.deepEqual(scale.map((w) => w.kind), ['radio', 'radio', 'radio', 'radio', 'radio']);
    assert.deepEqual(scale.filter((w) => w.checked).map((w) => w.id), ['rate.s2']);
    await reveal(page, 'rate.s1');
    await screenshot(page, 'phone-26a-rate-scale');
    await focusField(page, 'rate.comment');
    await insertText(page, '晚上还是不亮');
    await screenshot(page, 'phone-26-rate');
    await press(page, 'rate.submit');
    await waitScreen(page, 'ticket');
    const after = await api('GET', `/api/v1/tickets/${number}`, { token });
    assert.notEqual(after.json.status, 'closed', 'a bad rating reopens');
    assert.notEqual(after.json.status, 'resolved');
    assert.equal(after.json.reopen_count, 1);
    await waitWidget(page, 'ticket.rating');
    await screenshot(page, 'phone-27-reopened');

    // English, without a reload.
    await press(page, 'lang.toggle');
    await waitWidget(page, 'nav.title', (w) => w.value === 'Ticket');
    await screenshot(page, 'phone-28-ticket-en');
  }));

test('desktop: sign in, rate well and the ticket closes; sign out', () =>
  withPortal(browser, DESKTOP, 'desktop-account', async (page) => {
    const token = await login('cz004');
    const sub = await api('POST', '/api/v1/tickets', {
      token,
      body: {
        category: 'env.noise', description: '夜间施工噪音扰民，持续到凌晨。',
        location: { lat: 35.41, lng: 116.58, address: '任城区' }, contact: { name: '李女士', phone: '13800138004' },
      },
    });
    assert.equal(sub.status, 201, JSON.stringify(sub.json));
    const number = sub.json.number;
    const gw = await workerOf(sub.json.grid_id);
    await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'accept' } });
    const res = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'resolve', reply: '已责令停止夜间施工。' } });
    assert.equal(res.status, 200, JSON.stringify(res.json));

    await signInCitizen(page, 'cz004');
    await screenshot(page, 'desktop-21-mine');
    await press(page, `mine.${number}`);
    await waitScreen(page, 'ticket');
    await press(page, 'ticket.rate');
    await waitScreen(page, 'rate');
    await press(page, 'rate.resolved_yes');
    await press(page, 'rate.s5');
    await screenshot(page, 'desktop-22-rate');
    await press(page, 'rate.submit');
    await waitScreen(page, 'ticket');
    const after = await api('GET', `/api/v1/tickets/${number}`, { token });
    assert.equal(after.json.status, 'closed');
    assert.equal(after.json.rating.satisfaction, 5);

    // Services directory.
    await page.goBack();
    await waitScreen(page, 'my_tickets');
    await page.goBack();
    await waitScreen(page, 'home');
    await press(page, 'home.services');
    await waitScreen(page, 'services');
    await waitWidget(page, 'services.unit.0');
    await screenshot(page, 'desktop-23-services');
    await page.goBack();
    await waitScreen(page, 'home');
    await press(page, 'home.account');
    await waitScreen(page, 'account');
    await press(page, 'account.signout');
    await waitScreen(page, 'home');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('portal.session')), null);
    assert.equal((await api('GET', '/api/v1/me', { token })).status, 200, 'other tokens unaffected');
  }));
