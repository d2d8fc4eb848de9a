// A real OpenID Connect provider for Dune's tests and browser journeys: panva's certified
// `oidc-provider`, with a plain-HTML login page instead of its development views, consent
// granted without asking, and RP-initiated logout that needs no confirmation click.
//
// FOR TESTS ONLY: plain HTTP on loopback, a signing key made at start, accounts and their
// passwords in clear in a JSON file. Configured by environment variables only:
//
//   PORT                       listens on 127.0.0.1:PORT (required)
//   ISSUER                     default http://127.0.0.1:PORT
//   CLIENT_ID, CLIENT_SECRET   the one confidential client (defaults: dune-tests / dune-tests-secret)
//   REDIRECT_URIS              comma-separated, exact (required)
//   POST_LOGOUT_REDIRECT_URIS  comma-separated, exact (may be empty)
//   ACCOUNTS_FILE              JSON list of {"sub", "password", "email", "staff_id",
//                              "given_name", "family_name"}, re-read at every login and every
//                              claims lookup (required)
//   EXIT_ON_STDIN_CLOSE        "1": exit when standard input closes (the parent died)
//
// Prints "OIDC provider ready on <ISSUER>" once it listens.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const env = process.env;

function required(name) {
  const value = env[name];
  if (!value) {
    console.error(`oidc test provider: environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
}

function list(value) {
  return (value || '').split(',').map((s) => s.trim()).filter(Boolean);
}

const PORT = Number(required('PORT'));
const ISSUER = (env.ISSUER || `http://127.0.0.1:${PORT}`).replace(/\/+$/, '');
const CLIENT_ID = env.CLIENT_ID || 'dune-tests';
const CLIENT_SECRET = env.CLIENT_SECRET || 'dune-tests-secret';
const REDIRECT_URIS = list(required('REDIRECT_URIS'));
const POST_LOGOUT_REDIRECT_URIS = list(env.POST_LOGOUT_REDIRECT_URIS);
const ACCOUNTS_FILE = required('ACCOUNTS_FILE');

// ---------------------------------------------------------------------------------------
// Accounts: read from the file every time, so that tests may add some while we run.

function readAccounts() {
  let text;
  try {
    text = fs.readFileSync(ACCOUNTS_FILE, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  if (!text.trim()) return [];
  const accounts = JSON.parse(text);
  if (!Array.isArray(accounts)) {
    throw new Error(`${ACCOUNTS_FILE} must hold a JSON list of accounts`);
  }
  return accounts.filter((a) => a && typeof a.sub === 'string' && a.sub);
}

function accountBySub(sub) {
  return readAccounts().find((a) => a.sub === sub);
}

function accountByLogin(login) {
  const wanted = String(login || '').trim().toLowerCase();
  if (!wanted) return undefined;
  const accounts = readAccounts();
  return accounts.find((a) => a.sub.toLowerCase() === wanted)
    || accounts.find((a) => typeof a.email === 'string' && a.email.toLowerCase() === wanted);
}

function passwordMatches(account, password) {
  const expected = Buffer.from(String(account.password ?? ''), 'utf8');
  const given = Buffer.from(String(password ?? ''), 'utf8');
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

async function findAccount(ctx, sub) {
  if (!accountBySub(sub)) return undefined;
  return {
    accountId: sub,
    // The library keeps only the claims that the granted scopes and claims allow.
    async claims() {
      const account = accountBySub(sub) || {};
      const givenName = account.given_name || '';
      const familyName = account.family_name || '';
      return {
        sub,
        email: account.email || '',
        email_verified: true,
        given_name: givenName,
        family_name: familyName,
        name: [givenName, familyName].filter(Boolean).join(' '),
        staff_id: account.staff_id || '',
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Pages.

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
</head>
<body>
${body}
</body>
</html>
`;
}

const LOGIN_TITLE = "Fournisseur d'identité de test";

function loginPage(uid, { login = '', error = '' } = {}) {
  return page(LOGIN_TITLE, `<main>
<h1>${esc(LOGIN_TITLE)}</h1>
${error ? `<p role="alert" class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<p><label for="login">Identifiant ou adresse électronique</label>
<input id="login" name="login" type="text" value="${esc(login)}" required autofocus></p>
<p><label for="password">Mot de passe</label>
<input id="password" name="password" type="password" required></p>
<p><button type="submit">Se connecter</button></p>
</form>
</main>`);
}

// The confirmation form that the library builds, submitted by itself: no click needed.
async function logoutSource(ctx, form) {
  const autoForm = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/>'
      + '<noscript><button type="submit">Se déconnecter</button></noscript></form>',
  );
  ctx.body = page('Déconnexion', `${autoForm}
<script>document.forms[0].submit();</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Déconnecté', '<main><h1>Vous êtes déconnecté.</h1></main>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Erreur du fournisseur d\'identité', `<main><h1>Erreur</h1>
${Object.entries(out).map(([k, v]) => `<p><strong>${esc(k)}</strong> : ${esc(v)}</p>`).join('\n')}
</main>`);
}

// ---------------------------------------------------------------------------------------
// The provider.

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `test-${crypto.randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };
}

// Consent is granted without asking: the grant gets whatever the request asks for.
async function loadExistingGrant(ctx) {
  const { client, session, account } = ctx.oidc;
  const { Grant } = ctx.oidc.provider;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  let grant = grantId ? await Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== account.accountId || grant.clientId !== client.clientId) {
    grant = new Grant({ accountId: account.accountId, clientId: client.clientId });
  }
  const scopes = [...ctx.oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

const cookieKeys = [crypto.randomBytes(32).toString('hex')];

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'Dune (tests)',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // client_secret_post is accepted too (the library takes either for secret-based clients).
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey()] },
  findAccount,
  loadExistingGrant,
  renderError,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name', 'staff_id'],
    staff: ['staff_id'],
  },
  scopes: ['openid', 'email', 'profile', 'staff'],
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  // End-User claims in the ID token as well as at the userinfo endpoint.
  conformIdTokenClaims: false,
  cookies: {
    keys: cookieKeys,
    // No `secure`: plain HTTP on loopback. "lax", not the default "none" of long cookies,
    // which browsers refuse without `secure`.
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    userinfo: { enabled: true },
    revocation: { enabled: false },
    introspection: { enabled: false },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 300,
    IdToken: 3600,
    Interaction: 3600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },
});

provider.on('server_error', (ctx, err) => {
  console.error('oidc test provider: server_error', err);
});

// ---------------------------------------------------------------------------------------
// Interactions (login; consent, should the library ask for it), then everything else.

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function grantConsent(req, res, details) {
  const { prompt: { details: missing }, params, session } = details;
  const { Grant } = provider;
  let grant = details.grantId ? await Grant.find(details.grantId) : undefined;
  if (!grant) grant = new Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function handleInteraction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Erreur', '<p>Interaction inconnue.</p>'));
    return;
  }
  const promptName = details.prompt.name;

  if (promptName === 'consent') {
    await grantConsent(req, res, details);
    return;
  }
  if (promptName !== 'login') {
    sendHtml(res, 400, page('Erreur', `<p>Invite inconnue : ${esc(promptName)}</p>`));
    return;
  }

  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const login = form.get('login') || '';
    const account = accountByLogin(login);
    if (!account || !passwordMatches(account, form.get('password'))) {
      sendHtml(res, 200, loginPage(uid, {
        login,
        error: 'Identifiant ou mot de passe incorrect.',
      }));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: account.sub, remember: true },
    }, { mergeWithLastSubmission: false });
    return;
  }

  sendHtml(res, 200, loginPage(uid, { login: details.params.login_hint || '' }));
}

const oidcCallback = provider.callback();
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?\/?$/;

const server = http.createServer(async (req, res) => {
  const path = (req.url || '/').split('?')[0];
  const match = INTERACTION.exec(path);
  if (!match) {
    oidcCallback(req, res);
    return;
  }
  try {
    await handleInteraction(req, res, match[1], match[2]);
  } catch (err) {
    if (res.headersSent) {
      res.end();
      return;
    }
    const status = err.statusCode || 500;
    if (status >= 500) console.error('oidc test provider: interaction error', err);
    sendHtml(res, status, page('Erreur du fournisseur d\'identité', `<main><h1>Erreur</h1>
<p>${esc(err.error || err.name)} : ${esc(err.error_description || err.message)}</p></main>`));
  }
});

server.on('error', (err) => {
  console.error(`oidc test provider: ${err.message}`);
  process.exit(1);
});

server.listen(PORT, '127.0.0.1', () => {
  console.log(`OIDC provider ready on ${ISSUER}`);
});

// Nothing to flush (all state is in memory): leave at once.
function shutdown() {
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (env.EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
