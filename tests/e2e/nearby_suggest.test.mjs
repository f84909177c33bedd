// The same matter reported once, in real Chromium against the real server (run with a
// trained suggestion: run-e2e.sh ... train). On a phone, a signed-in citizen who chooses
// the category of an open ticket at about its place sees it under "已有人反映？", follows
// it with "这也是我的问题（附议）", is offered (not forced) to discard the draft, finds it
// under "我附议的" and may unfollow it; typing a description shows suggested categories
// as chips, and only a tap on one sets the category.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, focusField, insertText, launch, press, reveal, screenshot, signIn, typeKeys, until,
  waitScreen, waitWidget, widgets, withPortal,
} from './lib/portal.mjs';
import { DEMO_PASSWORD, api } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const AT = { lat: 35.41, lng: 116.58 };

// A citizen account of its own for each test (its followed list starts empty).
async function newCitizen(name) {
  const phone = `139${String(Date.now() % 1e8).padStart(8, '0')}`;
  const r = await api('POST', '/api/v1/auth/register', {
    body: { phone, password: DEMO_PASSWORD, name },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { phone, token: r.json.token };
}

function assertFits(list, width) {
  for (const w of list) {
    if (w.kind === 'screen') continue;
    assert.ok(w.x >= -0.5 && w.x + w.w <= width + 0.5, `${w.id} (${w.x}+${w.w}) overflows ${width} px`);
  }
}

// The row of the "已有人反映？" panel whose summary contains `text`.
async function nearbyRow(page, text) {
  let row = null;
  const end = Date.now() + 15000;
  while (!row) {
    row = (await widgets(page)).find((w) => /^nearby\.\d+$/.test(w.id) && w.label.includes(text));
    if (row) break;
    if (Date.now() > end) throw new Error(`no nearby row with ${text}`);
    await page.waitForTimeout(150);
  }
  return row;
}

test('phone: an open ticket of the category nearby is shown, followed, listed and unfollowed', () =>
  withPortal(browser, PHONE, 'nearby-follow', async (page) => {
  // An open report of a broken streetlight at a point, filed by someone else.
  const mark = `${Date.now() % 100000}`;
  const description = `古槐路18号门口路灯不亮一周了，晚上很黑（${mark}）`;
  const filed = await api('POST', '/api/v1/tickets', {
    body: {
      category: 'city.streetlight', description,
      location: { ...AT, address: '古槐路 18 号' },
      contact: { name: '周女士', phone: '13800138062' },
    },
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.json));
  const { number } = filed.json;
  const me = await newCitizen('孙先生');

  await waitWidget(page, 'home.account');
  await signIn(page, me.phone, { lands: 'my_tickets' });
  await press(page, 'mine.new');
  await waitScreen(page, 'submit');

  // The category, then the place (typed coordinates, about the same point).
  await press(page, 'submit.category');
  await waitScreen(page, 'categories');
  await press(page, 'category.city.streetlight');
  await waitScreen(page, 'submit');
  await focusField(page, 'submit.lat');
  await typeKeys(page, '35.41002');
  await focusField(page, 'submit.lng');
  await typeKeys(page, '116.58001');

  // The panel, above the send button: the ticket with its status, distance and followers.
  const row = await nearbyRow(page, `（${mark}）`);
  const id = row.id;
  const meta = await waitWidget(page, `${id}.meta`);
  assert.match(meta.label, /已派单|已提交|已受理|办理中/);
  assert.match(meta.label, /约\d+米/);
  await waitWidget(page, 'nearby.title', (w) => w.label === '已有人反映？');
  const follow = await reveal(page, `${id}.follow`);
  assert.equal(follow.label, '这也是我的问题（附议）');
  const send = await waitWidget(page, 'submit.button');
  assert.ok(send.y > follow.y, 'the panel is above the send button');
  assertFits(await widgets(page), 360);
  await screenshot(page, 'nearby-01-panel');

  // Me too: followed over the API, the form says so and offers to discard the draft.
  await press(page, `${id}.follow`);
  await waitWidget(page, 'nearby.done', (w) => w.label.includes('已附议，可在我的诉求中查看'));
  await waitWidget(page, `${id}.follow`, (w) => w.label === '已附议');
  await waitWidget(page, `${id}.meta`, (w) => w.label.includes('1人附议'));
  const followed = await api('GET', '/api/v1/tickets?scope=followed', { token: me.token });
  assert.equal(followed.status, 200);
  assert.ok(followed.json.items.some((t) => t.number === number), JSON.stringify(followed.json));
  // The form still holds the draft until the citizen says otherwise.
  await waitWidget(page, 'submit.category', (w) => w.value === '路灯不亮' || w.value.length > 0);
  await reveal(page, 'nearby.discard');
  assertFits(await widgets(page), 360);
  await screenshot(page, 'nearby-02-followed');

  // Discard: the followed list, with the ticket in it.
  await press(page, 'nearby.discard');
  await waitScreen(page, 'my_tickets');
  await waitWidget(page, 'mine.tab.followed', (w) => w.checked);
  await waitWidget(page, `mine.${number}`, (w) => w.value.includes('1人附议'));
  await screenshot(page, 'nearby-03-followed-list');

  // Its page: unfollow.
  await press(page, `mine.${number}`);
  await waitScreen(page, 'ticket');
  await waitWidget(page, 'ticket.followers', (w) => w.value === '1人附议');
  await press(page, 'ticket.unfollow');
  await waitWidget(page, 'toast', (w) => w.value === '已取消附议');
  const after = await api('GET', '/api/v1/tickets?scope=followed', { token: me.token });
  assert.ok(!after.json.items.some((t) => t.number === number), JSON.stringify(after.json));
}));

test('phone: typing a description shows suggested categories; a tap on one sets it', () =>
  withPortal(browser, PHONE, 'suggest-chips', async (page) => {
  await waitWidget(page, 'home.submit');
  await press(page, 'home.submit');
  await waitScreen(page, 'submit');
  let posted = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/suggest') posted++;
  });
  await focusField(page, 'submit.description');
  await insertText(page, '我们小区门口的路灯晚上一直不亮，黑乎乎的走路很危险');
  const lead = await waitWidget(page, 'submit.suggest', (w) => w.value.length > 0);
  assert.equal(lead.label, '可能是：');
  const chip = await waitWidget(page, 'submit.suggest.0');
  assert.ok(chip.label && chip.value, JSON.stringify(chip));
  // Suggested, not chosen: the category is still empty.
  assert.equal((await waitWidget(page, 'submit.category')).value, '');
  assert.equal(posted, 1, 'one request for one text');
  const chipTop = await reveal(page, 'submit.suggest.0');
  assert.ok(chipTop.y < (await waitWidget(page, 'submit.category')).y, 'chips above the picker');
  assertFits(await widgets(page), 360);
  await screenshot(page, 'suggest-01-chips');

  await press(page, 'submit.suggest.0');
  await waitWidget(page, 'submit.category', (w) => w.value === chip.label);
  // The category is the top suggestion now: the chips step aside.
  await until(page, () => !window.portal.widgets().some((w) => w.id.startsWith('submit.suggest')),
    null, 5000);
  await screenshot(page, 'suggest-02-picked');
}));
