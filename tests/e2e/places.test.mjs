// The place search of the report form, in real Chromium against the real server: a
// citizen types part of a road's name, picks a result, and the form shows that place's
// grid; the ticket is routed there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, focusField, insertText, launch, pickFirstCategory, press, screenshot, waitScreen, waitWidget,
  withPortal,
} from './lib/portal.mjs';
import { api } from './lib/api.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('phone: search 古槐, pick a place, the form shows its grid and the ticket goes there', () =>
  withPortal(browser, PHONE, 'phone-places', async (page) => {
    // What the server finds for 古槐, and which grid its first answer lies in.
    const found = await api('GET', `/api/v1/places?q=${encodeURIComponent('古槐')}&limit=6`);
    assert.equal(found.status, 200, JSON.stringify(found.json));
    assert.ok(found.json.items.length > 0, 'the demo district has places named 古槐…');
    const first = found.json.items[0];
    const grid = await api('GET', `/api/v1/grids/locate?lat=${first.lat}&lng=${first.lng}`);
    assert.equal(grid.status, 200);

    await press(page, 'home.submit');
    await waitScreen(page, 'submit');
    await pickFirstCategory(page);
    await focusField(page, 'submit.description');
    await insertText(page, '路边井盖松动，车辆经过响声很大');

    await focusField(page, 'submit.place_search');
    await insertText(page, '古槐');
    const result = await waitWidget(page, 'submit.place_result.0', (w) => w.label === first.name);
    assert.ok(result);
    await screenshot(page, 'phone-97-place-search');
    await press(page, 'submit.place_result.0');
    const place = await waitWidget(page, 'submit.place', (w) => w.value.includes(grid.json.grid_name));
    assert.match(place.value, /·/);
    // The address, still empty, takes the place's name.
    await waitWidget(page, 'submit.address', (w) => w.value === first.name);
    await screenshot(page, 'phone-98-place-picked');

    await focusField(page, 'submit.name');
    await insertText(page, '周先生');
    await focusField(page, 'submit.phone');
    await insertText(page, '13800138099');
    await press(page, 'submit.button');
    await waitScreen(page, 'receipt');
    const number = (await waitWidget(page, 'receipt.number', (w) => !!w.value)).value;
    const code = (await waitWidget(page, 'receipt.code', (w) => !!w.value)).value;
    const t = await api('GET', `/api/v1/tickets/${number}`, { headers: { 'X-Access-Code': code } });
    assert.equal(t.status, 200);
    assert.equal(t.json.grid.id, grid.json.grid_id, 'routed to the grid of the place picked');
  }));
