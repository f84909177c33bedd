// The portal embedded in a host page of another origin: the SDK mounts the frame,
// passes the citizen's token by postMessage (never in the URL), the host hears
// `ready` and `ticket_created`; a host origin not on the allow-list gets nothing.
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
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

const hostPort = Number(process.env.PORTAL_HOST_PORT);
let browser, server;

const hostHtml = (portal, token) => `<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head>
<body style="margin:0;font:14px sans-serif"><h1 style="font-size:16px;margin:8px">宿主应用</h1>
<div id="box" style="width:400px"></div>
<script src="${portal}embed.js"></script>
<script>
  window.events = [];
  window.embed = PortalEmbed.mount(document.getElementById('box'), {
    origin: ${JSON.stringify(portal)}, token: ${JSON.stringify(token)}, height: 700,
    onEvent: function (type, data) { window.events.push({ type: type, data: data }); },
  });
</script></body></html>`;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

function serveHost(token) {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(hostHtml(portalUrl(), token));
  });
  return new Promise((r) => server.listen(hostPort, '127.0.0.1', r));
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
  await serveHost(token);
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
  } finally {
    await context.close();
  }
});

test('a host origin not on the allow-list is refused', async () => {
  const context = await browser.newContext({ ...DESKTOP });
  const page = await context.newPage();
  try {
    // localhost is another origin than the allowed 127.0.0.1.
    await page.goto(`http://localhost:${hostPort}/`);
    await page.waitForTimeout(4000);
    assert.deepEqual(await page.evaluate(() => window.events.map((e) => e.type)), [], 'no ready from a refused frame');
    await screenshot(page, 'embed-03-refused');
  } finally {
    await context.close();
  }
});
