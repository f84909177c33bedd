// HTTP helpers for browser tests that prepare or check data over the portal's API,
// beside what the page does.
import assert from 'node:assert/strict';
import { portalUrl } from './portal.mjs';

// The demo accounts' password.
export const DEMO_PASSWORD = 'demo12345';

// One request; returns {status, json} (json is null for an empty body).
export async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(new URL(path.replace(/^\//, ''), portalUrl()), {
    method,
    headers: {
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// Signs a demo account in; returns its token.
export async function login(name) {
  const r = await api('POST', '/api/v1/auth/login', { body: { login: name, password: DEMO_PASSWORD } });
  assert.equal(r.status, 200, `login ${name}: ${JSON.stringify(r.json)}`);
  return r.json.token;
}

// The login name of the first account of `role` whose record mentions `id` (a grid,
// community, street or unit): the administrator lists the accounts with their scopes.
let adminToken = null;
export async function accountOf(role, id) {
  adminToken = adminToken || await login('admin');
  for (let page = 1; page <= 40; page++) {
    const r = await api('GET', `/api/v1/users?role=${role}&page=${page}&page_size=200`, { token: adminToken });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const u = r.json.items.find((x) => x.role === role && JSON.stringify(x).includes(`"${id}"`));
    if (u) return u.username || u.login || u.phone;
    if (r.json.items.length === 0) break;
  }
  throw new Error(`no ${role} account for ${id}`);
}

// A token of the grid worker of a grid.
export async function workerOf(gridId) {
  return login(await accountOf('grid_worker', gridId));
}
