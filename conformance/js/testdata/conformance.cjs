// Fief's official JavaScript client (@fief/fief), unchanged, against a
// running fieftest: each step prints one JSON line {"step", "ok", "detail"}.
// The Go test (conformance_test.go) starts fieftest, runs this script and
// checks every step. Everything here goes through HTTP, as for any team
// that does not write Go: the admin API for setup, the login form for
// sign-in, the development mail route for codes.
'use strict';

const readline = require('node:readline');
const express = require('express');
const {
  Fief, FiefACR, FiefAccessTokenExpired, FiefAccessTokenInvalid, FiefAccessTokenMissingScope,
  FiefAccessTokenACRTooLow, FiefAccessTokenMissingPermission, FiefRequestError, crypto,
} = require('@fief/fief');
const fiefExpress = require('@fief/fief/express');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};
const baseURL = env('FIEF_BASE_URL');
const adminKey = env('FIEF_ADMIN_API_KEY');
const redirectURI = 'http://127.0.0.1:9/callback';
let email = 'anne@bretagne.duchy';
let password = 'herminetocome1488';

let failed = 0;
const report = (step, ok, detail = '') => {
  if (!ok) failed += 1;
  process.stdout.write(`${JSON.stringify({ step, ok, detail: String(detail) })}\n`);
};
const step = async (name, fn) => {
  try {
    const detail = await fn();
    report(name, true, detail ?? '');
  } catch (err) {
    report(name, false, err && err.stack ? err.stack : err);
  }
};
const expectReject = async (promise, cls) => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof cls) return `${cls.name} as expected`;
    throw new Error(`want ${cls.name}, got ${err && err.constructor && err.constructor.name}: ${err}`);
  }
  throw new Error(`want ${cls.name}, got success`);
};
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

// admin calls Fief's admin API.
const admin = async (method, path, body) => {
  const res = await fetch(`${baseURL}/admin/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
};

// A tiny browser: cookies per host, redirects followed by hand, Fief's
// login and consent forms filled in.
class Browser {
  constructor() { this.cookies = new Map(); }

  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  keepCookies(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  async request(url, init = {}) {
    const res = await fetch(url, {
      ...init, redirect: 'manual', headers: { ...(init.headers || {}), Cookie: this.cookieHeader() },
    });
    this.keepCookies(res);
    return res;
  }

  // signIn follows url until Fief redirects to redirectURI, filling in the
  // login form (and the consent form, if any); it returns the redirect's
  // query parameters.
  async signIn(url, who) {
    let res = await this.request(url);
    for (let i = 0; i < 20; i += 1) {
      if (res.status >= 300 && res.status < 400) {
        const next = new URL(res.headers.get('location'), url);
        if (next.href.startsWith(redirectURI)) return next.searchParams;
        url = next.href;
        res = await this.request(url);
        continue;
      }
      const page = await res.text();
      const csrf = (page.match(/name="csrf_token" value="([^"]+)"/) || [])[1];
      assert(res.status === 200 && csrf, `unexpected page ${res.status} at ${url}: ${page.slice(0, 300)}`);
      const form = new URLSearchParams({ csrf_token: csrf });
      let action;
      if (page.includes('name="password"')) {
        action = new URL('login', url);
        form.set('email', who.email);
        form.set('password', who.password);
      } else if (page.includes('id="allow"')) {
        action = new URL('consent', url);
        form.set('allow', '1');
      } else {
        throw new Error(`no login or consent form at ${url}: ${page.slice(0, 300)}`);
      }
      url = action.href;
      res = await this.request(url, {
        method: 'POST', body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    }
    throw new Error('too many redirects');
  }
}

// signInWith runs the whole authorization-code flow with PKCE for client.
const signInWith = async (client, scope, who = { email, password }) => {
  const helper = crypto.getCrypto();
  const verifier = await helper.generateCodeVerifier();
  const challenge = await helper.getCodeChallenge(verifier, 'S256');
  const state = 'st-' + Math.random().toString(36).slice(2);
  const authURL = await client.getAuthURL({
    redirectURI, scope, state, codeChallenge: challenge, codeChallengeMethod: 'S256',
  });
  const params = await new Browser().signIn(authURL, who);
  assert(params.get('state') === state, `state ${params.get('state')} != ${state}`);
  const code = params.get('code');
  assert(code, `no code: ${params}`);
  return client.authCallback(code, redirectURI, verifier);
};

const waitForLine = () => new Promise((resolve) => {
  const rl = readline.createInterface({ input: process.stdin });
  rl.once('line', (line) => { rl.close(); resolve(line); });
});

const main = async () => {
  let confidential; let pub; let tokens; let userinfo; let userID;

  await step('setup through the admin API: two clients and a user', async () => {
    const tenant = (await admin('GET', '/tenants/')).results[0];
    const client = (type) => admin('POST', '/clients/', {
      name: `JS ${type}`, first_party: true, client_type: type, redirect_uris: [redirectURI], tenant_id: tenant.id,
    });
    const c = await client('confidential');
    const p = await client('public');
    confidential = new Fief({ baseURL, clientId: c.client_id, clientSecret: c.client_secret });
    pub = new Fief({ baseURL, clientId: p.client_id });
    await admin('POST', '/users/', { email, password, email_verified: true, tenant_id: tenant.id });
    return tenant.slug;
  });

  await step('auth URL', async () => {
    const u = new URL(await confidential.getAuthURL({ redirectURI, scope: ['openid'], state: 'abc' }));
    assert(u.pathname.endsWith('/authorize'), u.pathname);
    assert(u.searchParams.get('client_id') === confidential.clientId, u.search);
    return u.origin + u.pathname;
  });

  await step('sign-in through the login form and authCallback (ID token checked)', async () => {
    [tokens, userinfo] = await signInWith(confidential, ['openid', 'offline_access']);
    assert(userinfo.email === email, `email ${userinfo.email}`);
    assert(tokens.refresh_token, 'no refresh token');
    userID = userinfo.sub;
    return userID;
  });

  await step('validateAccessToken with the required scope', async () => {
    const info = await confidential.validateAccessToken(tokens.access_token, ['openid']);
    assert(info.id === userID, `id ${info.id}`);
    // A sign-in with a password gives ACR 1, as in Fief.
    assert(info.acr === FiefACR.LEVEL_ONE, `acr ${info.acr}`);
    return `scope ${info.scope.join(' ')}, acr ${info.acr}`;
  });
  await step('validateAccessToken: missing scope', () => expectReject(
    confidential.validateAccessToken(tokens.access_token, ['openid', 'nope']), FiefAccessTokenMissingScope,
  ));
  await step('validateAccessToken: ACR too low', async () => {
    // A token minted through the admin API has ACR 0.
    const c = (await admin('GET', '/clients/')).results.find((x) => x.client_id === confidential.clientId);
    const { access_token: t } = await admin('POST', `/users/${userID}/access-token`, { client_id: c.id, scopes: ['openid'] });
    const info = await confidential.validateAccessToken(t, ['openid'], FiefACR.LEVEL_ZERO);
    assert(info.acr === FiefACR.LEVEL_ZERO, `acr ${info.acr}`);
    return expectReject(confidential.validateAccessToken(t, undefined, FiefACR.LEVEL_ONE), FiefAccessTokenACRTooLow);
  });
  await step('validateAccessToken: missing permission', () => expectReject(
    confidential.validateAccessToken(tokens.access_token, undefined, undefined, ['castles:create']),
    FiefAccessTokenMissingPermission,
  ));
  await step('validateAccessToken: tampered token', () => {
    const [h, p, s] = tokens.access_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    claims.permissions = ['castles:create'];
    const forged = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    return expectReject(confidential.validateAccessToken(forged), FiefAccessTokenInvalid);
  });

  await step('permissions granted through the admin API reach a new token', async () => {
    const perm = await admin('POST', '/permissions/', { name: 'Create castles', codename: 'castles:create' });
    await admin('POST', `/users/${userID}/permissions`, { id: perm.id });
    const [t2] = await signInWith(confidential, ['openid']);
    const info = await confidential.validateAccessToken(t2.access_token, ['openid'], undefined, ['castles:create']);
    return `permissions ${info.permissions.join(' ')}`;
  });

  await step('validateAccessToken: expired token', async () => {
    const tenant = (await admin('GET', '/tenants/')).results[0];
    const short = await admin('POST', '/clients/', {
      name: 'Short-lived', first_party: true, client_type: 'confidential', redirect_uris: [redirectURI],
      tenant_id: tenant.id, access_id_token_lifetime_seconds: 1,
    });
    const { access_token: t } = await admin('POST', `/users/${userID}/access-token`, { client_id: short.id, scopes: ['openid'] });
    await confidential.validateAccessToken(t);
    await new Promise((r) => { setTimeout(r, 2100); });
    return expectReject(confidential.validateAccessToken(t), FiefAccessTokenExpired);
  });

  await step('userinfo', async () => {
    const u = await confidential.userinfo(tokens.access_token);
    assert(u.sub === userID && u.email === email, JSON.stringify(u));
    return u.email;
  });

  await step('updateProfile', async () => {
    const u = await confidential.updateProfile(tokens.access_token, { fields: {} });
    assert(u.sub === userID, JSON.stringify(u));
  });

  await step('changePassword, then sign in with the new password', async () => {
    await confidential.changePassword(tokens.access_token, 'a-new-passphrase-2026');
    await expectReject(signInWith(confidential, ['openid']), Error);
    password = 'a-new-passphrase-2026';
    const [t] = await signInWith(confidential, ['openid']);
    await confidential.validateAccessToken(t.access_token);
    return 'the old password is refused, the new one signs in';
  });

  await step('emailChange and emailVerify with the code read from the mail route', async () => {
    const newEmail = 'anne@bretagne.example';
    await confidential.emailChange(tokens.access_token, newEmail);
    // fieftest lists the emails Fief would send at a development route.
    const { results } = await admin('GET', `/_fieftest/mail?to=${encodeURIComponent(newEmail)}`);
    const code = results.length > 0 ? results[0].code : undefined;
    assert(code, `no code mailed to ${newEmail}: ${JSON.stringify(results)}`);
    const u = await confidential.emailVerify(tokens.access_token, code);
    assert(u.email === newEmail, `email ${u.email}`);
    email = newEmail;
    const [t] = await signInWith(confidential, ['openid']);
    const info = await confidential.userinfo(t.access_token);
    assert(info.email === newEmail, `userinfo email ${info.email}`);
    return `code ${code.length} characters; signed in with the new address`;
  });

  await step('authRefreshToken of a confidential client: Fief refuses it (the client never sends client_secret)', async () => {
    // @fief/fief 0.14.1's authRefreshToken sends no client_secret: real Fief
    // answers invalid_client too. This is the client's own bug; fieftest
    // answers as Fief does.
    try {
      await confidential.authRefreshToken(tokens.refresh_token);
    } catch (err) {
      // Fief answers invalid_client with 400 (no WWW-Authenticate).
      assert(err instanceof FiefRequestError && err.status === 400 && err.detail.includes('invalid_client'), `got ${err}`);
      return `${err.status} ${err.detail}`;
    }
    throw new Error('the refresh was accepted');
  });

  let pubTokens;
  await step('public client: sign-in with PKCE', async () => {
    [pubTokens] = await signInWith(pub, ['openid', 'offline_access']);
    assert(pubTokens.refresh_token, 'no refresh token');
  });
  await step('public client: refresh rotates the refresh token, and the used one is refused', async () => {
    const old = pubTokens.refresh_token;
    const [t] = await pub.authRefreshToken(old);
    assert(t.refresh_token && t.refresh_token !== old, 'refresh token not rotated');
    await pub.validateAccessToken(t.access_token, ['openid', 'offline_access']);
    await expectReject(pub.authRefreshToken(old), FiefRequestError);
    pubTokens = t;
    return 'old refresh token refused after use';
  });
  await step('public client: refresh with a narrowed scope', async () => {
    // On a sign-in of its own: a refresh uses up its refresh token, and one
    // without offline_access gets no new one.
    const [own] = await signInWith(pub, ['openid', 'offline_access']);
    const [t] = await pub.authRefreshToken(own.refresh_token, ['openid']);
    const info = await pub.validateAccessToken(t.access_token, ['openid']);
    assert(!info.scope.includes('offline_access'), `scope ${info.scope}`);
    return `scope ${info.scope.join(' ')}`;
  });

  await step('logout URL', async () => {
    const u = new URL(await confidential.getLogoutURL({ redirectURI: 'http://127.0.0.1/bye' }));
    assert(u.pathname.endsWith('/logout') && u.searchParams.get('redirect_uri') === 'http://127.0.0.1/bye', u.href);
    const res = await fetch(u, { redirect: 'manual' });
    assert(res.status === 302 && res.headers.get('location') === 'http://127.0.0.1/bye', `${res.status}`);
  });

  await step('Express middleware: 401, 403 and 200', async () => {
    const app = express();
    const auth = fiefExpress.createMiddleware({
      client: confidential, tokenGetter: fiefExpress.authorizationSchemeGetter(),
    });
    app.get('/castles', auth({ scope: ['openid'], permissions: ['castles:create'] }), (req, res) => {
      res.json({ id: req.accessTokenInfo.id });
    });
    app.delete('/castles', auth({ permissions: ['castles:destroy'] }), (req, res) => res.json({}));
    app.get('/me', auth({ scope: ['openid'] }), (req, res) => res.json(req.accessTokenInfo));
    const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const base = `http://127.0.0.1:${server.address().port}`;
      const none = await fetch(`${base}/me`);
      assert(none.status === 401, `no token: ${none.status}`);
      const me = await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${pubTokens.access_token}` } });
      assert(me.status === 200, `me: ${me.status}`);
      const [t] = await signInWith(confidential, ['openid']);
      const auth2 = { Authorization: `Bearer ${t.access_token}` };
      const forbidden = await fetch(`${base}/castles`, { method: 'DELETE', headers: auth2 });
      assert(forbidden.status === 403, `castles:destroy without the permission: ${forbidden.status}`);
      const ok = await fetch(`${base}/castles`, { headers: auth2 });
      assert(ok.status === 200 && (await ok.json()).id === userID, `castles: ${ok.status}`);
    } finally {
      server.close();
    }
  });

  // The Go test restarts fieftest with the same -state, then says "go".
  process.stdout.write(`${JSON.stringify({ restart: true })}\n`);
  await waitForLine();

  await step('after a restart: a new token validates with the same client object (same keys)', async () => {
    const [t] = await signInWith(confidential, ['openid']);
    await confidential.validateAccessToken(t.access_token);
  });
  await step('after a restart: the refresh token from before refreshes', async () => {
    const [t] = await pub.authRefreshToken(pubTokens.refresh_token);
    await pub.validateAccessToken(t.access_token);
  });

  process.stdout.write(`${JSON.stringify({ done: true, failed })}\n`);
  // Open keep-alive sockets and stdin would keep Node running.
  process.exit(failed ? 1 : 0);
};

main().catch((err) => {
  report('script', false, err && err.stack ? err.stack : err);
  process.exit(1);
});
