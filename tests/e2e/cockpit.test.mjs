// The data cockpit and the public board, in real Chromium against the real server:
// a district leader (ds01) and a street leader (ss001) sign in and land in the cockpit
// whose tiles show the figures the API gives; a ticket resolved and rated through the
// API changes them; the district leader opens a 每月一题 topic, links its tickets and
// resolves them together; anyone opens the public board without signing in; CSV export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, focusField, insertText, launch, press, screenshot, settle, signIn,
  waitScreen, waitWidget, withPortal,
} from './lib/portal.mjs';
import { api, login } from './lib/api.mjs';

// The cockpit is made for a leader's wide screen.
const WIDE = { ...DESKTOP, viewport: { width: 1920, height: 1080 } };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// What the cockpit shows for a rate: one decimal percent, or a dash without data.
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

// A ticket in gw0001's grid (in ss001's street), accepted; resolved and rated if asked.
async function fileTicket(gw, { resolve = false, satisfaction = 5 } = {}) {
  const me = (await api('GET', '/api/v1/me', { token: gw })).json;
  const sub = await api('POST', '/api/v1/tickets', {
    body: {
      category: 'env.noise', description: '夜间施工噪音，影响休息',
      location: { lat: 35.45, lng: 116.55, address: '驾驶舱测试小区' }, grid_id: me.grid_ids[0],
      contact: { name: '测试人', phone: '13900003333' },
    },
  });
  assert.equal(sub.status, 201, JSON.stringify(sub.json));
  const { number, access_code: code } = sub.json;
  assert.equal((await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'accept' } })).status, 200);
  if (resolve) {
    assert.equal((await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'resolve', reply: '已处理' } })).status, 200);
    const r = await api('POST', `/api/v1/tickets/${number}/rating`, {
      headers: { 'X-Access-Code': code }, body: { resolved: true, satisfaction },
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  return number;
}

// A day of hotline work orders spread over the district, denser towards two hot spots,
// so that the heat map has something to show.
async function importHotlineDay() {
  const ha = await login('ha01');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const spots = [[35.41, 116.58], [35.47, 116.49]];
  // Many categories, so that no category × street cluster outgrows the noise complaints
  // the topic test relies on.
  const cats = ['city.road', 'city.streetlight', 'env.garbage', 'traffic.parking', 'city.greenery',
    'water.leak', 'city.facility', 'safety.manhole', 'env.fumes', 'traffic.signal', 'power.line',
    'market.price'];
  const rows = [];
  for (let i = 0; i < 100; i++) {
    const near = i % 3 !== 0;
    const [clat, clng] = spots[i % 2];
    const lat = near ? clat + (rand() - 0.5) * 0.06 : 35.31 + rand() * 0.23;
    const lng = near ? clng + (rand() - 0.5) * 0.08 : 116.41 + rand() * 0.33;
    rows.push({
      external_id: `HL-COCKPIT-${i}`, category: cats[i % cats.length],
      description: '来电反映路面和照明问题，请尽快处理', location: { lat, lng, address: '热线来电' },
      contact: { name: '来电群众', phone: '13700004444' },
    });
  }
  const r = await api('POST', '/api/v1/hotline/import', { token: ha, body: rows });
  assert.equal(r.status, 201, JSON.stringify(r.json).slice(0, 400));
}

// Every rate with its n, "92.1% (1,137/1,234)", its parts as the API names them; a rate
// over fewer than 10 cases is marked.
const PARTS = {
  response_rate: ['responded', 'response_due'], rating_rate: ['rated', 'resolved'],
  on_time_rate: ['resolved_on_time', 'resolved_now'], resolution_rate: ['solved', 'rated'],
  satisfaction_rate: ['satisfied', 'rated'],
};
const FEW = { zh: '样本少 n<10', en: 'few cases, n<10' };
const withN = (o, k, lang = 'zh') => {
  const [a, b] = PARTS[k];
  return `${pct(o[k])} (${num(o[a])}/${num(o[b])}${o[b] < 10 ? ` · ${FEW[lang]}` : ''})`;
};

async function expectTiles(page, overview) {
  for (const k of Object.keys(PARTS)) {
    const [a, b] = PARTS[k];
    assert.ok(overview[a] <= overview[b], `${k}: ${JSON.stringify(overview)}`);
    await waitWidget(page, `kpi.${k}`, (w) => w.value === withN(overview, k));
  }
  await waitWidget(page, 'kpi.total', (w) => w.value === num(overview.total));
  await waitWidget(page, 'kpi.backlog', (w) => w.value === num(overview.backlog));
}

test('a district leader sees the API figures, and they change after a rating', async () => {
  await importHotlineDay();
  const gw = await login('gw0001');
  await fileTicket(gw, { resolve: true, satisfaction: 5 });
  await fileTicket(gw);
  const ds = await login('ds01');
  await withPortal(browser, WIDE, 'cockpit-district', async (page) => {
    await signIn(page, 'ds01', { lands: 'cockpit' });
    const before = (await api('GET', '/api/v1/stats/overview', { token: ds })).json;
    assert.equal(before.scope, 'district');
    await expectTiles(page, before);
    assert.ok(before.rated >= 1, JSON.stringify(before));
    await waitWidget(page, 'kpi.rating_rate', (w) => w.label === '评价率');
    await waitWidget(page, 'chart.volume');
    // The trend of the rates has a line of 评价率, from the trend's rating_rate.
    await waitWidget(page, 'chart.rates', (w) => w.value.includes('评价率'));
    const trend = (await api('GET', '/api/v1/stats/trend?interval=day', { token: ds })).json;
    assert.ok(trend.items.every((p) => 'rating_rate' in p), JSON.stringify(trend.items[0]));
    // A point of a rate over fewer than 10 cases is marked (drawn hollow), and the chart's
    // summary says so.
    const few = trend.items.some((p) => (p.rated > 0 && p.rated < 10) || (p.resolved > 0 && p.resolved < 10) ||
      (p.response_due > 0 && p.response_due < 10) || (p.resolved_now > 0 && p.resolved_now < 10));
    assert.ok(few, 'this small run has a point over few cases');
    await waitWidget(page, 'chart.rates', (w) => w.value.includes('样本少 n<10'));
    await waitWidget(page, 'ranking', (w) => w.value.startsWith('15|'));
    await screenshot(page, 'cockpit-desktop');

    // A ticket resolved and rated badly through the API: the satisfaction rate drops.
    await fileTicket(gw, { resolve: true, satisfaction: 1 });
    const after = (await api('GET', '/api/v1/stats/overview', { token: ds })).json;
    assert.notEqual(after.satisfaction_rate, before.satisfaction_rate);
    // A badly rated ticket is reopened: it was resolved and is rated, so it is one more
    // in both parts of 评价率 (and of 满意率), and no longer resolved now.
    assert.equal(after.rated, before.rated + 1);
    assert.equal(after.resolved, before.resolved + 1);
    assert.equal(after.resolved_now, before.resolved_now);
    // The cockpit loads its figures whenever it is opened: back home, then in again.
    await page.evaluate(() => history.back());
    await waitScreen(page, 'home');
    await press(page, 'home.cockpit');
    await waitScreen(page, 'cockpit');
    await waitWidget(page, 'cockpit.tab.overview', (w) => w.value === 'on');
    await expectTiles(page, after);

    // The heat map and its busiest grids.
    await press(page, 'cockpit.tab.map');
    await waitWidget(page, 'cockpit.tab.map', (w) => w.value === 'on');
    await waitWidget(page, 'cockpit.heatmap', (w) => w.enabled);
    await waitWidget(page, 'heat_top', (w) => Number(w.value.split('|')[0]) >= 1);
    await screenshot(page, 'cockpit-heatmap-desktop');

    // CSV export of the ranking goes through the browser's download.
    await press(page, 'cockpit.tab.overview');
    await waitWidget(page, 'cockpit.tab.overview', (w) => w.value === 'on');
    await press(page, 'ranking.csv');
    const dl = await page.waitForFunction(() => window.portal.lastDownload, null, { timeout: 10000 });
    const file = await dl.jsonValue();
    assert.match(file.name, /^ranking-street-.*\.csv$/);
    assert.ok(file.text.includes('rank,id,name'), file.text.slice(0, 80));
  });
});

test('the district leader opens a topic, links its tickets and resolves them together', async () => {
  const gw = await login('gw0001');
  const a = await fileTicket(gw), b = await fileTicket(gw);
  const ds = await login('ds01');
  await withPortal(browser, WIDE, 'cockpit-topics', async (page) => {
    await signIn(page, 'ds01', { lands: 'cockpit' });
    await press(page, 'cockpit.tab.topics');
    await waitWidget(page, 'suggestions', (w) => Number(w.value.split('|')[0]) >= 1);
    // The noise cluster of gw0001's street, among the suggestions the cockpit lists.
    const me = (await api('GET', '/api/v1/me', { token: gw })).json;
    const suggested = (await api('GET', '/api/v1/stats/topics', { token: ds })).json.items;
    const index = suggested.findIndex((x) => x.category === 'env.noise' && x.street_id === me.street_id);
    assert.ok(index >= 0 && index < 5, JSON.stringify(suggested));
    await press(page, `topics.create.${index}`);
    await waitWidget(page, 'topic.notice');
    await waitWidget(page, 'topic.link', (w) => w.enabled);
    await press(page, 'topic.link');
    // Every open noise ticket of the street is linked: ours and the earlier test's.
    await waitWidget(page, 'topic_tickets', (w) => Number(w.value.split('|')[0]) >= 2);
    await focusField(page, 'topic.reply');
    await insertText(page, '已协调城管、住建部门统一整改夜间施工');
    await press(page, 'topic.resolve');
    await waitWidget(page, 'topic.status', (w) => w.value === '已化解');
    await screenshot(page, 'cockpit-topic-desktop');
  });
  const topics = (await api('GET', '/api/v1/topics', { token: ds })).json.items;
  assert.equal(topics[0].status, 'resolved');
  assert.equal(topics[0].open_count, 0);
  const linked = (await api('GET', `/api/v1/topics/${topics[0].id}/tickets`, { token: ds })).json.items;
  const numbers = linked.map((t) => t.number);
  assert.ok(numbers.includes(a) && numbers.includes(b), JSON.stringify(numbers));
  for (const n of [a, b]) {
    const t = (await api('GET', `/api/v1/tickets/${n}`, { token: ds })).json;
    assert.equal(t.status, 'resolved', n);
    const ev = (await api('GET', `/api/v1/tickets/${n}/events`, { token: ds })).json.items;
    assert.equal(ev.at(-1).action, 'resolve');
    assert.equal(ev.at(-1).note, '已协调城管、住建部门统一整改夜间施工');
  }
});

test('a street leader sees their street on a phone', async () => {
  const ss = await login('ss001');
  await withPortal(browser, PHONE, 'cockpit-street', async (page) => {
    await signIn(page, 'ss001', { lands: 'cockpit' });
    const o = (await api('GET', '/api/v1/stats/overview', { token: ss })).json;
    assert.match(o.scope, /^street:/);
    await expectTiles(page, o);
    await waitWidget(page, 'kpi.satisfaction_rate', (w) => w.value.includes(FEW.zh));
    await screenshot(page, 'cockpit-phone');
    // In English: the same figures under English labels.
    await press(page, 'lang.toggle');
    await waitWidget(page, 'kpi.satisfaction_rate',
      (w) => w.label === 'Satisfaction rate' && w.value === withN(o, 'satisfaction_rate', 'en'));
    await waitWidget(page, 'kpi.rating_rate',
      (w) => w.label === 'Rating rate' && w.value === withN(o, 'rating_rate', 'en'));
    // The street has only a few ratings: its satisfaction rate is marked as such.
    assert.ok(o.rated >= 1 && o.rated < 10, JSON.stringify(o));
    await waitWidget(page, 'kpi.satisfaction_rate', (w) => w.value.endsWith(`· ${FEW.en})`));
    await waitWidget(page, 'cockpit.tab.overview', (w) => w.label === 'Overview');
    await screenshot(page, 'cockpit-phone-en');
    await press(page, 'lang.toggle');
    await waitWidget(page, 'kpi.satisfaction_rate', (w) => w.label === '满意率');
    await press(page, 'cockpit.tab.topics');
    await settle(page);
    await screenshot(page, 'cockpit-topics-phone');
  });
});

test('the public board opens without signing in', async () => {
  const board = (await api('GET', '/api/v1/public/board')).json;
  for (const device of [PHONE, WIDE]) {
    await withPortal(browser, device, 'board', async (page) => {
      await press(page, 'home.board');
      await waitScreen(page, 'board');
      for (const k of Object.keys(PARTS))
        await waitWidget(page, `board.kpi.${k}`, (w) => w.value === withN(board.district, k));
      // The streets' table: rank, street, 满意率 and its n (satisfied/rated), 解决率.
      const top = board.streets[0];
      await waitWidget(page, 'board.streets', (w) => w.value.startsWith(
        `15|${top.rank ?? "—"}|${top.name}|${pct(top.satisfaction_rate)}|${num(top.satisfied)}/${num(top.rated)}`));
      await screenshot(page, device === PHONE ? 'board-phone' : 'board-desktop');
    });
  }
});
