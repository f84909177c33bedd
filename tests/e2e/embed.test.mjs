// The portal embedded in a host page of another origin: the SDK mounts the frame,
// passes the citizen's token by postMessage (never in the URL), the host hears
// `ready` and `ticket_created`, a script error in the frame and, when something is
// wrong, an `error` that says what: a host origin not on the allow-list (refused), a
// portal that never answers (timeout). With autoHeight the frame follows the content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { DESKTOP, launch, portalUrl, screenshotDir } from './lib/portal.mjs';
import { login } from './lib/api.mjs';

// The host page has no window.portal to wait for: shoot it as it is.
async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

const hostPort = Number(process.env.PORTAL_HOST_PORT);
let browser, server, hanging;
const held = [];  // requests the hanging "portal" never answers
let hostToken = '';

// A host page mounting the portal from `portal` (its embed.js) with these options.
const hostHtml = (portal, options) => `<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head>
<body style="margin:0;font:14px sans-serif"><h1 style="font-size:16px;margin:8px">宿主应用</h1>
<div id="box" style="width:400px"></div>
<script src="${portal}embed.js"></script>
<script>
  window.events = [];
  window.embed = PortalEmbed.mount(document.getElementById('box'), Object.assign(${JSON.stringify(options)}, {
    onEvent: function (type, data) { window.events.push({ type: type, data: data, at: performance.now() }); },
  }));
</script></body></html>`;

before(async () => {
  browser = await launch();
  // A "portal" that accepts connections and never answers: the frame never loads.
  hanging = http.createServer((req, res) => held.push(res));
  await new Promise((r) => hanging.listen(0, '127.0.0.1', r));
  const hangOrigin = `http://127.0.0.1:${hanging.address().port}`;
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://host');
    const options = {
      '/': () => ({ origin: portalUrl(), token: hostToken, height: 700 }),
      '/auto': () => ({ origin: portalUrl(), height: 300, autoHeight: true }),
      '/hang': () => ({ origin: hangOrigin, height: 300, timeout: 2000 }),
    }[url.pathname];
    if (!options) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(hostHtml(portalUrl(), options()));
  });
  await new Promise((r) => server.listen(hostPort, '127.0.0.1', r));
});
after(async () => {
  await browser?.close();
  server?.close();
  for (const res of held) res.destroy();
  hanging?.closeAllConnections();
  hanging?.close();
});

async function waitEvent(page, type, timeout = 30000) {
  await page.waitForFunction((t) => window.events.some((e) => e.type === t), type, { timeout });
  return page.evaluate((t) => window.events.find((e) => e.type === t), type);
}

async function frameWidget(frame, id) {
  return frame.evaluate((i) => window.portal && window.portal.ready ? window.portal.widget(i) : null, id);
}
async function waitFrameWidget(frame, id, check = () => true, timeout = 20000) {
  const until = Date.now() + timeout;
  let last = null;
  while (Date.now() < until) {
    last = await frameWidget(frame, id).catch(() => null);
    if (last && check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`frame widget ${id}: ${JSON.stringify(last)}`);
}
// Scrolls the frame's body with the mouse wheel until the widget is fully in view. The
// wheel turns at the frame's right edge: over the map it would zoom the map instead.
async function frameReveal(page, frame, id) {
  const box = await (await frame.frameElement()).boundingBox();
  for (let i = 0; i < 12; i++) {
    const w = await waitFrameWidget(frame, id);
    if (w.visible) return w;
    await page.mouse.move(box.x + box.width - 6, box.y + box.height / 2);
    await page.mouse.wheel(0, Math.round(w.y + w.h / 2 - box.height * 0.45));
    await frame.waitForFunction(() => window.portal.idle(), null, { polling: 30 });
  }
  throw new Error(`could not scroll ${id} into view in the frame`);
}
async function framePress(page, frame, id) {
  await frameReveal(page, frame, id);
  const w = await waitFrameWidget(frame, id, (x) => x.visible && x.enabled);
  const box = await (await frame.frameElement()).boundingBox();
  await page.mouse.click(box.x + w.x + w.w / 2, box.y + w.y + w.h / 2);
  await frame.waitForFunction(() => window.portal.idle(), null, { polling: 30 });
}
async function frameType(page, frame, id, text) {
  await framePress(page, frame, id);
  await waitFrameWidget(frame, id, (w) => w.active);
  await page.keyboard.insertText(text);
  await frame.waitForFunction(() => window.portal.idle(), null, { polling: 30 });
}

test('embedded in an allowed host: token by postMessage, ticket_created reaches the host', async () => {
  const token = await login('cz005');
  hostToken = token;
  const context = await browser.newContext({ ...DESKTOP, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`http://127.0.0.1:${hostPort}/`);
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 30000 });
    const src = await page.evaluate(() => window.embed.iframe.src);
    assert.ok(!src.includes(token), 'the token is not in the frame URL');
    const frame = page.frames().find((f) => f.url().includes('/embed.html'));
    assert.ok(frame, 'the portal frame');
    // Signed in through the token the host passed.
    await waitFrameWidget(frame, 'home.mine');
    await screenshot(page, 'embed-01-host');

    await framePress(page, frame, 'home.submit');
    await framePress(page, frame, 'submit.category');
    const cat = (await frame.evaluate(() => window.portal.widgets())).find((w) => w.id.startsWith('category.'));
    await framePress(page, frame, cat.id);
    await frameType(page, frame, 'submit.description', '楼道堆放杂物，存在消防隐患。');
    await framePress(page, frame, 'submit.location_unknown');
    // Each field is scrolled into view before it is clicked (framePress).
    await frameType(page, frame, 'submit.name', '赵先生');
    await frameType(page, frame, 'submit.phone', '13800138005');
    await framePress(page, frame, 'submit.button');
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ticket_created'), null, { timeout: 20000 });
    const created = await page.evaluate(() => window.events.find((e) => e.type === 'ticket_created').data);
    assert.match(created.number, /^RC\d{16}$/);
    const res = await fetch(new URL(`api/v1/tickets/${created.number}`, portalUrl()), {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, 'owned by the account whose token the host passed');
    const t = await res.json();
    assert.equal(t.channel, 'embed');
    await screenshot(page, 'embed-02-created');
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.events.filter((e) => e.type === 'error')), []);

    // A script error inside the portal reaches the host's developer (code evaluated by
    // the test has no file, so no `where` here).
    await frame.evaluate(() => setTimeout(() => { throw new Error('boom in the frame'); }, 0));
    const err = await waitEvent(page, 'error', 10000);
    assert.equal(err.data.reason, 'script');
    assert.match(err.data.message, /^the portal reported: .*boom in the frame/);
  } finally {
    await context.close();
  }
});

test('a host origin not on the allow-list is refused: the host hears error/refused and what to do', async () => {
  const context = await browser.newContext({ ...DESKTOP });
  const page = await context.newPage();
  const logged = [];
  page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
  try {
    // localhost is another origin than the allowed 127.0.0.1.
    const host = `http://localhost:${hostPort}`;
    const started = Date.now();
    await page.goto(`${host}/`);
    const err = await waitEvent(page, 'error', 14000);
    // Well before the 15 s timeout: the frame loaded (Chromium's error page) and never spoke.
    assert.ok(Date.now() - started < 12000, `refused after ${Date.now() - started} ms`);
    assert.equal(err.data.reason, 'refused');
    assert.ok(err.data.message.includes(`--frame-ancestors "${host}"`), err.data.message);
    const types = await page.evaluate(() => window.events.map((e) => e.type));
    assert.deepEqual(types, ['error'], 'one error, no ready from a refused frame');
    assert.ok(logged.some((t) => t.startsWith('PortalEmbed: refused:')), 'said in the console too');
    await screenshot(page, 'embed-03-refused');
  } finally {
    await context.close();
  }
});

test('a portal that never answers: error/timeout after the `timeout` option', async () => {
  const context = await browser.newContext({ ...DESKTOP });
  const page = await context.newPage();
  try {
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${hostPort}/hang`, { waitUntil: 'commit' });
    const err = await waitEvent(page, 'error', 10000);
    assert.equal(err.data.reason, 'timeout');
    assert.match(err.data.message, /no answer from http:\/\/127\.0\.0\.1:\d+ within 2 s/);
    assert.ok(Date.now() - started >= 1900, 'not before the timeout');
    assert.ok(held.length >= 1, 'the frame asked the hanging portal');
    await page.waitForTimeout(500);
    assert.deepEqual(await page.evaluate(() => window.events.map((e) => e.type)), ['error']);
  } finally {
    await context.close();
  }
});

// Activates a widget in the frame through its accessibility-mirror node (the frame may
// be taller than the host's viewport: no mouse needed).
async function frameActivate(frame, id) {
  await waitFrameWidget(frame, id, (w) => w.enabled);
  await frame.evaluate((i) => document.querySelector(`#portal-semantics [data-id="${i}"]`).click(), id);
  await frame.waitForFunction(() => window.portal.idle(), null, { polling: 30 });
}
async function frameHeight(page) {
  return page.evaluate(() => window.embed.iframe.getBoundingClientRect().height);
}
async function lastResize(page) {
  return page.evaluate(() => window.events.filter((e) => e.type === 'resize').pop()?.data ?? null);
}
// Waits until the frame's height is the content height the portal last reported (and,
// when given, different from `not`), then for no further resize for 400 ms.
async function settledHeight(page, check = () => true) {
  const until = Date.now() + 20000;
  let last = null;
  while (Date.now() < until) {
    const r = await lastResize(page);
    const h = await frameHeight(page);
    if (r && Math.round(h) === Math.max(200, r.height) && check(h)) {
      const count = await page.evaluate(() => window.events.filter((e) => e.type === 'resize').length);
      await page.waitForTimeout(400);
      const again = await page.evaluate(() => window.events.filter((e) => e.type === 'resize').length);
      if (again === count) return { height: h, reported: r };
    }
    last = { r, h };
    await page.waitForTimeout(50);
  }
  throw new Error(`the frame did not settle at the content height: ${JSON.stringify(last)}`);
}

// The frame shows exactly what the portal last reported: the frame element's height, the
// frame's own innerHeight and the last resize agree (polled: content that loads late may
// still move by a line after a settle). Returns that height.
async function followsContent(page, frame) {
  const until = Date.now() + 10000;
  let last = null;
  while (Date.now() < until) {
    const r = await lastResize(page);
    const h = Math.round(await frameHeight(page));
    const inner = await frame.evaluate(() => window.innerHeight);
    if (r && h === Math.max(200, r.height) && inner === h) return h;
    last = { r, h, inner };
    await page.waitForTimeout(50);
  }
  throw new Error(`the frame does not show the content height: ${JSON.stringify(last)}`);
}

test('autoHeight: the frame follows the content height of each screen, without scrolling', async () => {
  const context = await browser.newContext({ ...DESKTOP, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`http://127.0.0.1:${hostPort}/auto`);
    await waitEvent(page, 'ready');
    const frame = page.frames().find((f) => f.url().includes('/embed.html'));
    await waitFrameWidget(frame, 'home.submit');
    const home = await settledHeight(page, (h) => h !== 300);
    // The content's height, not the frame's: the frame started at 300 px.
    assert.ok(home.reported.height > 300, `home needs ${home.reported.height} px`);
    assert.ok(Math.abs((await followsContent(page, frame)) - home.height) <= 24, 'home stays within a line');
    // All of home shows in the frame: its last widget ends inside it, with no scrolling.
    const homeWidgets = await frame.evaluate(() => window.portal.widgets());
    assert.ok(homeWidgets.every((w) => w.visible), 'every widget of home in view');
    await screenshot(page, 'embed-04-auto-home');

    // A longer screen: the report form (with its map). The frame grows to it.
    await frameActivate(frame, 'home.submit');
    await waitFrameWidget(frame, 'submit.button');
    const form = await settledHeight(page, (h) => Math.abs(h - home.height) > 1);
    assert.ok(form.height > home.height, `the form (${form.height} px) is taller than home (${home.height} px)`);
    const button = await waitFrameWidget(frame, 'submit.button');
    assert.ok(button.visible && button.y + button.h <= form.height, 'the form\'s last button inside the frame');
    assert.ok(Math.abs((await followsContent(page, frame)) - form.height) <= 24, 'the form stays within a line');
    await screenshot(page, 'embed-05-auto-form');

    // Back home: it shrinks again to home's height.
    await frame.evaluate(() => history.back());
    await waitFrameWidget(frame, 'home.submit');
    const again = await settledHeight(page, (h) => Math.abs(h - form.height) > 1);
    assert.ok(again.height < form.height, `home again (${again.height} px) is shorter than the form`);
    // Home may have gained a few pixels since it was first measured (what loads late,
    // such as this device's tickets, can add a line): within a line of it.
    assert.ok(Math.abs(again.height - home.height) <= 24,
      `home again ${again.height} px, at first ${home.height} px`);
    assert.ok(Math.abs((await followsContent(page, frame)) - again.height) <= 24, 'home again stays within a line');
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.events.filter((e) => e.type === 'error')), []);
  } finally {
    await context.close();
  }
});
