// Lighthouse (pinned npm, 12.2.3: the last that runs on Node 20) scores the home page's
// accessibility with Debian's Chromium: 100, with the audits that need the mirror's
// controls (button names) applicable, so the score is of the page as people get it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { portalUrl } from './lib/portal.mjs';

const require = createRequire(import.meta.url);

test('Lighthouse accessibility on the home page: 100', () => {
  const cli = path.join(path.dirname(require.resolve('lighthouse/package.json')), 'cli', 'index.js');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lh-')), 'report.json');
  execFileSync(process.execPath, [cli, portalUrl(), '--only-categories=accessibility', '--output=json',
    `--output-path=${out}`, '--quiet', '--form-factor=mobile',
    '--chrome-flags=--headless=new --no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader'],
  { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM || '/usr/bin/chromium' }, stdio: 'inherit', timeout: 240000 });
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  const failed = Object.entries(report.audits)
    .filter(([, a]) => a.scoreDisplayMode === 'binary' && a.score !== 1).map(([k, a]) => `${k}: ${a.title}`);
  assert.deepEqual(failed, []);
  assert.equal(report.categories.accessibility.score, 1);
  // The controls were there when it looked: the mirror had drawn.
  assert.equal(report.audits['button-name'].scoreDisplayMode, 'binary');
  assert.equal(report.audits['meta-viewport'].score, 1, 'the page can be zoomed');
  console.log(`# Lighthouse ${report.lighthouseVersion} accessibility: ${report.categories.accessibility.score * 100}`);
});
