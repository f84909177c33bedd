// Live updates and idle cost, in real Chromium against the real server: a signed-in
// citizen has the page of a ticket open; the grid worker accepts it and notes progress
// over the HTTP API; the page shows the new status and timeline without a reload. While
// nothing changes the app draws no frame: frames and the tab's CPU time over 5 s idle
// are measured (Chromium's Performance.getMetrics) and reported. The first load's
// transfer, by file, and the time to the first frame are reported too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, focusField, insertText, launch, openPortal, press, reveal, screenshot,
  settle, waitScreen, waitWidget,
} from './lib/portal.mjs';
import { api, login, workerOf } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Frames drawn and the renderer's CPU time (ms) over `ms` of doing nothing.
async function measureIdle(page, ms) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await settle(page);
  const metric = (list, name) => list.metrics.find((m) => m.name === name)?.value ?? 0;
  const f0 = await page.evaluate(() => window.portal.frame);
  const m0 = await cdp.send('Performance.getMetrics');
  await page.waitForTimeout(ms);
  const m1 = await cdp.send('Performance.getMetrics');
  const f1 = await page.evaluate(() => window.portal.frame);
  await cdp.detach();
  return {
    frames: f1 - f0,
    taskMs: (metric(m1, 'TaskDuration') - metric(m0, 'TaskDuration')) * 1000,
    scriptMs: (metric(m1, 'ScriptDuration') - metric(m0, 'ScriptDuration')) * 1000,
    seconds: ms / 1000,
  };
}

function report(label, idle) {
  const cpu = (idle.taskMs / (idle.seconds * 1000)) * 100;
  console.log(`# ${label}: idle ${idle.seconds} s: ${idle.frames} frames, ` +
    `main-thread tasks ${idle.taskMs.toFixed(1)} ms (${cpu.toFixed(2)} % of one core), ` +
    `script ${idle.scriptMs.toFixed(1)} ms`);
}

test('phone: the ticket page shows a handler\'s action live; idle draws nothing', async () => {
  const token = await login('cz005');
  const sub = await api('POST', '/api/v1/tickets', {
    token,
    body: {
      category: 'env.noise', description: '广场舞音响声音太大，晚上十点后仍未停止。',
      location: { lat: 35.41, lng: 116.58, address: '任城区古槐路' }, contact: { name: '赵先生', phone: '13800138005' },
    },
  });
  assert.equal(sub.status, 201, JSON.stringify(sub.json));
  const number = sub.json.number;
  const gw = await workerOf(sub.json.grid_id);

  const { page, context, timing } = await openPortal(browser, PHONE);
  try {
    // First load: what came over the wire, by file, and the first frame.
    const transfer = await page.evaluate(() => performance.getEntriesByType('resource').concat(
      performance.getEntriesByType('navigation')).map((e) => ({
      name: e.name.split('/').pop() || 'index.html', transfer: e.transferSize, body: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })));
    const total = transfer.reduce((a, e) => a + e.transfer, 0);
    for (const e of transfer.filter((x) => x.transfer > 0))
      console.log(`# load: ${e.name}: ${e.transfer} B over the wire (${e.decoded} B decoded)`);
    console.log(`# load: total ${total} B; first frame at ${Math.round(timing.firstFrameMs)} ms`);

    // Sign in and open the ticket from my matters.
    await press(page, 'home.account');
    await waitScreen(page, 'account');
    await focusField(page, 'account.login');
    await insertText(page, 'cz005');
    await focusField(page, 'account.password');
    await insertText(page, 'demo12345');
    await press(page, 'account.submit');
    await waitScreen(page, 'my_tickets');
    await press(page, `mine.${number}`);
    await waitScreen(page, 'ticket');
    await waitWidget(page, 'ticket.live');
    const before = await waitWidget(page, 'ticket.status');
    assert.equal(before.value, '已派单');
    await waitWidget(page, 'ticket.event.0');
    await screenshot(page, 'phone-40-live-before');

    // Nothing changes: nothing is drawn.
    const idle = await measureIdle(page, 5000);
    report('phone ticket page', idle);
    assert.equal(idle.frames, 0, 'no frame drawn while idle');

    // The page must not reload: a mark on window survives only without one.
    await page.evaluate(() => { window.__stillHere = true; });
    const frames0 = await page.evaluate(() => window.portal.frame);
    const acc = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'accept' } });
    assert.equal(acc.status, 200, JSON.stringify(acc.json));
    await waitWidget(page, 'ticket.status', (w) => w.value === '已受理', 10000);
    await waitWidget(page, 'ticket.event.0', (w) => w.label.startsWith('受理'), 10000);

    const note = '已联系物业，今晚到现场劝导。';
    const prog = await api('POST', `/api/v1/tickets/${number}/actions`, { token: gw, body: { action: 'progress', note } });
    assert.equal(prog.status, 200, JSON.stringify(prog.json));
    await waitWidget(page, 'ticket.event.0', (w) => w.value.includes(note), 10000);
    assert.equal(await page.evaluate(() => window.__stillHere), true, 'no reload');
    assert.ok(await page.evaluate(() => window.portal.frame) > frames0, 'drew the change');
    await screenshot(page, 'phone-41-live-after');
    await reveal(page, 'ticket.event.0');
    await screenshot(page, 'phone-42-live-timeline');

    const again = await measureIdle(page, 2000);
    assert.equal(again.frames, 0, 'idle again after the update');
    assert.deepEqual(page.portalErrors, [], 'errors on the page');
  } catch (e) {
    await screenshot(page, 'failed-live').catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
});

test('desktop: idle home screen draws nothing', async () => {
  const { page, context } = await openPortal(browser, DESKTOP);
  try {
    await waitWidget(page, 'home.submit');
    const idle = await measureIdle(page, 5000);
    report('desktop home', idle);
    assert.equal(idle.frames, 0, 'no frame drawn while idle');
    // A pointer moving over it draws, then it settles again.
    await page.mouse.move(200, 300);
    await page.mouse.move(220, 320);
    await settle(page);
    const after = await measureIdle(page, 2000);
    assert.equal(after.frames, 0);
    assert.deepEqual(page.portalErrors, [], 'errors on the page');
  } finally {
    await context.close();
  }
});
