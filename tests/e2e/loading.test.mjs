// Loading on a bad network, in real Chromium: when a file of the app fails to
// download, the splash says so in both languages and offers a retry, and the retry
// brings the portal up once the network is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PHONE, launch, portalUrl, screenshotDir, settle } from './lib/portal.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('phone: portal.wasm fails to download, the splash says so, retry loads the portal', async () => {
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.device = PHONE;
  let failing = true;
  // Its address carries the release's version (?v=...).
  await page.route((url) => url.pathname === '/portal.wasm',
    (route) => (failing ? route.abort('internetdisconnected') : route.continue()));
  try {
    await page.goto(portalUrl());
    await page.waitForFunction(() => window.portal && window.portal.error === 'load', null, { timeout: 30000 });
    const message = await page.locator('#splash .message').textContent();
    assert.match(message, /下载失败/);
    assert.match(message, /could not be downloaded/);
    const retry = page.locator('#splash button');
    assert.equal(await retry.textContent(), '重试 Retry');
    await page.screenshot({ path: path.join(screenshotDir, 'phone-75-load-failed.png') });

    failing = false;
    await retry.click();
    await page.waitForFunction(() => window.portal && window.portal.ready, null, { timeout: 30000 });
    await settle(page);
    assert.equal(await page.locator('#splash').count(), 0, 'the splash is gone');
  } finally {
    await context.close();
  }
});
