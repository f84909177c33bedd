// Reports on a bad network, in real Chromium against the real server: drafts kept on
// the device (IndexedDB, web/portal-store.js) and the outbox that sends each report
// exactly once.
//   - Offline: a report with a photo is saved as 待发送 (never 已提交), the page is
//     closed, a new one opens online: the ticket is created once, with its photo, and
//     its receipt appears; the device keeps nothing of it afterwards.
//   - The network drops after the server received the report (the answer is lost): it
//     is sent again with the same Idempotency-Key and the server answers the first
//     ticket: one ticket.
//   - Two tabs come online with a report waiting: one ticket.
//   - A refusal (4xx) is not retried: the report waits with the server's reason, and
//     "edit" puts it back into the form with the error at its field.
//   - Drafts: the form with its photos, and a handler's action note, survive a reload;
//     drafts untouched for 30 days are offered for deletion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, ready, until, focusField, insertText, launch, openPortal, pickFirstCategory, portalUrl, press, reveal,
  screenshot, settle, signIn, typeKeys, waitScreen, waitWidget, widget, widgets,
} from './lib/portal.mjs';
import { accountOf, api, login } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });



// The tickets whose description holds `text`, as the district sees them.
let adminToken = null;
async function ticketsWith(text) {
  adminToken = adminToken || await login('admin');
  const r = await api('GET', `/api/v1/tickets?scope=all&q=${encodeURIComponent(text)}&page_size=50`, { token: adminToken });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.items.filter((t) => (t.description || t.summary || t.title || '').includes(text) || JSON.stringify(t).includes(text));
}

// A camera-sized JPEG made by the browser.
async function photo(page, hue = 120) {
  const b64 = await page.evaluate((h) => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1800;
    const g = c.getContext('2d');
    for (let i = 0; i < 60; i++) {
      g.fillStyle = `hsl(${(h + i * 7) % 360},60%,${30 + (i % 5) * 10}%)`;
      g.fillRect((i * 97) % 2400, (i * 53) % 1800, 400, 300);
    }
    // Sensor noise, as a camera's photo has: what makes photos large.
    const img = g.getImageData(0, 0, 2400, 1800);
    let seed = h + 1;
    for (let p = 0; p < img.data.length; p += 4) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = (seed % 25) - 12;
      img.data[p] += n;
      img.data[p + 1] += n;
      img.data[p + 2] += n;
    }
    g.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }, hue);
  return { name: `photo-${hue}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

// Fills the report form (the screen is the form): the first category, the text, "I do
// not know where exactly", name and phone.
async function fillReport(page, text) {
  await pickFirstCategory(page);
  await focusField(page, 'submit.description');
  await insertText(page, text);
  await waitWidget(page, 'submit.description', (w) => w.value === text);
  await press(page, 'submit.location_unknown');
  await waitWidget(page, 'submit.location_unknown', (w) => w.checked === true);
  await focusField(page, 'submit.name');
  await insertText(page, '李女士');
  await focusField(page, 'submit.phone');
  await typeKeys(page, '13900001111');
  await waitWidget(page, 'submit.phone', (w) => w.value === '13900001111');
}

async function storeState(page) {
  return page.evaluate(async () => {
    const u = await window.portalStore.usage();
    const items = await window.portalStore.outboxList();
    return { usage: u, outbox: items.map((i) => ({ key: i.key, state: i.state, attempts: i.attempts })) };
  });
}

function unique(tag) {
  return `${tag}${Date.now().toString(36)}：小区门口的井盖松动了，走路会响`;
}

// Playwright routes no request of a page under a service worker: the tests that route
// run without one. An offline visit through the worker is tested in offline.test.mjs.
const PHONE_NO_WORKER = { ...PHONE, serviceWorkers: 'block' };

test('phone: written offline with a photo, closed, reopened online: one ticket and its receipt', async () => {
  const { page, context } = await openPortal(browser, PHONE_NO_WORKER, { path: '/submit' });
  try {
    await context.setOffline(true);
    await waitWidget(page, 'offline');
    const text = unique('离线');
    await fillReport(page, text);
    await press(page, 'submit.add_photos');
    await page.setInputFiles('#portal-photos', await photo(page));
    // Without network the photo stays on the device, to go with the report.
    await waitWidget(page, 'submit.photo.0', (w) => w.value === 'kept', 20000);
    const button = await reveal(page, 'submit.button');
    assert.equal(button.label, '保存，联网后自动发送', 'the button says what it will do');
    await screenshot(page, 'phone-93-offline-form');

    await press(page, 'submit.button');
    await waitScreen(page, 'home');
    const row = await waitWidget(page, 'home.outbox.0', (w) => w.value === 'waiting');
    assert.ok(row.label.includes(text.slice(0, 10)), row.label);
    assert.equal((await widget(page, 'home.outbox.0.status')).label, '待发送 · 联网后自动发送');
    const shown = (await widgets(page)).map((w) => `${w.label} ${w.value}`).join('\n');
    assert.doesNotMatch(shown, /已提交/, 'a queued report is never called submitted');
    assert.equal(await widget(page, 'receipt.number'), null);
    await screenshot(page, 'phone-94-outbox-waiting');
    // Deleting it would lose it: asked first; kept.
    await press(page, 'home.outbox.0.delete');
    await waitWidget(page, 'home.outbox.0.confirm');
    await screenshot(page, 'phone-94b-outbox-delete-ask');
    await press(page, 'home.outbox.0.keep');
    await page.waitForFunction(() => !window.portal.widget('home.outbox.0.confirm'));
    const queued = await storeState(page);
    assert.equal(queued.outbox.length, 1);
    assert.equal(queued.outbox[0].state, 'waiting');
    assert.equal(queued.usage.photos, 1, 'its photo is kept on the device');
    await page.close();
    assert.equal((await ticketsWith(text)).length, 0, 'nothing reached the server yet');

    // Back online, a new page: the report goes out once and its receipt shows.
    await context.setOffline(false);
    const again = await context.newPage();
    await again.goto(portalUrl());
    await ready(again);
    await waitScreen(again, 'receipt', 30000);
    const number = (await waitWidget(again, 'receipt.number', (w) => !!w.value)).value;
    await screenshot(again, 'phone-95-outbox-sent-receipt');
    const found = await ticketsWith(text);
    assert.equal(found.length, 1, `one ticket: ${JSON.stringify(found.map((t) => t.number))}`);
    assert.equal(found[0].number, number);
    const code = (await widget(again, 'receipt.code')).value;
    const ticket = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(ticket.status, 200);
    assert.equal(ticket.json.description, text);
    assert.equal((ticket.json.attachments || ticket.json.photos || []).length, 1, 'with its photo');
    // The device keeps nothing of it; the ticket is in the device's list.
    await until(again, async () => (await window.portalStore.outboxList()).length === 0);
    assert.equal((await storeState(again)).usage.photos, 0, 'the sent photo is gone from the device');
    await again.waitForTimeout(1500);
    assert.equal((await ticketsWith(text)).length, 1, 'still one');
  } finally {
    await context.close();
  }
});

test('phone: the answer is lost after the server took the report: sent again, one ticket', async () => {
  // (Requests of a page under a service worker are not routed by Playwright either.)
  const { page, context } = await openPortal(browser, PHONE_NO_WORKER, { path: '/submit' });
  try {
    const text = unique('断网');
    await fillReport(page, text);
    let posts = 0;
    await page.route('**/api/v1/tickets', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts === 1) {
        await route.fetch();  // the server creates the ticket ...
        return route.abort('connectionreset');  // ... and its answer never arrives
      }
      return route.continue();
    });
    await press(page, 'submit.button');
    // Waiting to be sent again (with back-off), then the receipt of the one ticket.
    await waitScreen(page, 'receipt', 30000);
    const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
    assert.ok(posts >= 2, `sent again (${posts} requests)`);
    const found = await ticketsWith(text);
    assert.equal(found.length, 1, `one ticket: ${JSON.stringify(found.map((t) => t.number))}`);
    assert.equal(found[0].number, number, 'the receipt is of that ticket');
    await until(page, async () => (await window.portalStore.outboxList()).length === 0);
  } finally {
    await context.close();
  }
});

test('phone: two tabs come online with a report waiting: one ticket', async () => {
  const { page, context } = await openPortal(browser, PHONE_NO_WORKER, { path: '/submit' });
  try {
    const text = unique('两页');
    await fillReport(page, text);
    // A second tab of the portal is open at home.
    const second = await context.newPage();
    second.device = PHONE;
    await second.goto(portalUrl());
    await ready(second);
    await context.setOffline(true);
    await page.bringToFront();  // a tab in the background draws no frames
    await waitWidget(page, 'offline');
    await press(page, 'submit.button');
    await waitScreen(page, 'home');
    await waitWidget(page, 'home.outbox.0', (w) => w.value === 'waiting');
    // The other tab shows the same waiting report at once.
    await waitWidget(second, 'home.outbox.0', (w) => w.value === 'waiting');
    // Both see the network come back (the online event) and try.
    await context.setOffline(false);
    await waitScreen(page, 'receipt', 30000);
    await waitScreen(second, 'receipt', 30000);
    const a = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
    const b = (await waitWidget(second, 'receipt.number', (w) => !!w.value)).value;
    assert.equal(a, b, 'both show the one ticket');
    await page.waitForTimeout(1500);
    const found = await ticketsWith(text);
    assert.equal(found.length, 1, `one ticket: ${JSON.stringify(found.map((t) => t.number))}`);
  } finally {
    await context.close();
  }
});

test('phone: a refused report is not sent again; edit shows the reason at its field', async () => {
  const { page, context } = await openPortal(browser, PHONE_NO_WORKER, { path: '/submit' });
  try {
    const text = unique('拒收');
    await fillReport(page, text);
    let posts = 0;
    await page.route('**/api/v1/tickets', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      return route.fulfill({
        status: 422, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'too_long', message: 'description is too long', field: 'description' } }),
      });
    });
    await press(page, 'submit.button');
    // Refused while the form is shown: the reason at the field, nothing queued.
    await waitWidget(page, 'submit.description', (w) => !!w.error);
    await page.waitForTimeout(3000);
    assert.equal(posts, 1, 'not retried');
    assert.equal((await storeState(page)).outbox.length, 0);

    // Queued offline, refused when sent later: it waits with the reason, not retried.
    await context.setOffline(true);
    await press(page, 'submit.button');
    await waitScreen(page, 'home');
    await context.setOffline(false);
    const row = await waitWidget(page, 'home.outbox.0', (w) => w.value === 'failed', 20000);
    assert.ok(row.error, 'the reason is shown');
    assert.equal((await widget(page, 'home.outbox.0.status')).label, '未能提交');
    await screenshot(page, 'phone-96-outbox-refused');
    await page.waitForTimeout(3000);
    assert.equal(posts, 2, 'a refusal is not retried');
    await press(page, 'home.outbox.0.edit');
    await waitScreen(page, 'submit');
    await waitWidget(page, 'submit.description', (w) => w.value === text && !!w.error);
    assert.equal(await widget(page, 'home.outbox.0'), null);
    assert.equal((await ticketsWith(text)).length, 0);
  } finally {
    await context.close();
  }
});

test('phone: the form with its photos and a handler\'s note survive a reload; 9 photos take a stated space', async () => {
  const { page, context } = await openPortal(browser, PHONE, { path: '/submit' });
  try {
    const text = unique('草稿');
    await pickFirstCategory(page);
    await focusField(page, 'submit.description');
    await insertText(page, text);
    await press(page, 'submit.add_photos');
    const files = [];
    for (let i = 0; i < 9; i++) files.push(await photo(page, i * 40));
    await page.setInputFiles('#portal-photos', files);
    for (let i = 0; i < 9; i++) await waitWidget(page, `submit.photo.${i}`, (w) => w.value === 'done', 30000);
    const before = await storeState(page);
    assert.equal(before.usage.photos, 9);
    const perPhoto = before.usage.photoBytes / 9;
    console.log(`# a draft with 9 photos keeps ${(before.usage.bytes / 1e6).toFixed(2)} MB on the device ` +
      `(${(perPhoto / 1e3).toFixed(0)} KB a photo, 1600 px JPEG)`);
    assert.ok(before.usage.bytes < 9 * 1024 * 1024, 'within 9 MB for 9 photos');

    await page.reload();
    await ready(page);
    await waitScreen(page, 'submit');
    await waitWidget(page, 'submit.description', (w) => w.value === text);
    for (let i = 0; i < 9; i++) await waitWidget(page, `submit.photo.${i}`, (w) => w.value === 'done');
    await waitWidget(page, 'submit.category', (w) => !!w.value);
  } finally {
    await context.close();
  }

  // A grid worker's progress note on a ticket of their grid.
  const where = await api('GET', '/api/v1/grids/locate?lat=35.41&lng=116.58');
  const worker = await accountOf('grid_worker', where.json.grid_id);
  const made = await api('POST', '/api/v1/tickets', {
    body: { category: 'env.noise', description: unique('处理'), location: { lat: 35.41, lng: 116.58 },
      contact: { name: '王五', phone: '13912340000' } },
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const number = made.json.number;
  const accepted = await api('POST', `/api/v1/tickets/${number}/actions`, { token: await login(worker), body: { action: 'accept' } });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  const gw = await openPortal(browser, PHONE);
  try {
    await signIn(gw.page, worker, { lands: ['queue', 'cockpit'] });
    await gw.page.goto(new URL(`work/t/${number}`, portalUrl()).href);
    await ready(gw.page);
    await waitScreen(gw.page, 'ticket');
    await press(gw.page, 'act.progress');
    await waitScreen(gw.page, 'action');
    const note = '已联系物业，明天上午派人更换井盖';
    await focusField(gw.page, 'action.note');
    await insertText(gw.page, note);
    await waitWidget(gw.page, 'action.note', (w) => w.value === note);
    await gw.page.reload();
    await ready(gw.page);
    await waitScreen(gw.page, 'ticket');
    await press(gw.page, 'act.progress');
    await waitScreen(gw.page, 'action');
    await waitWidget(gw.page, 'action.note', (w) => w.value === note);
    await press(gw.page, 'action.submit');
    await waitScreen(gw.page, 'ticket');
    // Sent: the draft is gone.
    await press(gw.page, 'act.progress');
    await waitScreen(gw.page, 'action');
    await settle(gw.page);
    await gw.page.waitForTimeout(500);
    assert.equal((await widget(gw.page, 'action.note')).value, '');
  } finally {
    await gw.context.close();
  }
});

test('phone: drafts untouched for 30 days are offered for deletion', async () => {
  const { page, context } = await openPortal(browser, PHONE_NO_WORKER);
  try {
    // Two drafts of 40 days ago (a report form and an action form), and a fresh one.
    await page.evaluate(async () => {
      const s = window.portalStore;
      await s.draftPut('action:RC2026010100000001:progress', JSON.stringify({ v: 2, note: '旧的进展' }), []);
      await s.draftPut('report', JSON.stringify({ v: 2, description: '四十天前写了一半' }), []);
      await s.draftPut('action:RC2026010100000002:progress', JSON.stringify({ v: 2, note: '新的' }), []);
      // Back-date the first two.
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open('portal');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      await new Promise((resolve, reject) => {
        const t = db.transaction(['drafts'], 'readwrite');
        const store = t.objectStore('drafts');
        for (const name of ['action:RC2026010100000001:progress', 'report']) {
          const g = store.get(name);
          g.onsuccess = () => store.put({ ...g.result, at: Date.now() - 40 * 24 * 3600 * 1000 });
        }
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
      });
      db.close();
    });
    await page.reload();
    await ready(page);
    await waitWidget(page, 'home.old_drafts.delete');
    const text = (await widgets(page)).map((w) => w.label).join('\n');
    assert.match(text, /2 份超过 30 天未改动的草稿/);
    await screenshot(page, 'phone-97-old-drafts');
    await press(page, 'home.old_drafts.delete');
    await page.waitForFunction(() => !window.portal.widget('home.old_drafts.delete'));
    const left = await page.evaluate(async () => ({
      report: await window.portalStore.draftGet('report'),
      old: await window.portalStore.draftGet('action:RC2026010100000001:progress'),
      fresh: await window.portalStore.draftGet('action:RC2026010100000002:progress'),
    }));
    assert.equal(left.report, null);
    assert.equal(left.old, null);
    assert.ok(left.fresh, 'a fresh draft stays');
    // The form no longer holds the deleted draft.
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    assert.equal((await widget(page, 'submit.description')).value, '');
  } finally {
    await context.close();
  }
});

test('phone: Background Sync sends a waiting report from the service worker, with no page open', async () => {
  const { page, context } = await openPortal(browser, PHONE, { path: '/submit' });
  try {
    await until(page, () => !!navigator.serviceWorker.controller);
    const text = unique('后台');
    await fillReport(page, text);
    await context.setOffline(true);
    await waitWidget(page, 'offline');
    await press(page, 'submit.button');
    await waitScreen(page, 'home');
    await waitWidget(page, 'home.outbox.0', (w) => w.value === 'waiting');
    await until(page, async () => {
      const reg = await navigator.serviceWorker.ready;
      return (await reg.sync.getTags()).includes('portal-outbox');
    });
    // No page of the portal is left: this tab shows a plain file of the site.
    await context.setOffline(false);
    await page.goto(new URL('robots.txt', portalUrl()).href);
    assert.equal(await page.evaluate(() => typeof window.portal), 'undefined');
    // The browser fires the sync once it is online; here DevTools fires it.
    const cdp = await context.newCDPSession(page);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    for (let i = 0; i < 50 && !registrations.some((r) => !r.isDeleted); i++) await page.waitForTimeout(100);
    const reg = registrations.find((r) => !r.isDeleted);
    assert.ok(reg, 'the portal\'s worker is registered');
    const origin = new URL(portalUrl()).origin;
    for (let i = 0; i < 100 && (await ticketsWith(text)).length === 0; i++) {
      if (i % 20 === 0) {
        await cdp.send('ServiceWorker.dispatchSyncEvent',
          { origin, registrationId: reg.registrationId, tag: 'portal-outbox', lastChance: false });
      }
      await page.waitForTimeout(200);
    }
    const found = await ticketsWith(text);
    assert.equal(found.length, 1, 'sent by the worker, once');
    // The next visit shows its receipt and keeps nothing of it.
    await page.goto(portalUrl());
    await ready(page);
    await waitScreen(page, 'receipt', 30000);
    assert.equal((await waitWidget(page, 'receipt.number', (w) => !!w.value)).value, found[0].number);
    await until(page, async () => (await window.portalStore.outboxList()).length === 0);
    assert.equal((await ticketsWith(text)).length, 1);
  } finally {
    await context.close();
  }
});
