// The handler's desk on wide screens, in real Chromium against the real server: at
// 1280×800 and at 1920×1080 a grid worker filters the queue by category and overdue,
// searches a word of one ticket's description, opens it beside the queue (queue rows,
// the ticket's map and its timeline on screen together, as the accessibility mirror
// shows them), accepts it with the `a` key (the server has it accepted, the toast says
// 已受理) and opens the shortcut help with `?`. Phones keep the workbench as it was
// (workbench.test.mjs covers them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  focusField, insertText, launch, openPortal, press, screenshot, settle, signIn, waitScreen,
  waitWidget, widgets,
} from './lib/portal.mjs';
import { accountOf, api, login } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Three reports in one grid over the API: two of one category, one of another; `word`
// is only in the first one's description.
async function seed(word) {
  const cats = (await api('GET', '/api/v1/categories')).json;
  const list = (cats.items || cats.categories || cats).map((c) => c.code);
  const [catA, catB] = [list[0], list.find((c) => c !== list[0])];
  const report = async (category, description, phone) => {
    const r = await api('POST', '/api/v1/tickets', {
      body: {
        category, description,
        location: { lat: 35.41, lng: 116.58, address: '古槐路 18 号' },
        contact: { name: '周女士', phone },
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };
  const a = await report(catA, `小区东门${word}树枝折断压在人行道上，行人绕行很危险。`, '13800138071');
  const b = await report(catB, '楼下夜市噪音到凌晨，影响休息。', '13800138072');
  const c = await report(catA, '路口井盖松动，车辆经过时响声很大。', '13800138073');
  return { catA, catB, a: a.number, b: b.number, c: c.number, grid: a.grid_id };
}

// The accessibility mirror's node of a widget, and whether it lies within the window.
async function onScreen(page, id) {
  return page.evaluate((i) => {
    const el = document.querySelector(`#portal-semantics [data-id="${i}"]`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {
      label: el.getAttribute('aria-label') || el.textContent,
      inside: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 &&
        r.right <= window.innerWidth + 1 && r.bottom <= window.innerHeight + 1,
    };
  }, id);
}

// Activates a widget through its node in the accessibility mirror (it is brought into
// view in its own pane first), then leaves the mirror.
async function activate(page, id) {
  await page.locator(`#portal-semantics [data-id="${id}"]`).focus();
  await page.keyboard.press('Enter');
  await settle(page);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
}

// The count the desk shows once the list for its filters has arrived.
async function waitCount(page, n) {
  await waitWidget(page, 'desk.count', (w) => w.label === `${n} 件` || w.value === `${n} 件`);
  await settle(page);
}

async function rowsShown(page) {
  return (await widgets(page)).filter((w) => w.id.startsWith('desk.row.')).map((w) => w.id.slice(9));
}

for (const [width, height] of [[1280, 800], [1920, 1080]]) {
  test(`desk ${width}×${height}: filter, search, open beside the queue, accept with a key`, async () => {
    const word = `银杏${width}`;
    const s = await seed(word);
    const worker = await accountOf('grid_worker', s.grid);
    const token = await login(worker);
    const { page, context } = await openPortal(browser, {
      viewport: { width, height }, deviceScaleFactor: 1,
    });
    const shot = (n) => screenshot(page, `desk-${width}-${n}`);
    try {
      await signIn(page, worker, { lands: ['queue'] });
      await waitWidget(page, 'desk.search');
      await waitWidget(page, 'desk.count');
      await shot('1-queue');
      // Desktop-sized text: a row holds three lines of at least 15 px.
      const row = (await widgets(page)).find((w) => w.id.startsWith('desk.row.'));
      assert.ok(row && row.h >= 80, `a row is ${row && row.h} px tall`);
      const search = await waitWidget(page, 'desk.search');
      assert.ok(search.w >= width * 0.3, `the queue is ${search.w} px wide`);

      // Filter by category: the server's answer for the same question, row for row.
      await press(page, 'desk.filter.category');
      await waitWidget(page, `desk.choice.${s.catA}`);
      await shot('2-category-choices');
      await activate(page, `desk.choice.${s.catA}`);
      await waitWidget(page, 'desk.filter.category', (w) => !w.checked);
      const byCat = (await api('GET', `/api/v1/tickets?scope=queue&category=${s.catA}`, { token })).json.items;
      assert.ok(byCat.some((t) => t.number === s.a) && byCat.some((t) => t.number === s.c));
      await waitCount(page, byCat.length);
      const shown = await rowsShown(page);
      assert.ok(shown.length > 0);
      for (const n of shown) assert.ok(byCat.some((t) => t.number === n), `${n} is of the category`);
      assert.ok(!shown.includes(s.b), 'the other category is gone');

      // And overdue: what the server says is overdue of that category (none are, fresh).
      await press(page, 'desk.filter.overdue');
      await waitWidget(page, 'desk.filter.overdue', (w) => w.checked);
      const late = (await api('GET', `/api/v1/tickets?scope=queue&category=${s.catA}&overdue=true`, { token })).json.items;
      await waitCount(page, late.length);
      for (const n of await rowsShown(page)) assert.ok(late.some((t) => t.number === n), `${n} is overdue`);
      await shot('3-category-overdue');
      await press(page, 'desk.filter.overdue');
      await waitWidget(page, 'desk.filter.overdue', (w) => !w.checked);
      await waitCount(page, byCat.length);

      // Search a word of one description: sent once typing rests, only that ticket left.
      await focusField(page, 'desk.search');
      await insertText(page, word);
      await page.waitForFunction((n) => {
        const rows = window.portal.widgets().filter((w) => w.id.startsWith('desk.row.'));
        return rows.length === 1 && rows[0].id === `desk.row.${n}`;
      }, s.a, { timeout: 15000 });
      await settle(page);
      await shot('4-search');

      // Open it beside the queue: the row, the ticket's map and its timeline all on screen.
      await press(page, `desk.row.${s.a}`);
      await waitScreen(page, 'ticket');
      await waitWidget(page, 'ticket.event.0');
      await waitWidget(page, 'ticket.map', (w) => w.enabled);
      await waitWidget(page, 'act.accept');
      await settle(page);
      for (const id of [`desk.row.${s.a}`, 'desk.search', 'ticket.map', 'ticket.event.0', 'ticket.number', 'act.accept']) {
        const n = await onScreen(page, id);
        assert.ok(n, `${id} is in the mirror`);
        assert.ok(n.inside, `${id} is on screen`);
      }
      const rowNode = await onScreen(page, `desk.row.${s.a}`);
      assert.match(rowNode.label, new RegExp(s.a));
      // The shortcut button and the filters are in the mirror with their names.
      assert.match((await onScreen(page, 'desk.keys')).label, /快捷键/);
      assert.match((await onScreen(page, 'desk.filter.status')).label, /状态/);
      assert.match((await onScreen(page, 'desk.filter.overdue')).label, /超期/);
      await shot('5-ticket-beside-queue');

      // The row shows the response deadline before acceptance.
      const before = await waitWidget(page, `desk.row.${s.a}`);
      assert.match(before.value, /响应时限/);

      // Accept with the key: the server has it accepted, the toast says so.
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      await page.keyboard.press('a');
      await waitWidget(page, 'ticket.status', (w) => w.value === '已受理');
      const t = await api('GET', `/api/v1/tickets/${s.a}`, { token });
      assert.equal(t.json.status, 'accepted');
      await waitWidget(page, 'toast', (w) => w.value === '已受理' || w.label === '已受理');
      await shot('6-accepted');
      // After acceptance the row's deadline is the resolve one.
      await waitWidget(page, `desk.row.${s.a}`, (w) => /办结时限/.test(w.value));

      // ? shows the shortcuts; Escape closes them and stays on the ticket.
      await page.keyboard.press('?');
      await waitWidget(page, 'desk.help.title');
      await shot('7-help');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !window.portal.widget('desk.help.title'), null, { timeout: 10000 });
      assert.equal((await waitWidget(page, 'screen')).value, 'ticket');
      // Escape again goes back to the queue alone.
      await page.keyboard.press('Escape');
      await waitScreen(page, 'queue');
      await waitWidget(page, 'desk.pick');
      assert.deepEqual(page.portalErrors, [], 'errors on the page');
    } catch (e) {
      await shot('failed').catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  });
}

test('phone 360: the workbench keeps its column and its three filter tabs', async () => {
  const s = await seed('梧桐360');
  const worker = await accountOf('grid_worker', s.grid);
  const { page, context } = await openPortal(browser, {
    viewport: { width: 360, height: 640 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  });
  try {
    await signIn(page, worker, { lands: ['queue'] });
    await waitWidget(page, 'queue.filter.open');
    await waitWidget(page, 'queue.filter.all');
    assert.equal(await page.evaluate(() => window.portal.widget('desk.search')), null);
    // The first ticket of the list (the column shows only a few at a time).
    await page.waitForFunction(() => window.portal.widgets().some((w) => /^queue\.RC/.test(w.id)), null, { timeout: 15000 });
    const first = (await widgets(page)).find((w) => /^queue\.RC/.test(w.id));
    assert.ok(first.w <= 360, `the row is ${first.w} px wide`);
    await press(page, first.id);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.status', (w) => w.value.length > 0);
    // No map beside anything on a phone; the queue is not drawn under the ticket.
    assert.equal(await page.evaluate(() => window.portal.widget('ticket.map')), null);
    assert.equal((await rowsShown(page)).length, 0);
    await screenshot(page, 'desk-360-ticket');
  } finally {
    await context.close();
  }
});
