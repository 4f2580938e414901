'use strict';
// Transaction and batch Bundles (POST to the base URL), run through Medplum's processBatch in
// batch mode (so its caps on conditional entries do not apply) and made all-or-nothing here:
// the repository is snapshotted first and restored if any entry fails or a written literal
// reference does not resolve at the end.

const crypto = require('crypto');
const { STATUS_CODES } = require('http');
const core = require('@medplum/core');
const { processBatch } = require('@medplum/fhir-router');
const {
  badRequest, multiple, outcomeWithStatus, cleanOutcome, requireCriteria, issue,
} = require('./outcomes');

const BUNDLE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

// Replaces every { reference: "Type?query" } in obj (conditional references in transactions).
async function rewriteConditionalRefs(obj, resolve) {
  if (Array.isArray(obj)) {
    for (const v of obj) await rewriteConditionalRefs(v, resolve);
  } else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\?/.test(v)) obj[k] = await resolve(v);
      else if (typeof v === 'object') await rewriteConditionalRefs(v, resolve);
    }
  }
}

// Mixed into FhirEngine (uses this.repo, this.router, this.opts).
const bundleMethods = {
  async bundleHandler(req, options) {
    if (options?.batch) throw badRequest('Nested Bundles are not supported');
    const bundle = req.body;
    if (!bundle || bundle.resourceType !== 'Bundle') throw badRequest('POST to the base URL needs a Bundle', 'resourceType');
    if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
      throw badRequest(`Bundle.type must be transaction or batch, got ${bundle.type}`, 'Bundle.type');
    }
    if (!Array.isArray(bundle.entry) || !bundle.entry.length) throw badRequest('Bundle has no entries', 'Bundle.entry');
    if (bundle.entry.length > this.opts.maxBundleEntries) {
      throw badRequest(`Bundle has more than ${this.opts.maxBundleEntries} entries`, 'Bundle.entry');
    }
    const base = `${req.config.baseUrl}/`;
    bundle.entry.forEach((e, i) => {
      const r = e && e.request;
      if (r && typeof r.url === 'string') r.url = r.url.startsWith(base) ? r.url.slice(base.length) : r.url.replace(/^\//, '');
      if (bundle.type === 'transaction' && (!r || !BUNDLE_METHODS.includes(r.method) || !r.url)) {
        throw badRequest('Each entry needs request.method (GET/POST/PUT/PATCH/DELETE) and request.url',
          `Bundle.entry[${i}].request`);
      }
    });
    if (bundle.type === 'batch') {
      const result = await processBatch(req, this.repo, this.router, bundle);
      this.decorateBundleResponse(result, bundle, req);
      return [core.allOk, result];
    }
    return this.runTransaction(req, bundle, bundle.entry.map((e) => e.request.url));
  },

  checkDuplicates(bundle) {
    const seen = new Map();
    bundle.entry.forEach((e, i) => {
      const keys = [];
      if (e.fullUrl) keys.push(`fullUrl ${e.fullUrl}`);
      if (e.request.method !== 'GET' && e.request.method !== 'POST') keys.push(`target ${e.request.url}`);
      for (const k of keys) {
        if (seen.has(k)) {
          throw badRequest(`Duplicate resource identity in transaction: entries ${seen.get(k)} and ${i} (${k})`,
            `Bundle.entry[${i}]`);
        }
        seen.set(k, i);
      }
    });
  },

  async runTransaction(req, bundle, originalUrls) {
    const snap = this.repo.snapshot();
    this.repo.ctx.deferRefs = true;
    this.repo.ctx.written = new Set();
    let failedEntry;
    try {
      this.checkDuplicates(bundle);
      for (const [i, e] of bundle.entry.entries()) {
        failedEntry = i;
        if (e.resource) await rewriteConditionalRefs(e.resource, (ref) => this.resolveConditionalRef(ref));
      }
      failedEntry = undefined;
      const result = await processBatch(req, this.repo, this.router, bundle);
      this.decorateBundleResponse(result, bundle, req);
      result.entry.forEach((e, i) => {
        const code = parseInt(e.response.status, 10);
        if (!(code >= 200 && code < 300)) {
          failedEntry = i;
          const o = e.response.outcome || core.badRequest(`Entry failed: ${e.response.status}`);
          throw new core.OperationOutcomeError(outcomeWithStatus(o, code));
        }
      });
      this.repo.checkWrittenReferences();
      return [core.allOk, result];
    } catch (err) {
      this.repo.restore(snap);
      const outcome = JSON.parse(JSON.stringify(core.normalizeOperationOutcome(err)));
      const e = failedEntry !== undefined ? bundle.entry[failedEntry] : undefined;
      const where = e ? `Bundle.entry[${failedEntry}] (${e.request.method} ${originalUrls[failedEntry]}): ` : '';
      outcome.issue = (outcome.issue || []).map((iss) => {
        const text = iss.diagnostics || (iss.details && iss.details.text) || 'Error';
        const expression = (iss.expression || []).map((x) => (e && e.resource && x.startsWith(`${e.resource.resourceType}.`)
          ? `Bundle.entry[${failedEntry}].resource${x.slice(e.resource.resourceType.length)}` : x));
        return { ...iss, diagnostics: `Transaction rolled back. ${where}${text}`, expression: expression.length ? expression : undefined };
      });
      return [outcome];
    } finally {
      this.repo.ctx.deferRefs = false;
      this.repo.ctx.written = null;
    }
  },

  async resolveConditionalRef(ref) {
    const sr = core.parseSearchRequest(ref);
    requireCriteria(sr, 'Conditional reference');
    sr.count = 2;
    const matches = await this.repo.searchResources(sr);
    if (matches.length === 0) throw badRequest(`Conditional reference ${ref} matched no resource`, undefined, 'processing');
    if (matches.length > 1) throw multiple(`Conditional reference ${ref} matched more than one resource`);
    return `${matches[0].resourceType}/${matches[0].id}`;
  },

  decorateBundleResponse(result, bundle, req) {
    const base = req.config.baseUrl;
    const prefer = req.config.prefer || {};
    result.id = crypto.randomUUID();
    result.meta = { lastUpdated: new Date().toISOString() };
    result.entry.forEach((e, i) => {
      const method = bundle.entry[i] && bundle.entry[i].request && bundle.entry[i].request.method;
      const resp = e.response || (e.response = { status: '500' });
      let code = parseInt(resp.status, 10);
      const text = resp.outcome ? core.operationOutcomeToString(resp.outcome) : '';
      if (code === 400 && /matched multiple resources/.test(text)) {
        code = 412;
        resp.outcome = { resourceType: 'OperationOutcome', id: 'multiple-matches', issue: [issue('multiple-matches', text)] };
      }
      resp.status = `${code} ${STATUS_CODES[code] || ''}`.trim();
      const r = e.resource;
      if (code < 300 && method !== 'GET' && r && r.id && r.meta && r.meta.versionId) {
        resp.location = `${r.resourceType}/${r.id}/_history/${r.meta.versionId}`;
        resp.etag = `W/"${r.meta.versionId}"`;
        resp.lastModified = r.meta.lastUpdated;
        e.fullUrl = `${base}/${r.resourceType}/${r.id}`;
      }
      if (method === 'GET') delete resp.location;
      if (code < 300) delete resp.outcome;
      else if (resp.outcome) resp.outcome = cleanOutcome(resp.outcome);
      if (method !== 'GET' && (prefer.return === 'minimal' || code >= 300)) delete e.resource;
    });
  },
};

module.exports = { bundleMethods };
