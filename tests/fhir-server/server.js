#!/usr/bin/env node
'use strict';
// In-memory FHIR R4 test server (Medplum engine) for the supervision adapter's tests and demo.
// See README.md. Prints exactly one line to stdout once listening: "LISTENING <port>".

const fs = require('fs');
const http = require('http');
const https = require('https');
const { loadOptions, usage } = require('./config');
const { Faults } = require('./faults');
const { AuthService, OAuthError, loadClients } = require('./auth');
const { FhirEngine } = require('./engine');
const { buildCapabilityStatement, buildSmartConfiguration } = require('./capability');
const { RequestLog } = require('./requestlog');

const FHIR_BASE = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function outcome(code, diagnostics, severity = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics, details: { text: diagnostics } }] };
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge: size > limit }));
    req.on('error', reject);
  });
}

class TestFhirServer {
  constructor(opts) {
    this.opts = opts;
    this.startedAt = new Date().toISOString();
    this.faultDefaults = {
      fault500: opts.fault500, fault429: opts.fault429, faultHang: opts.faultHang,
      faultCommit500: opts.faultCommit500, retryAfter: opts.retryAfter, hangMs: opts.hangMs,
      latencyMs: opts.latencyMs, faultSeed: opts.faultSeed, faultScope: opts.faultScope,
    };
    this.faults = new Faults(this.faultDefaults);
    this.auth = new AuthService({
      clients: loadClients(opts.clients, process.cwd()), tokenTtl: opts.tokenTtl, staticTokens: opts.staticToken,
    });
    this.requireAuth = !!opts.requireAuth;
    this.enforceScopes = !!opts.enforceScopes;
    this.log = new RequestLog({ file: opts.requestLog, max: opts.maxLogEntries });
    this.scheme = opts.tlsCert ? 'https' : 'http';
    this.engine = new FhirEngine({
      pageSize: opts.pageSize, maxPageSize: opts.maxPageSize, checkReferences: opts.checkReferences,
      lenientIfMatch: opts.lenientIfMatch, maxBundleEntries: opts.maxBundleEntries,
      capability: (cfg) => buildCapabilityStatement({
        baseUrl: cfg.baseUrl, tokenUrl: cfg.tokenUrl, requireAuth: this.requireAuth,
        hasClients: this.auth.clients.size > 0, startedAt: this.startedAt,
      }),
    });
  }

  listen() {
    const handler = (req, res) => this.onRequest(req, res).catch((err) => {
      process.stderr.write(`fhir-test-server: internal error: ${err.stack || err}\n`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': FHIR_JSON });
        res.end(JSON.stringify(outcome('exception', `Internal error: ${err.message}`)));
      }
    });
    if (this.opts.tlsCert) {
      const tls = { cert: fs.readFileSync(this.opts.tlsCert), key: fs.readFileSync(this.opts.tlsKey) };
      if (this.opts.tlsClientCa) {
        Object.assign(tls, { ca: fs.readFileSync(this.opts.tlsClientCa), requestCert: true, rejectUnauthorized: true });
      }
      this.server = https.createServer(tls, handler);
    } else {
      this.server = http.createServer(handler);
    }
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, '127.0.0.1', () => {
        this.port = this.server.address().port;
        resolve(this.port);
      });
    });
  }

  close() {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      if (this.server.closeAllConnections) this.server.closeAllConnections();
    });
  }

  hostOf(req) {
    return req.headers.host || `127.0.0.1:${this.port}`;
  }

  tokenAudiences(req) {
    if (this.opts.tokenUrl) return [this.opts.tokenUrl];
    const list = [`${this.scheme}://${this.hostOf(req)}/auth/token`,
      `${this.scheme}://127.0.0.1:${this.port}/auth/token`, `${this.scheme}://localhost:${this.port}/auth/token`];
    return [...new Set(list)];
  }

  send(res, entry, status, headers, body, contentType = FHIR_JSON) {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (text) h['Content-Type'] = contentType;
    h['Content-Length'] = Buffer.byteLength(text);
    this.log.finish(entry, status);
    res.writeHead(status, h);
    res.end(text);
  }

  async onRequest(req, res) {
    const { buf, tooLarge } = await readBody(req, this.opts.maxBodyBytes);
    const pathname = req.url.split('?')[0].replace(/^\/%24admin/i, '/$admin');
    if (pathname === '/$admin' || pathname.startsWith('/$admin/')) return this.admin(req, res, pathname, buf);
    const entry = this.log.start(req, buf, `${this.scheme}://${this.hostOf(req)}${req.url}`);
    if (tooLarge) return this.send(res, entry, 413, {}, outcome('too-costly', 'Request body too large'));
    if (pathname === '/auth/token') return this.token(req, res, entry, buf);
    if (pathname === FHIR_BASE || pathname.startsWith(`${FHIR_BASE}/`)) return this.fhir(req, res, entry, buf);
    if (pathname === '/.well-known/smart-configuration') {
      return this.send(res, entry, 200, {}, this.smartConfig(req), 'application/json');
    }
    return this.send(res, entry, 404, {}, outcome('not-found', `No route for ${req.method} ${pathname}`));
  }

  smartConfig(req) {
    const base = `${this.scheme}://${this.hostOf(req)}${FHIR_BASE}`;
    return buildSmartConfiguration({ baseUrl: base, tokenUrl: this.tokenAudiences(req)[0] });
  }

  // Applies fault injection. Returns the decision ('ok' | 'commit-500') or null when answered/hung.
  async applyFaults(kind, res, entry) {
    const decision = this.faults.decide(kind);
    entry.fault = decision === 'ok' ? undefined : decision;
    const s = this.faults.settings;
    if (s.latencyMs && this.faults.inScope(kind)) await sleep(s.latencyMs);
    if (decision === '500') {
      this.send(res, entry, 500, {}, outcome('exception', 'Injected fault: internal server error'));
      return null;
    }
    if (decision === '429') {
      this.send(res, entry, 429, { 'Retry-After': String(s.retryAfter) },
        outcome('throttled', `Injected fault: too many requests, retry after ${s.retryAfter} s`));
      return null;
    }
    if (decision === 'hang') {
      if (!s.hangMs) {
        this.log.hang(entry);
        return null; // never answered
      }
      await sleep(s.hangMs);
    }
    return decision;
  }

  async token(req, res, entry, buf) {
    const json = 'application/json';
    const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
    if (req.method !== 'POST') {
      return this.send(res, entry, 405, { Allow: 'POST' }, { error: 'invalid_request', error_description: 'POST required' }, json);
    }
    const decision = await this.applyFaults('token', res, entry);
    if (!decision) return undefined;
    const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    let status = 200;
    let body;
    if (ct !== 'application/x-www-form-urlencoded') {
      status = 400;
      body = { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' };
    } else {
      try {
        body = this.auth.issueToken(new URLSearchParams(buf.toString('utf8')), this.tokenAudiences(req));
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        status = err.status;
        body = { error: err.error, error_description: err.message };
      }
    }
    if (decision === 'commit-500') {
      return this.send(res, entry, 500, noStore, { error: 'server_error', error_description: 'Injected fault' }, json);
    }
    return this.send(res, entry, status, noStore, body, json);
  }

  async fhir(req, res, entry, buf) {
    const method = req.method;
    const rest = req.url.slice(FHIR_BASE.length).replace(/^\//, '');
    const restPath = rest.split('?')[0];
    const baseUrl = `${this.scheme}://${this.hostOf(req)}${FHIR_BASE}`;
    const isSearch = method === 'POST' && restPath.endsWith('/_search');
    const isWrite = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && !isSearch;
    const decision = await this.applyFaults(isWrite ? 'write' : 'read', res, entry);
    if (!decision) return undefined;

    if (method === 'GET' && restPath === '.well-known/smart-configuration') {
      return this.send(res, entry, 200, {}, this.smartConfig(req), 'application/json');
    }
    let principal;
    if (this.requireAuth && !(method === 'GET' && restPath === 'metadata')) {
      const check = this.auth.checkBearer(req.headers.authorization);
      if (!check.ok) {
        const realm = 'Bearer realm="fhir-test-server"';
        const www = check.missing ? realm : `${realm}, error="invalid_token", error_description="${check.description}"`;
        return this.send(res, entry, 401, { 'WWW-Authenticate': www }, outcome('login', `Unauthorized: ${check.description}`));
      }
      principal = check.principal;
    }
    let body;
    if (['POST', 'PUT', 'PATCH'].includes(method)) {
      const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
      const text = buf.toString('utf8');
      if (isSearch && (ct === 'application/x-www-form-urlencoded' || !text)) {
        body = Object.fromEntries(new URLSearchParams(text));
      } else if (!text.trim()) {
        return this.send(res, entry, 400, {}, outcome('required', `${method} needs a JSON body`));
      } else if (!['application/fhir+json', 'application/json', 'application/json-patch+json'].includes(ct)) {
        return this.send(res, entry, 415, {}, outcome('not-supported',
          `Unsupported Content-Type ${JSON.stringify(ct)}; use application/fhir+json`));
      } else {
        try {
          body = JSON.parse(text);
        } catch (err) {
          return this.send(res, entry, 400, {}, outcome('structure', `Body is not valid JSON: ${err.message}`));
        }
      }
    }
    const result = await this.engine.handle({
      method, url: rest, headers: req.headers, body, baseUrl, tokenUrl: this.tokenAudiences(req)[0],
      enforceScopes: this.requireAuth && this.enforceScopes, scopes: principal ? principal.scopes : [],
    });
    if (decision === 'commit-500') {
      return this.send(res, entry, 500, {}, outcome('exception', 'Injected fault: processed, but answered 500'));
    }
    return this.send(res, entry, result.status, result.headers, result.body);
  }

  async admin(req, res, pathname, buf) {
    const reply = (status, body) => {
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    let input = {};
    if (buf.length) {
      try {
        input = JSON.parse(buf.toString('utf8'));
      } catch (err) {
        return reply(400, { error: `admin body must be JSON: ${err.message}` });
      }
    }
    const url = new URL(req.url, 'http://localhost');
    const route = `${req.method} ${pathname.replace(/\/+$/, '')}`;
    try {
      switch (route) {
        case 'GET /$admin':
        case 'GET /$admin/status':
          return reply(200, {
            port: this.port, scheme: this.scheme, startedAt: this.startedAt, requireAuth: this.requireAuth,
            resources: this.engine.repo.countResources(), requestsLogged: this.log.count(),
            faults: this.faults.describe(), auth: this.auth.describe(),
          });
        case 'POST /$admin/reset':
          this.engine.reset();
          this.log.clear();
          if (input.faults) this.faults = new Faults(this.faultDefaults);
          if (input.tokens) { this.auth.revokeAll(); this.auth.usedJti.clear(); }
          return reply(200, { reset: true });
        case 'GET /$admin/requests':
          return reply(200, this.log.list(Number(url.searchParams.get('since') || 0)));
        case 'DELETE /$admin/requests':
          this.log.clear();
          return reply(200, { cleared: true });
        case 'GET /$admin/faults':
          return reply(200, this.faults.describe());
        case 'POST /$admin/faults':
        case 'PUT /$admin/faults':
          this.faults.update(input);
          return reply(200, this.faults.describe());
        case 'GET /$admin/auth':
          return reply(200, { requireAuth: this.requireAuth, enforceScopes: this.enforceScopes, ...this.auth.describe() });
        case 'POST /$admin/auth':
        case 'PUT /$admin/auth':
          if (input.requireAuth !== undefined) this.requireAuth = !!input.requireAuth;
          if (input.enforceScopes !== undefined) this.enforceScopes = !!input.enforceScopes;
          if (input.tokenTtl !== undefined) this.auth.tokenTtl = Number(input.tokenTtl);
          for (const t of input.staticTokens || []) this.auth.staticTokens.add(String(t));
          if (input.revokeTokens) this.auth.revokeAll();
          return reply(200, { requireAuth: this.requireAuth, enforceScopes: this.enforceScopes, ...this.auth.describe() });
        case 'GET /$admin/resources':
          return reply(200, this.engine.repo.allResources(url.searchParams.get('type') || undefined));
        default:
          return reply(404, { error: `unknown admin route ${route}` });
      }
    } catch (err) {
      return reply(400, { error: err.message });
    }
  }
}

async function main() {
  let opts;
  try {
    opts = loadOptions();
  } catch (err) {
    process.stderr.write(`fhir-test-server: ${err.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  let server;
  try {
    server = new TestFhirServer(opts);
  } catch (err) {
    process.stderr.write(`fhir-test-server: ${err.message}\n`);
    process.exit(2);
  }
  const port = await server.listen();
  if (opts.portFile) fs.writeFileSync(opts.portFile, `${port}\n`);
  process.stdout.write(`LISTENING ${port}\n`);
  process.stderr.write(`fhir-test-server: ${server.scheme}://127.0.0.1:${port}${FHIR_BASE} `
    + `(auth ${server.requireAuth ? 'required' : 'off'}${opts.tlsClientCa ? ', mTLS' : ''})\n`);
  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fhir-test-server: ${sig}, shutting down\n`);
    setTimeout(() => process.exit(0), 2000).unref();
    server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`fhir-test-server: ${err.stack || err}\n`);
    process.exit(1);
  });
}

module.exports = { TestFhirServer };
