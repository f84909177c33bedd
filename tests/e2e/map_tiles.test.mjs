// The basemap (serve --tiles) in real Chromium: run-e2e.sh starts the portal with
// `--tiles http://127.0.0.1:$PORTAL_TILE_PORT/{z}/{x}/{y}{r}.png`, and this file serves
// those tiles itself (PNGs it makes, never the internet). On a phone at DPR 3 and on a
// desktop: only tiles that intersect the map are requested, at the zoom shown, @2x on the
// dense screen; they are drawn under the grids; the attribution shows on the map; zooming
// asks for the next level; and however far the map is moved, at most 64 textures stay.
//
// The map widget's value is "centerLng,centerLat,pxPerDegLng,pxPerDegLat,zoom" (zoom: the
// fractional Web Mercator zoom, the world 256·2^zoom CSS px wide); it draws tiles of
// z = clamp(floor(zoom + 0.5), 0, 18), those whose square intersects its rectangle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import {
  DESKTOP, PHONE, launch, portalUrl, press, reveal, screenshot, settle, waitScreen, waitWidget, widget,
  withPortal,
} from './lib/portal.mjs';
import { api } from './lib/api.mjs';

const TILE_PORT = Number(process.env.PORTAL_TILE_PORT);
const ATTRIBUTION = process.env.PORTAL_TILE_ATTRIBUTION;
if (!TILE_PORT || !ATTRIBUTION)
  throw new Error('run with tests/e2e/run-e2e.sh SERVER WWW map_tiles.test.mjs tiles (PORTAL_TILE_PORT)');
const BOUND = 64;           // textures the browser keeps (client/platform/main_web.cpp)
const MAP_BACKGROUND = [233, 238, 231];

// [SECTION] PNG tiles, made here
const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
// An RGB PNG of size × size, pixel(x, y) -> [r, g, b].
function png(size, pixel) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0, o = 0; y < size; y++) {
    raw[o++] = 0;  // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x, y);
      raw[o++] = r; raw[o++] = g; raw[o++] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);  // 8 bits, RGB, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// The pattern: a pale violet no part of the portal's own map uses (red and blue above
// green), a checker of 32 CSS px and a 1 CSS px border.
const TILE_BASE = [222, 150, 228], TILE_CHECK = [206, 128, 216], TILE_BORDER = [150, 60, 170];
function tilePng(scale) {
  const size = 256 * scale, cell = 32 * scale;
  return png(size, (x, y) => {
    if (x < scale || y < scale || x >= size - scale || y >= size - scale) return TILE_BORDER;
    return ((Math.floor(x / cell) + Math.floor(y / cell)) & 1) ? TILE_CHECK : TILE_BASE;
  });
}
const isTileTint = ([r, g, b]) => r - g >= 12 && b - g >= 12;

// Reads a PNG (colour type 2 or 6, 8 bits, not interlaced): {width, height, at(x, y)}.
function decodePng(buf) {
  let off = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), kind = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4); type = data[9];
      assert.equal(data[8], 8, 'screenshot: 8 bits a channel');
      assert.equal(data[12], 0, 'screenshot: not interlaced');
    } else if (kind === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? px[y * stride + i - bpp] : 0, b = y ? px[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y ? px[(y - 1) * stride + i - bpp] : 0;
      let v = row[i];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + i] = v & 0xff;
    }
  }
  return { width, height, at: (x, y) => [...px.subarray(y * stride + x * bpp, y * stride + x * bpp + 3)] };
}

// [SECTION] The tile server
const tiles = { requests: [], server: null };
before(async () => {
  const pngs = { 1: tilePng(1), 2: tilePng(2) };
  tiles.server = http.createServer((req, res) => {
    const m = /^\/(\d+)\/(\d+)\/(\d+)(@2x)?\.png$/.exec(req.url);
    if (!m || req.method !== 'GET') {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' });
      res.end();
      return;
    }
    tiles.requests.push({ z: +m[1], x: +m[2], y: +m[3], retina: !!m[4] });
    // A little later, as a real tile server answers: loads overlap and can be cancelled.
    setTimeout(() => {
      res.writeHead(200, {
        'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=600',
      });
      res.end(pngs[m[4] ? 2 : 1]);
    }, 15);
  });
  await new Promise((resolve, reject) => {
    tiles.server.once('error', reject);
    tiles.server.listen(TILE_PORT, '127.0.0.1', resolve);
  });
});
after(() => tiles.server?.close());

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// [SECTION] Web Mercator
const tileZ = (zoom) => Math.min(18, Math.max(0, Math.floor(zoom + 0.5)));
// The map's view as its widget reports it, with its size in CSS px.
function view(w) {
  const [lng, lat, , , zoom] = w.value.split(',').map(Number);
  return { lng, lat, zoom, w: w.w, h: w.h };
}
// Where the view's centre is in tiles of level z, and the half size of the view in tiles.
function inTiles(v, z) {
  const n = 2 ** z, s = Math.sin((v.lat * Math.PI) / 180);
  const tile = 256 * 2 ** (v.zoom - z);  // CSS px of a tile of level z
  return {
    cx: ((v.lng + 180) / 360) * n,
    cy: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n,
    hw: v.w / 2 / tile, hh: v.h / 2 / tile, slack: 1.5 / tile,  // 1.5 CSS px for rounding
  };
}
// The view shows tiles of this level and this one's square meets its rectangle.
function shows(v, t) {
  if (tileZ(v.zoom) !== t.z) return false;
  const c = inTiles(v, t.z);
  return t.x < c.cx + c.hw + c.slack && t.x + 1 > c.cx - c.hw - c.slack &&
    t.y < c.cy + c.hh + c.slack && t.y + 1 > c.cy - c.hh - c.slack;
}
// Every tile the view needs (squares that surely meet it, not only touch it).
function needed(v) {
  const z = tileZ(v.zoom), c = inTiles(v, z), out = [];
  const max = 2 ** z - 1, clamp = (i) => Math.min(max, Math.max(0, i));
  for (let x = clamp(Math.floor(c.cx - c.hw + c.slack)); x <= clamp(Math.floor(c.cx + c.hw - c.slack)); x++)
    for (let y = clamp(Math.floor(c.cy - c.hh + c.slack)); y <= clamp(Math.floor(c.cy + c.hh - c.slack)); y++)
      out.push({ z, x, y });
  return out;
}
const key = (t) => `${t.z}/${t.x}/${t.y}`;
function parseUrl(u) {
  const m = /\/(\d+)\/(\d+)\/(\d+)(@2x)?\.png$/.exec(u);
  assert.ok(m, `a tile URL: ${u}`);
  return { z: +m[1], x: +m[2], y: +m[3], retina: !!m[4] };
}

// [SECTION] Watching the page
// Records the map's view after every frame (each animation frame, so no view the app drew
// is missed while a gesture runs).
async function watchViews(page, id) {
  await page.evaluate((mapId) => {
    window.mapViews = [];
    let last = '';
    const tick = () => {
      const w = window.portal.ready ? window.portal.widget(mapId) : null;
      if (w && w.value) {
        const k = `${w.value}|${w.w}|${w.h}`;
        if (k !== last) window.mapViews.push({ value: w.value, w: w.w, h: w.h });
        last = k;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, id);
}

// Waits until no tile is loading and the app has drawn what came.
async function settleTiles(page) {
  await page.waitForFunction(() => window.portal.idle() && window.portal.tiles().loading === 0, null,
    { timeout: 30000, polling: 50 });
  await settle(page);
}

// Every tile asked for, by the page and at the tile server, was shown by some view
// the map drew, and is @2x exactly when the screen is dense.
async function checkRequested(page, retina, what) {
  const { urls, views } = await page.evaluate(() => ({ urls: window.portal.tiles().urls, views: window.mapViews }));
  assert.ok(views.length > 0, 'the map reported its view');
  const vs = views.map(view);
  const asked = [...urls.map(parseUrl), ...tiles.requests];
  assert.ok(asked.length > 0, `${what}: tiles were requested (the map draws the basemap from ctx.tiles)`);
  for (const t of asked) {
    assert.equal(t.retina, retina, `${what}: ${key(t)} ${retina ? 'is' : 'is not'} @2x`);
    if (!vs.some((v) => shows(v, t))) {
      const near = vs.filter((v) => tileZ(v.zoom) === t.z).slice(-3).map((v) => JSON.stringify(inTiles(v, t.z)));
      assert.fail(`${what}: tile ${key(t)} was requested but no view of the map showed it ` +
        `(${vs.length} views; last of its level: ${near.join(' ') || 'none'})`);
    }
  }
  return asked;
}

// The tiles the map needs now were all requested.
async function checkCovered(page, id, what) {
  const v = view(await widget(page, id));
  const urls = new Set((await page.evaluate(() => window.portal.tiles().urls)).map((u) => key(parseUrl(u))));
  const need = needed(v);
  assert.ok(need.length > 0, `${what}: the map needs tiles (${JSON.stringify(v)})`);
  const missing = need.filter((t) => !urls.has(key(t)));
  assert.deepEqual(missing, [], `${what}: every tile under the map was requested (zoom ${v.zoom})`);
  return v;
}

// The screenshot inside the map shows the tiles' violet (under the grids, blended),
// nowhere else; a pixel of the map is not the plain background.
async function checkDrawn(page, map, name) {
  const file = await screenshot(page, name);
  const img = decodePng(fs.readFileSync(file));
  const dpr = img.width / page.viewportSize().width;
  let inside = 0, tinted = 0, outside = 0, stray = 0, plain = 0;
  const step = Math.max(1, Math.round(dpr * 3));
  for (let y = 0; y < img.height; y += step)
    for (let x = 0; x < img.width; x += step) {
      const cx = x / dpr, cy = y / dpr;
      const p = img.at(x, y);
      const inMap = cx > map.x + 2 && cx < map.x + map.w - 2 && cy > map.y + 2 && cy < map.y + map.h - 2;
      const nearMap = cx > map.x - 2 && cx < map.x + map.w + 2 && cy > map.y - 2 && cy < map.y + map.h + 2;
      if (inMap) {
        ++inside;
        if (isTileTint(p)) ++tinted;
        if (p.every((c, i) => Math.abs(c - MAP_BACKGROUND[i]) <= 2)) ++plain;
      } else if (!nearMap) {
        ++outside;
        if (isTileTint(p)) ++stray;
      }
    }
  assert.ok(inside > 100, 'the map is on the screenshot');
  assert.ok(tinted / inside > 0.25, `${name}: the tiles show inside the map (${tinted} of ${inside} samples)`);
  assert.ok(plain / inside < 0.05, `${name}: hardly any of the map is the plain background (${plain} of ${inside})`);
  assert.ok(stray / Math.max(1, outside) < 0.01, `${name}: the tiles stay inside the map (${stray} of ${outside})`);
  return file;
}

// The attribution is on the map, inside its rectangle.
async function checkAttribution(page, id, map) {
  const a = await waitWidget(page, `${id}.attribution`, (w) => w.visible);
  assert.equal(a.label, ATTRIBUTION);
  assert.ok(a.x >= map.x - 1 && a.y >= map.y - 1 && a.x + a.w <= map.x + map.w + 1 &&
    a.y + a.h <= map.y + map.h + 1, `the attribution ${JSON.stringify(a)} lies inside the map ${JSON.stringify(map)}`);
}

async function zoomBy(page, id, button, delta) {
  const z0 = view(await widget(page, id)).zoom;
  await press(page, `${id}.${button}`);
  const w = await waitWidget(page, id, (x) => Math.abs(view(x).zoom - (z0 + delta)) < 0.01);
  await settleTiles(page);
  return view(w).zoom;
}

// Two fingers slide across the map by (dx, dy) CSS px.
async function twoFingerPan(page, map, dx, dy) {
  const cx = map.x + map.w / 2 - dx / 2, cy = map.y + map.h / 2 - dy / 2;
  const fingers = (i) => [
    { x: cx - 30 + (dx * i) / 10, y: cy + (dy * i) / 10, id: 1 },
    { x: cx + 30 + (dx * i) / 10, y: cy + (dy * i) / 10, id: 2 }];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(0) });
  for (let i = 1; i <= 10; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(i) });
    await page.waitForTimeout(16);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

// A mouse drags the map by (dx, dy) CSS px.
async function mouseDrag(page, map, dx, dy) {
  const cx = map.x + map.w / 2 - dx / 2, cy = map.y + map.h / 2 - dy / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(cx + (dx * i) / 10, cy + (dy * i) / 10);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
}

// Moves the map around until more tiles than the bound were loaded: diagonal moves of
// most of the map's size (each shows a new row and column of tiles), a few one way, then
// a level deeper (or back up) and a few another way. Then at most BOUND textures stay.
async function panAround(page, id, pan) {
  const map = await widget(page, id);
  const dx = Math.round(map.w * 0.8), dy = Math.round(map.h * 0.8);
  const ways = [[-dx, -dy], [dx, -dy], [dx, dy], [-dx, dy]];  // the view goes down-right, ...
  const started = Date.now();
  let moves = 0, t = null;
  for (let phase = 0; phase < 12; phase++) {
    for (let i = 0; i < 4; i++) {
      await pan(page, map, ...ways[phase % 4]);
      await settleTiles(page);
      ++moves;
      t = await page.evaluate(() => window.portal.tiles());
      assert.ok(t.resident <= BOUND, `at most ${BOUND} textures kept (${JSON.stringify({ ...t, urls: t.urls.length })})`);
    }
    if (t.loaded > BOUND + 16) break;
    const z = view(await widget(page, id)).zoom;
    await zoomBy(page, id, phase % 3 === 2 || z > 17 ? 'zoom_out' : 'zoom_in', phase % 3 === 2 || z > 17 ? -1 : 1);
  }
  console.log(`moved the map ${moves} times in ${Date.now() - started} ms: ${JSON.stringify({ ...t, urls: t.urls.length })}`);
  assert.ok(t.loaded > BOUND, `moved ${moves} times, more tiles than the bound were loaded (${t.loaded})`);
  assert.ok(t.released > 0, 'and the least recently drawn were released');
  assert.ok(t.resident <= BOUND, `at most ${BOUND} textures kept (${t.resident})`);
  return t;
}

// [SECTION] Tests
test('the server offers the basemap: grids answer and the page CSP', async () => {
  const grids = await api('GET', '/api/v1/grids');
  assert.equal(grids.status, 200);
  assert.deepEqual(grids.json.basemap, {
    template: `http://127.0.0.1:${TILE_PORT}/{z}/{x}/{y}{r}.png`, attribution: ATTRIBUTION, retina: true,
  });
  const page = await fetch(portalUrl());
  const csp = page.headers.get('content-security-policy');
  for (const directive of ['img-src', 'connect-src']) {
    const d = csp.split(';').map((s) => s.trim()).find((s) => s.startsWith(directive + ' '));
    assert.ok(d && d.split(' ').includes(`http://127.0.0.1:${TILE_PORT}`), `${directive} allows the tile host: ${csp}`);
  }
});

test('phone at DPR 3: @2x tiles of the visible map only, drawn under the grids, zoom, bounded', () =>
  withPortal(browser, PHONE, 'phone-map-tiles', async (page) => {
    tiles.requests.length = 0;
    // The first screen has no map: no tile, and not even the tiles' script, is fetched.
    assert.deepEqual(await page.evaluate(() => [typeof window.portalTiles, window.portal.tiles().requested]),
      ['undefined', 0]);
    await watchViews(page, 'submit.map');
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await reveal(page, 'submit.map');
    let map = await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
    await settleTiles(page);
    map = await widget(page, 'submit.map');

    await checkRequested(page, true, 'shown');
    const v0 = await checkCovered(page, 'submit.map', 'shown');
    await checkAttribution(page, 'submit.map', map);
    await checkDrawn(page, map, 'phone-7x-map-tiles-1-shown');
    console.log(`phone: map shown with ${JSON.stringify(v0)}, ${tiles.requests.length} tiles requested`);

    // Zoom in: the next level's tiles, still only those in view.
    const z1 = await zoomBy(page, 'submit.map', 'zoom_in', 1);
    assert.equal(tileZ(z1), tileZ(v0.zoom) + 1);
    const asked = await checkRequested(page, true, 'zoomed in');
    assert.ok(asked.some((t) => t.z === tileZ(z1)), 'tiles of the next level were requested');
    await checkCovered(page, 'submit.map', 'zoomed in');
    map = await widget(page, 'submit.map');
    await checkAttribution(page, 'submit.map', map);
    await checkDrawn(page, map, 'phone-7x-map-tiles-2-zoomed-in');

    // Moved around a lot with two fingers (one finger scrolls the page).
    await zoomBy(page, 'submit.map', 'zoom_in', 1);
    await panAround(page, 'submit.map', twoFingerPan);
    await checkRequested(page, true, 'moved around');
    await checkCovered(page, 'submit.map', 'moved around');
    await zoomBy(page, 'submit.map', 'zoom_out', -1);
    await checkRequested(page, true, 'zoomed out');
    await checkCovered(page, 'submit.map', 'zoomed out');
    map = await widget(page, 'submit.map');
    await checkDrawn(page, map, 'phone-7x-map-tiles-3-moved');
    const t = await page.evaluate(() => window.portal.tiles());
    assert.ok(t.resident <= BOUND);
    assert.equal(t.failed, 0, 'no tile failed');
  }));

test('desktop: plain tiles, a mouse drags and the wheel zooms, tiles follow', () =>
  withPortal(browser, DESKTOP, 'desktop-map-tiles', async (page) => {
    tiles.requests.length = 0;
    await watchViews(page, 'submit.map');
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    let map = await waitWidget(page, 'submit.map', (w) => w.enabled);
    if (!map.visible) map = await reveal(page, 'submit.map');
    await settleTiles(page);
    map = await widget(page, 'submit.map');
    await checkRequested(page, false, 'shown');
    const v0 = await checkCovered(page, 'submit.map', 'shown');
    await checkAttribution(page, 'submit.map', map);
    await checkDrawn(page, map, 'desktop-map-tiles-1-shown');

    // The wheel over the map zooms it in.
    await page.mouse.move(map.x + map.w / 2, map.y + map.h / 2);
    for (let i = 0; i < 4; i++) {
      await page.mouse.wheel(0, -120);
      await page.waitForTimeout(30);
    }
    const zoomed = await waitWidget(page, 'submit.map', (w) => view(w).zoom > v0.zoom + 0.5);
    await settleTiles(page);
    await checkRequested(page, false, 'wheel');
    await checkCovered(page, 'submit.map', 'wheel');
    assert.ok(tiles.requests.some((t) => t.z > tileZ(v0.zoom)), `deeper tiles requested (zoom ${view(zoomed).zoom})`);

    await panAround(page, 'submit.map', mouseDrag);
    await checkRequested(page, false, 'dragged');
    await checkCovered(page, 'submit.map', 'dragged');
    map = await widget(page, 'submit.map');
    await checkAttribution(page, 'submit.map', map);
    await checkDrawn(page, map, 'desktop-map-tiles-2-dragged');
    assert.equal((await page.evaluate(() => window.portal.tiles())).failed, 0, 'no tile failed');
  }));
