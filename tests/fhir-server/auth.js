'use strict';
// SMART Backend Services (client_credentials + private_key_jwt) token endpoint and bearer checks.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const SUPPORTED_ALGS = {
  RS384: { hash: 'sha384', keyType: 'rsa' },
  RS512: { hash: 'sha512', keyType: 'rsa' },
  ES384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1', sigBytes: 96 },
};
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_S = 300;
const LEEWAY_S = 2;
const SCOPE_RE = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)(\?\S*)?$/;

class OAuthError extends Error {
  constructor(error, description, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

function readKeyFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (text.trim().startsWith('{')) {
    const json = JSON.parse(text);
    const keys = Array.isArray(json.keys) ? json.keys : [json];
    return keys.map((jwk) => ({
      kid: jwk.kid,
      alg: jwk.alg,
      key: crypto.createPublicKey({ key: jwk, format: 'jwk' }),
    }));
  }
  return [{ kid: undefined, alg: undefined, key: crypto.createPublicKey(text) }];
}

// clients: [{ clientId, publicKeyFile | jwksFile | jwks (inline object), kid?, algs?, scopes? }]
function loadClients(clients, baseDir) {
  const map = new Map();
  for (const c of clients || []) {
    const clientId = c.clientId || c.client_id;
    if (!clientId) throw new Error('client entry without clientId');
    let keys;
    if (c.jwks) {
      keys = (c.jwks.keys || []).map((jwk) => ({
        kid: jwk.kid, alg: jwk.alg, key: crypto.createPublicKey({ key: jwk, format: 'jwk' }),
      }));
    } else {
      const file = c.publicKeyFile || c.jwksFile || c.keyFile;
      if (!file) throw new Error(`client ${clientId}: publicKeyFile or jwksFile required`);
      keys = readKeyFile(path.resolve(baseDir || '.', file));
      if (c.kid) keys.forEach((k) => { if (!k.kid) k.kid = c.kid; });
    }
    const algs = (c.algs || Object.keys(SUPPORTED_ALGS)).filter((a) => SUPPORTED_ALGS[a]);
    map.set(clientId, { clientId, keys, algs, scopes: c.scopes || null });
  }
  return map;
}

function b64urlDecode(part, what) {
  if (typeof part !== 'string' || !/^[A-Za-z0-9_-]*$/.test(part)) {
    throw new OAuthError('invalid_client', `client_assertion ${what} is not base64url`);
  }
  return Buffer.from(part, 'base64url');
}

function parseJson(buf, what) {
  try {
    const v = JSON.parse(buf.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new OAuthError('invalid_client', `client_assertion ${what} is not a JSON object`);
  }
}

function keyMatchesAlg(key, alg) {
  const spec = SUPPORTED_ALGS[alg];
  if (key.asymmetricKeyType !== spec.keyType) return false;
  if (spec.curve) {
    const curve = key.asymmetricKeyDetails && key.asymmetricKeyDetails.namedCurve;
    return curve === spec.curve;
  }
  return true;
}

class AuthService {
  constructor(options = {}) {
    this.clients = options.clients || new Map();
    this.tokenTtl = options.tokenTtl || 300;
    this.staticTokens = new Set(options.staticTokens || []);
    this.tokens = new Map(); // token -> { clientId, scopes, expMs }
    this.usedJti = new Map(); // iss\0jti -> exp (s)
  }

  prune() {
    const now = Date.now();
    for (const [t, info] of this.tokens) if (info.expMs <= now) this.tokens.delete(t);
    const nowS = now / 1000;
    for (const [k, exp] of this.usedJti) if (exp + 60 < nowS) this.usedJti.delete(k);
  }

  // params: URLSearchParams of the form body; audiences: accepted aud values (token URL spellings).
  // Returns the JSON token response or throws OAuthError.
  issueToken(params, audiences) {
    this.prune();
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', `grant_type must be client_credentials, got ${grantType}`);
    }
    if (params.get('client_assertion_type') !== ASSERTION_TYPE) {
      throw new OAuthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    }
    const assertion = params.get('client_assertion');
    if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is required');
    const claims = this.verifyAssertion(assertion, audiences, params.get('client_id'));
    const client = this.clients.get(claims.iss);
    const scopes = this.grantScopes(client, params.get('scope'));
    // Record the jti only once everything else is fine.
    this.usedJti.set(`${claims.iss}\u0000${claims.jti}`, claims.exp);
    const token = crypto.randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId: client.clientId, scopes, expMs: Date.now() + this.tokenTtl * 1000 });
    return { access_token: token, token_type: 'bearer', expires_in: this.tokenTtl, scope: scopes.join(' ') };
  }

  verifyAssertion(jwt, audiences, clientIdParam) {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new OAuthError('invalid_client', 'client_assertion is not a compact JWS');
    const header = parseJson(b64urlDecode(parts[0], 'header'), 'header');
    const claims = parseJson(b64urlDecode(parts[1], 'payload'), 'payload');
    const signature = b64urlDecode(parts[2], 'signature');
    const alg = header.alg;
    if (!SUPPORTED_ALGS[alg]) {
      throw new OAuthError('invalid_client', `alg ${alg} not supported (use ${Object.keys(SUPPORTED_ALGS).join(', ')})`);
    }
    if (header.typ !== undefined && String(header.typ).toUpperCase() !== 'JWT') {
      throw new OAuthError('invalid_client', `typ must be JWT, got ${header.typ}`);
    }
    if (!header.kid || typeof header.kid !== 'string') throw new OAuthError('invalid_client', 'kid header is required');
    if (typeof claims.iss !== 'string' || !claims.iss) throw new OAuthError('invalid_client', 'iss claim is required');
    if (clientIdParam && clientIdParam !== claims.iss) {
      throw new OAuthError('invalid_client', 'client_id parameter does not match assertion iss');
    }
    const client = this.clients.get(claims.iss);
    if (!client) throw new OAuthError('invalid_client', `unknown client ${claims.iss}`);
    if (claims.sub !== claims.iss) throw new OAuthError('invalid_client', 'sub must equal iss (the client_id)');
    if (!client.algs.includes(alg)) {
      throw new OAuthError('invalid_client', `alg ${alg} not allowed for client ${client.clientId}`);
    }
    const candidates = client.keys.filter((k) => (!k.kid || k.kid === header.kid)
      && (!k.alg || k.alg === alg) && keyMatchesAlg(k.key, alg));
    if (!candidates.length) {
      throw new OAuthError('invalid_client', `no registered key for kid ${header.kid} and alg ${alg}`);
    }
    const spec = SUPPORTED_ALGS[alg];
    if (spec.sigBytes && signature.length !== spec.sigBytes) {
      throw new OAuthError('invalid_client',
        `${alg} signature must be ${spec.sigBytes} bytes (raw r||s), got ${signature.length}`);
    }
    const data = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    const ok = candidates.some((k) => {
      try {
        const key = spec.keyType === 'ec' ? { key: k.key, dsaEncoding: 'ieee-p1363' } : k.key;
        return crypto.verify(spec.hash, data, key, signature);
      } catch (e) {
        return false;
      }
    });
    if (!ok) throw new OAuthError('invalid_client', 'client_assertion signature verification failed');
    const aud = claims.aud;
    const audOk = typeof aud === 'string' ? audiences.includes(aud)
      : Array.isArray(aud) && aud.some((a) => audiences.includes(a));
    if (!audOk) {
      throw new OAuthError('invalid_client',
        `aud must be the token endpoint URL ${audiences[0]}, got ${JSON.stringify(aud)}`);
    }
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
      throw new OAuthError('invalid_client', 'exp claim is required (NumericDate)');
    }
    if (claims.exp <= now) throw new OAuthError('invalid_client', 'client_assertion has expired');
    if (claims.exp > now + MAX_ASSERTION_LIFETIME_S + LEEWAY_S) {
      throw new OAuthError('invalid_client', 'exp must be no more than 5 minutes in the future');
    }
    if (typeof claims.nbf === 'number' && claims.nbf > now + LEEWAY_S) {
      throw new OAuthError('invalid_client', 'client_assertion not yet valid (nbf)');
    }
    if (typeof claims.iat === 'number' && claims.iat > now + LEEWAY_S + 60) {
      throw new OAuthError('invalid_client', 'iat is in the future');
    }
    if (typeof claims.jti !== 'string' || !claims.jti) throw new OAuthError('invalid_client', 'jti claim is required');
    if (this.usedJti.has(`${claims.iss}\u0000${claims.jti}`)) {
      throw new OAuthError('invalid_client', 'jti has already been used (replay)');
    }
    return claims;
  }

  grantScopes(client, scopeParam) {
    if (!scopeParam || !scopeParam.trim()) throw new OAuthError('invalid_scope', 'scope is required');
    const requested = scopeParam.trim().split(/\s+/);
    const bad = requested.filter((s) => !SCOPE_RE.test(s));
    if (bad.length) {
      throw new OAuthError('invalid_scope', `unsupported scope(s): ${bad.join(' ')} (expected system/<Type>.<perm>)`);
    }
    if (!client.scopes) return requested;
    const allowAll = client.scopes.includes('system/*.*') || client.scopes.includes('*');
    const granted = requested.filter((s) => allowAll || client.scopes.includes(s));
    if (!granted.length) throw new OAuthError('invalid_scope', 'none of the requested scopes is allowed for this client');
    return granted;
  }

  // Returns { ok: true, principal } or { ok: false, description }.
  checkBearer(authorization) {
    if (!authorization) return { ok: false, missing: true, description: 'Authorization header required' };
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
    if (!m) return { ok: false, description: 'Authorization must be "Bearer <token>"' };
    const token = m[1];
    if (this.staticTokens.has(token)) return { ok: true, principal: { clientId: 'static', scopes: ['system/*.*'] } };
    const info = this.tokens.get(token);
    if (!info) return { ok: false, description: 'unknown access token' };
    if (info.expMs <= Date.now()) return { ok: false, description: 'access token expired' };
    return { ok: true, principal: info };
  }

  revokeAll() {
    this.tokens.clear();
  }

  describe() {
    return {
      tokenTtl: this.tokenTtl,
      clients: [...this.clients.values()].map((c) => ({
        clientId: c.clientId, algs: c.algs, kids: c.keys.map((k) => k.kid || null), scopes: c.scopes,
      })),
      staticTokens: this.staticTokens.size,
      activeTokens: [...this.tokens.values()].filter((t) => t.expMs > Date.now()).length,
    };
  }
}

// action: 'read' | 'search' | 'create' | 'update' | 'patch' | 'delete'
function scopeAllows(scopes, resourceType, action) {
  const letter = { read: 'r', search: 's', create: 'c', update: 'u', patch: 'u', delete: 'd' }[action];
  const v1 = action === 'read' || action === 'search' ? 'read' : 'write';
  return (scopes || []).some((s) => {
    const m = SCOPE_RE.exec(s);
    if (!m) return false;
    if (m[1] !== '*' && m[1] !== resourceType) return false;
    const perm = m[2];
    if (perm === '*' || perm === v1) return true;
    return perm !== 'read' && perm !== 'write' && perm.includes(letter);
  });
}

module.exports = { AuthService, OAuthError, loadClients, scopeAllows, SUPPORTED_ALGS, ASSERTION_TYPE };
