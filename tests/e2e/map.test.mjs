// The named map, in real Chromium against the real server and its demo district: names
// of streets, communities and grids by zoom, never overlapping; zoom buttons; a picked
// place centres the map on its grid, highlighted and named; the cockpit's heat map with
// street boundaries, a legend and a tap that opens a grid's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, focusField, insertText, launch, press, reveal, screenshot, settle, signIn,
  waitScreen, waitWidget, widget, widgets, withPortal,
} from './lib/portal.mjs';
import { api, login } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const zoomOf = (map) => Number(map.value.split(',')[4]);

// The names drawn on `mapId` this frame: rectangles in CSS px, text and level.
async function labels(page, mapId) {
  return (await widgets(page)).filter((w) => w.kind === 'maplabel' && w.id.startsWith(`${mapId}.label.`));
}

function assertNoOverlap(list, what) {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i], b = list[j];
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `${what}: "${a.label}" and "${b.label}" overlap (${JSON.stringify([a, b])})`);
    }
  }
}

function assertInside(list, map, what) {
  for (const l of list) {
    assert.ok(l.x >= map.x - 0.5 && l.y >= map.y - 0.5 && l.x + l.w <= map.x + map.w + 0.5 &&
              l.y + l.h <= map.y + map.h + 0.5, `${what}: "${l.label}" lies inside the map`);
  }
}

test('phone: street, community and grid names by zoom, never overlapping; zoom buttons', () =>
  withPortal(browser, PHONE, 'phone-map-names', async (page) => {
    const org = (await api('GET', '/api/v1/org')).json;
    const streetNames = new Set(org.streets.map((s) => s.name));
    const communityNames = new Set(org.streets.flatMap((s) => s.communities.map((c) => c.name)));
    const gridNames = new Set(org.streets.flatMap((s) => s.communities.flatMap((c) => c.grids.map((g) => g.name))));

    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await reveal(page, 'submit.locate');
    let map = await waitWidget(page, 'submit.map', (w) => w.enabled && w.visible);
    const levels = {};
    const zooms = [];
    // The whole district, then three steps in, then two more: at each, the names do not
    // overlap and lie inside the map; each level shows up on the way.
    for (let step = 0; step < 6; step++) {
      map = await widget(page, 'submit.map');
      const list = await labels(page, 'submit.map');
      zooms.push(zoomOf(map));
      assertNoOverlap(list, `zoom ${zoomOf(map)}`);
      assertInside(list, map, `zoom ${zoomOf(map)}`);
      for (const l of list) {
        const known = { street: streetNames, community: communityNames, grid: gridNames }[l.value];
        assert.ok(known, `a level we know: ${l.value}`);
        assert.ok(known.has(l.label), `${l.label} is a ${l.value} of the district`);
        levels[l.value] = (levels[l.value] || 0) + 1;
      }
      if (step === 0) {
        assert.ok(list.length >= 4, `the district view names streets (${list.map((l) => l.label)})`);
        assert.ok(list.every((l) => l.value === 'street'), 'only streets at the district view');
      }
      if (step === 0 || step === 3 || step === 5) await screenshot(page, `phone-70-map-zoom-${step}`);
      await press(page, 'submit.map.zoom_in');
      await settle(page);
    }
    for (let i = 1; i < zooms.length; i++) assert.ok(Math.abs(zooms[i] - zooms[i - 1] - 1) < 1e-6, `+ zooms in by one (${zooms})`);
    assert.ok(levels.street > 0 && levels.community > 0 && levels.grid > 0,
      `streets, communities and grids were all named on the way in: ${JSON.stringify(levels)}`);
    await press(page, 'submit.map.zoom_out');
    await settle(page);
    assert.ok(Math.abs(zoomOf(await widget(page, 'submit.map')) - zooms[5]) < 1e-6, '- zooms out by one');
  }));

test('phone: a picked place centres the map on it, its grid highlighted and named', () =>
  withPortal(browser, PHONE, 'phone-map-focus', async (page) => {
    const found = (await api('GET', `/api/v1/places?q=${encodeURIComponent('古槐')}&limit=6`)).json.items[0];
    const grid = (await api('GET', `/api/v1/grids/locate?lat=${found.lat}&lng=${found.lng}`)).json;
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    const before = await waitWidget(page, 'submit.map', (w) => w.enabled);
    await focusField(page, 'submit.place_search');
    await insertText(page, '古槐');
    await waitWidget(page, 'submit.place_result.0', (w) => w.label === found.name);
    await press(page, 'submit.place_result.0');
    await waitWidget(page, 'submit.place', (w) => w.value.includes(grid.grid_name));
    await reveal(page, 'submit.locate');
    const map = await widget(page, 'submit.map');
    const [lng, lat] = map.value.split(',').map(Number);
    assert.ok(Math.abs(lng - found.lng) < 1e-5 && Math.abs(lat - found.lat) < 1e-5,
      `centred on the place (${map.value} vs ${found.lng},${found.lat})`);
    assert.ok(zoomOf(map) > zoomOf(before) + 2, 'and zoomed in to it');
    const named = (await labels(page, 'submit.map')).find((l) => l.value === 'selected');
    assert.ok(named, 'the chosen grid is named on the map');
    assert.equal(named.label, grid.grid_name);
    assertNoOverlap(await labels(page, 'submit.map'), 'around the picked place');
    await screenshot(page, 'phone-71-map-picked');
  }));

test('desktop: the heat map names streets, has a legend with its scale, and a tap opens a grid\'s figures', () =>
  withPortal(browser, DESKTOP, 'desktop-heatmap', async (page) => {
    // Some tickets, so that the map has heat: three at one place, one at another.
    const category = (await api('GET', '/api/v1/categories')).json[0].code;
    const spots = (await api('GET', `/api/v1/places?q=${encodeURIComponent('社区')}&limit=2`)).json.items;
    for (const [i, spot] of [spots[0], spots[0], spots[0], spots[1]].entries()) {
      const r = await api('POST', '/api/v1/tickets', { body: {
        category, description: `路灯不亮，晚上走路看不清，第${i + 1}次反映`,
        location: { lat: spot.lat, lng: spot.lng, address: spot.name },
        contact: { name: '赵女士', phone: '13800138011' },
      } });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    await signIn(page, 'ds01', { lands: 'cockpit' });
    await press(page, 'cockpit.tab.map');
    await waitWidget(page, 'cockpit.tab.map', (w) => w.value === 'on');
    const heat = await waitWidget(page, 'cockpit.heatmap', (w) => w.enabled);
    await settle(page);
    const list = await labels(page, 'cockpit.heatmap');
    assert.ok(list.filter((l) => l.value === 'street').length >= 5, `street names on the heat map: ${list.map((l) => l.label)}`);
    assertNoOverlap(list, 'heat map');
    const legend = await waitWidget(page, 'cockpit.heat_legend');
    const marks = legend.value.split(' · ').map((s) => Number(s.replace(/,/g, '')));
    const counts = (await api('GET', '/api/v1/stats/heatmap', { token: await login('ds01') })).json;
    const densest = Math.max(...counts.map((c) => c.count));
    assert.ok(densest >= 3);
    assert.deepEqual([marks[0], marks[2]], [0, densest], `the scale runs from 0 to the densest grid's count (${legend.value})`);

    // A tap in the middle of the map: that grid's name and figures.
    await page.mouse.click(heat.x + heat.w / 2, heat.y + heat.h / 2);
    const picked = await waitWidget(page, 'cockpit.heat_grid', (w) => w.label.length > 0);
    assert.match(picked.value, /·/, 'street · community');
    const total = await waitWidget(page, 'heat.grid.kpi.total', (w) => w.value !== '');
    const [hlng, hlat] = heat.value.split(',');
    const under = (await api('GET', `/api/v1/grids/locate?lat=${hlat}&lng=${hlng}`)).json;
    assert.equal(picked.label, under.grid_name, 'the grid under the tap');
    assert.match(total.value, /^[\d,]+$/);
    const sel = (await labels(page, 'cockpit.heatmap')).find((l) => l.value === 'selected');
    assert.equal(sel?.label, picked.label, 'the tapped grid is highlighted and named');
    await screenshot(page, 'desktop-72-heatmap-picked');
  }));

test('phone: 使用我的位置 shows "you are here" at the device\'s position, the map centred on it', async () => {
  const spot = (await api('GET', `/api/v1/places?q=${encodeURIComponent('太白楼')}&limit=1`)).json.items[0];
  const device = { ...PHONE, geolocation: { latitude: spot.lat, longitude: spot.lng, accuracy: 20 }, permissions: ['geolocation'] };
  await withPortal(browser, device, 'phone-map-here', async (page) => {
    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await waitWidget(page, 'submit.map', (w) => w.enabled);
    await press(page, 'submit.locate');
    await waitWidget(page, 'submit.place', (w) => w.value.includes('·'));
    await reveal(page, 'submit.locate');
    const map = await widget(page, 'submit.map');
    const [lng, lat] = map.value.split(',').map(Number);
    assert.ok(Math.abs(lng - spot.lng) < 1e-5 && Math.abs(lat - spot.lat) < 1e-5, `centred on the device (${map.value})`);
    const here = await waitWidget(page, 'submit.map.here');
    const cx = here.x + here.w / 2, cy = here.y + here.h / 2;
    assert.ok(Math.abs(cx - (map.x + map.w / 2)) < 1.5 && Math.abs(cy - (map.y + map.h / 2)) < 1.5,
      `the blue dot is in the middle of the map (${JSON.stringify(here)} in ${JSON.stringify(map)})`);
    assert.ok(await widget(page, 'submit.map.pin'), 'and the report\'s pin is there too');
    assertNoOverlap(await labels(page, 'submit.map'), 'around the device');
    await screenshot(page, 'phone-73-map-here');
  });
});
