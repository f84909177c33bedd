// The app shell offline, in real Chromium against the real server: after one visit the
// service worker (web/sw.js) keeps the shell, so that a reload without network opens the
// app, which says it is offline (a strip under the bar, announced as a status); the API
// is never answered from a cache (my tickets says the network failed), except the public
// category list, which the report form still offers offline. A new release (another
// portal.wasm, versioned again by scripts/shell_version.py) replaces the cached shell:
// the visit that finds it still runs the old release whole, the next one the new, and
// the old cache is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PHONE, ready, until, launch, openPortal, pickFirstCategory, portalUrl, press, screenshot, settle, signIn,
  waitScreen, waitWidget, widget,
} from './lib/portal.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });



// Waits until the service worker controls the page and has the whole shell cached;
// returns the release the page runs and what the worker keeps.
async function shellKept(page) {
  await until(page, async () => {
    if (!navigator.serviceWorker.controller) return false;
    const names = (await caches.keys()).filter((n) => n.startsWith('portal-shell-'));
    return names.length === 1;
  });
  return release(page);
}

async function release(page) {
  return page.evaluate(async () => {
    const names = await caches.keys();
    const shellName = names.find((n) => n.startsWith('portal-shell-'));
    const shell = shellName ? (await (await caches.open(shellName)).keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search) : [];
    const api = names.includes('portal-api') ? (await (await caches.open('portal-api')).keys()).map((r) => new URL(r.url).pathname) : [];
    const wasm = document.querySelector('link[rel="preload"][as="fetch"]').getAttribute('href');
    // What this page loaded of the app: every address must be of the one release.
    const loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name))
      .filter((u) => /^\/portal[.-]/.test(u.pathname)).map((u) => u.pathname + u.search);
    return { caches: names, shell, api, wasm, loaded, controlled: !!navigator.serviceWorker.controller };
  });
}

// Every status the accessibility mirror announced (its polite live region).
async function recordAnnouncements(context) {
  await context.addInitScript(() => {
    window.__announced = [];
    document.addEventListener('DOMContentLoaded', () => {
      const live = document.getElementById('portal-live');
      new MutationObserver(() => { if (live.textContent) window.__announced.push(live.textContent); })
        .observe(live, { childList: true, characterData: true, subtree: true });
    });
  });
}

async function noBanner(page) {
  await page.waitForFunction(() => !window.portal.widget('offline'), null, { timeout: 15000, polling: 50 });
}

test('phone: visited once, a reload offline opens the app from this device and says it is offline', async () => {
  const { page, context } = await openPortal(browser, PHONE);
  try {
    await recordAnnouncements(context);
    const first = await shellKept(page);
    assert.ok(first.controlled);
    // The shell by its versioned addresses: index.html, the scripts, the wasm, the icons.
    for (const name of ['/index.html', '/portal.js', '/portal.wasm', '/portal-bridge.js', '/portal-glyphs.js',
      '/portal-semantics.js', '/portal-store.js', '/icon.svg'])
      assert.ok(first.shell.some((u) => u.startsWith(name + '?v=')), `${name} kept: ${first.shell}`);
    assert.ok(first.shell.includes(first.wasm), 'the wasm the page loaded is the one kept');
    assert.equal(await widget(page, 'offline'), null, 'online: no banner');

    // Online, under the worker: the report form's categories (kept, stale while
    // revalidate), then a citizen's tickets (never kept).
    await page.goto(new URL('submit', portalUrl()).href);
    await ready(page);
    await pickFirstCategory(page);
    await page.goto(portalUrl());
    await ready(page);
    await signIn(page, 'cz005', { lands: 'my_tickets' });
    await page.waitForFunction(() => !window.portal.widget('mine.error') && window.portal.widget('mine.new'));
    // A fallback font piece (portal-glyphs.js fetches one where the device lacks a
    // character) is kept once fetched.
    assert.equal(await page.evaluate(async () => (await fetch('/fonts/cjk-sym.woff2')).status), 200);
    const online = await release(page);
    assert.ok(online.caches.some((n) => n.startsWith('portal-fonts-')), `fonts kept: ${online.caches}`);
    assert.ok(online.api.includes('/api/v1/categories'), `the categories are kept: ${online.api}`);
    const shared = ['/api/v1/categories', '/api/v1/org', '/api/v1/grids'];
    assert.deepEqual(online.api.filter((u) => !shared.includes(u)), [], 'nothing else of the API is kept');

    // Offline: the reload is answered by the worker; the app draws and says so.
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    const banner = await waitWidget(page, 'offline');
    assert.match(banner.label, /离线/);
    assert.equal(banner.y, 52, 'right under the bar');
    // It takes its own place: the screen's content starts below it.
    const title = await waitWidget(page, 'nav.title');
    assert.ok(title.y + title.h <= banner.y, 'the bar is not covered');
    const mine = await waitWidget(page, 'mine.error');
    assert.ok(mine.y >= banner.y + banner.h, `the content starts below the banner (${mine.y} < ${banner.y + banner.h})`);
    assert.ok(banner.h <= 60, `a slim strip on a 360 px phone (${banner.h} px)`);
    // The API is not answered from a cache: my tickets failed on the network.
    assert.ok((await waitWidget(page, 'mine.error')).label.length > 0);
    const node = page.locator('#portal-semantics [data-id="offline"]');
    assert.match(await node.textContent(), /离线/);
    await page.waitForFunction(() => window.__announced.some((t) => /离线/.test(t)));
    await screenshot(page, 'phone-90-offline-mine');
    const answers = await page.evaluate(async () => {
      const tryFetch = (u) => fetch(u).then((r) => r.status, (e) => e.name);
      return { me: await tryFetch('/api/v1/me'), categories: await tryFetch('/api/v1/categories'),
        tickets: await tryFetch('/api/v1/tickets?mine=1'), piece: await tryFetch('/fonts/cjk-sym.woff2'),
        other: await tryFetch('/fonts/cjk-5000.woff2') };
    });
    assert.deepEqual(answers, { me: 'TypeError', categories: 200, tickets: 'TypeError', piece: 200, other: 'TypeError' });

    // Another address of the portal, offline: the same page; the form offers the kept
    // categories.
    await page.goto(new URL('submit', portalUrl()).href);
    await ready(page);
    await waitScreen(page, 'submit');
    await waitWidget(page, 'offline');
    await pickFirstCategory(page);
    await screenshot(page, 'phone-91-offline-submit');
    await press(page, 'lang.toggle');
    await waitWidget(page, 'offline', (w) => /Offline/.test(w.label));
    await screenshot(page, 'phone-92-offline-submit-en');
    const en = await widget(page, 'offline');  // once its glyphs are all drawn
    assert.ok(en.h <= 60, `two lines at most in English (${en.h} px)`);

    // The network is back: the strip goes.
    await context.setOffline(false);
    await noBanner(page);
    const after = await release(page);
    assert.deepEqual(after.loaded.filter((u) => !first.shell.includes(u)), [], 'one release on the page');
  } finally {
    await context.close();
  }
});

// [SECTION] A new release

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A portal-server of this test's own on `port`, serving `www`.
async function serve(www, port, db) {
  const child = spawn(process.env.PORTAL_SERVER_BIN,
    ['serve', '--host', '127.0.0.1', '--port', String(port), '--db', db, '--www', www],
    { stdio: 'ignore' });
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error('portal-server exited');
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('portal-server did not become ready');
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

// A valid custom section ("release", some bytes) appended to a wasm module: another
// file that runs the same.
function appendCustomSection(file, payload) {
  const name = Buffer.from('release');
  const body = Buffer.concat([Buffer.from([name.length]), name, Buffer.from(payload)]);
  assert.ok(body.length < 128);
  fs.appendFileSync(file, Buffer.concat([Buffer.from([0, body.length]), body]));
}

test('phone: a new release replaces the cached shell on the next visit, and the old cache goes', async () => {
  if (!process.env.PORTAL_SERVER_BIN || !process.env.PORTAL_WWW) throw new Error('run through run-e2e.sh');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-release-'));
  const v1 = path.join(tmp, 'www1'), v2 = path.join(tmp, 'www2'), db = path.join(tmp, 'portal.db');
  fs.cpSync(process.env.PORTAL_WWW, v1, { recursive: true });
  execFileSync(process.env.PORTAL_SERVER_BIN, ['seed', '--db', db, '--demo'], { stdio: 'ignore' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  let server = await serve(v1, port, db);
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const visit = async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await ready(page);
    assert.deepEqual(errors, []);
    return page;
  };
  try {
    let page = await visit();
    const old = await shellKept(page);
    await page.close();

    // The release: another portal.wasm, and the shell versioned again.
    await stop(server);
    fs.cpSync(v1, v2, { recursive: true });
    appendCustomSection(path.join(v2, 'portal.wasm'), 'second release');
    execFileSync('/usr/bin/python3', [path.join(ROOT, 'scripts', 'shell_version.py'), v2], { stdio: 'ignore' });
    server = await serve(v2, port, db);
    const served = await fetch(url + 'index.html').then((r) => r.text());
    const newWasm = /href="(\/portal\.wasm\?v=[0-9a-f]+)"/.exec(served)[1];
    assert.notEqual(newWasm, old.wasm);
    // The old release's address is not served any more: no page can mix the two.
    assert.equal((await fetch(url + old.wasm.slice(1))).status, 404);

    // The visit that finds the release runs the old one whole (from the cache) ...
    page = await visit();
    const during = await release(page);
    assert.equal(during.wasm, old.wasm);
    assert.deepEqual(during.loaded.filter((u) => !old.shell.includes(u)), [], 'only old files on this page');
    // ... while the browser installs the new one, which replaces the old cache.
    await until(page, async (gone) => !(await caches.keys()).includes(gone),
      old.caches.find((n) => n.startsWith('portal-shell-')));
    await page.close();

    // The next visit runs the new release, from its cache.
    page = await visit();
    const now = await shellKept(page);
    assert.equal(now.wasm, newWasm);
    assert.ok(now.shell.includes(newWasm));
    assert.equal(now.caches.filter((n) => n.startsWith('portal-shell-')).length, 1, 'one shell cache');
    assert.ok(!now.caches.some((n) => old.caches.includes(n) && n.startsWith('portal-shell-')), 'the old cache is gone');
    assert.deepEqual(now.loaded.filter((u) => !now.shell.includes(u)), [], 'only new files on this page');
    const served2 = await page.evaluate(() => performance.getEntriesByType('navigation')[0].workerStart > 0);
    assert.ok(served2, 'the page came from the worker');
    await page.close();
  } finally {
    await context.close();
    await stop(server);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
