'use strict';
// TestRepository: Medplum's MemoryRepository with the gaps a real EHR would not have closed:
// integer version ids, validation on every write, strict search parameters, referential
// integrity, snapshot/restore for all-or-nothing transactions, no-op update detection.

const core = require('@medplum/core');
const { MemoryRepository } = require('@medplum/fhir-router');
const { validateForWrite, issue, outcomeError } = require('./validate');

const SUPPORTED_PARAM_TYPES = new Set(['string', 'token', 'reference', 'date', 'uri']);
const LITERAL_REF = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

function stripMeta(resource) {
  const copy = JSON.parse(JSON.stringify(resource));
  if (copy.meta) {
    delete copy.meta.versionId;
    delete copy.meta.lastUpdated;
    if (Object.keys(copy.meta).length === 0) delete copy.meta;
  }
  return copy;
}

function stableStringify(v) {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// Collects [jsonPath, referenceString] pairs from every object with a string "reference".
function collectReferences(value, path, out) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectReferences(v, `${path}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push([path, v]);
      else if (k !== 'contained') collectReferences(v, `${path}.${k}`, out);
    }
  }
  return out;
}

class TestRepository extends MemoryRepository {
  constructor(options = {}) {
    super();
    this.options = { checkReferences: true, skipNoopUpdates: true, ...options };
    // Per-request context, set by the engine (requests are serialised).
    this.ctx = { lenient: false, baseUrl: '', deferRefs: false, written: null };
    this.lastTs = 0;
  }

  nextTimestamp() {
    let ts = Date.now();
    if (ts <= this.lastTs) ts = this.lastTs + 1;
    this.lastTs = ts;
    return new Date(ts).toISOString();
  }

  snapshot() {
    const copyInner = (m, fn) => new Map([...m].map(([k, v]) => [k, fn(v)]));
    return {
      resources: copyInner(this.resources, (inner) => new Map(inner)),
      history: copyInner(this.history, (inner) => copyInner(inner, (arr) => arr.slice())),
      lastTs: this.lastTs,
    };
  }

  restore(snap) {
    this.resources.clear();
    snap.resources.forEach((v, k) => this.resources.set(k, v));
    this.history.clear();
    snap.history.forEach((v, k) => this.history.set(k, v));
  }

  countResources() {
    const counts = {};
    for (const [type, m] of this.resources) if (m.size) counts[type] = m.size;
    return counts;
  }

  allResources(type) {
    const out = [];
    for (const [t, m] of this.resources) {
      if (!type || t === type) for (const r of m.values()) out.push(core.deepClone(r));
    }
    return out;
  }

  peek(resourceType, id) {
    return this.resources.get(resourceType)?.get(id);
  }

  async createResource(resource) {
    const r = JSON.parse(JSON.stringify(resource));
    if (!r.id) r.id = this.generateId();
    const previous = this.history.get(r.resourceType)?.get(r.id);
    r.meta = { ...(r.meta || {}) };
    r.meta.versionId = String((previous ? previous.length : 0) + 1);
    r.meta.lastUpdated = this.nextTimestamp();
    validateForWrite(r);
    if (this.options.checkReferences) {
      if (this.ctx.deferRefs && this.ctx.written) this.ctx.written.add(`${r.resourceType}/${r.id}`);
      else this.checkReferences(r);
    }
    return super.createResource(r);
  }

  async updateResource(resource, options) {
    const existing = resource.id ? this.peek(resource.resourceType, resource.id) : undefined;
    if (existing && this.options.skipNoopUpdates
        && stableStringify(stripMeta(existing)) === stableStringify(stripMeta(resource))) {
      // Like HAPI and the Medplum server: an update that changes nothing makes no new version.
      return core.deepClone(existing);
    }
    return super.updateResource(resource, options);
  }

  async readResource(resourceType, id) {
    if (!this.peek(resourceType, id) && this.history.get(resourceType)?.get(id)) {
      throw new core.OperationOutcomeError(core.gone);
    }
    return super.readResource(resourceType, id);
  }

  async readHistory(resourceType, id) {
    await this.readResource(resourceType, id);
    const versions = (this.history.get(resourceType)?.get(id) || []).slice().reverse();
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: versions.length,
      entry: versions.map((v) => ({ resource: core.deepClone(v) })),
    };
  }

  async search(searchRequest) {
    this.checkSearchRequest(searchRequest);
    return super.search(searchRequest);
  }

  // Unknown or unsupported search parameters are an error (400) unless the request said
  // "Prefer: handling=lenient", in which case they are dropped (and ignored).
  checkSearchRequest(sr) {
    const params = core.globalSchema.types[sr.resourceType]?.searchParams || {};
    const problems = [];
    const keep = [];
    for (const f of sr.filters || []) {
      const p = params[f.code];
      if (f.code === '_has' || f.code.includes('.')) {
        problems.push(issue('not-supported', `Chained and _has search parameters are not supported: ${f.code}`));
      } else if (!p) {
        const valid = Object.keys(params).sort().join(', ');
        problems.push(issue('invalid',
          `Unknown search parameter "${f.code}" for resource type ${sr.resourceType}. Valid parameters: ${valid}`));
      } else if (!SUPPORTED_PARAM_TYPES.has(p.type)) {
        problems.push(issue('not-supported', `Search parameter "${f.code}" of type ${p.type} is not supported`));
      } else {
        keep.push(f);
        continue;
      }
    }
    for (const rule of sr.sortRules || []) {
      if (!params[rule.code]) problems.push(issue('invalid', `Unknown _sort parameter "${rule.code}"`));
    }
    if (sr.include || sr.revInclude) problems.push(issue('not-supported', '_include/_revinclude are not supported'));
    if (sr.cursor) problems.push(issue('not-supported', '_cursor is not supported'));
    if (sr.count !== undefined && !(Number.isInteger(sr.count) && sr.count >= 0)) {
      throw outcomeError([issue('invalid', '_count must be a non-negative integer')]);
    }
    if (sr.offset !== undefined && !(Number.isInteger(sr.offset) && sr.offset >= 0)) {
      throw outcomeError([issue('invalid', '_offset must be a non-negative integer')]);
    }
    if (!problems.length) return;
    if (!this.ctx.lenient) throw outcomeError(problems);
    sr.filters = keep.length ? keep : undefined;
    sr.sortRules = (sr.sortRules || []).filter((r) => params[r.code]);
    sr.include = undefined;
    sr.revInclude = undefined;
    sr.cursor = undefined;
  }

  // Throws 400 when a literal reference does not resolve to a stored resource.
  checkReferences(resource) {
    const problems = [];
    const self = `${resource.resourceType}/${resource.id}`;
    const base = this.ctx.baseUrl ? `${this.ctx.baseUrl}/` : null;
    for (const [path, ref] of collectReferences(resource, resource.resourceType, [])) {
      let rel = ref;
      if (ref.startsWith('#')) continue;
      if (base && ref.startsWith(base)) rel = ref.slice(base.length);
      else if (/^https?:\/\//.test(ref)) continue; // a reference to another server: not checked
      if (/^urn:(uuid|oid):/.test(rel)) {
        problems.push(issue('processing', `Unresolved placeholder reference ${ref}`, `${path}.reference`));
        continue;
      }
      const m = LITERAL_REF.exec(rel);
      if (!m) {
        problems.push(issue('processing', `Invalid literal reference "${ref}"`, `${path}.reference`));
        continue;
      }
      if (`${m[1]}/${m[2]}` === self) continue;
      if (!core.isResourceType(m[1]) || !this.peek(m[1], m[2])) {
        problems.push(issue('processing', `Resource ${m[1]}/${m[2]} not found, specified in path: ${path}`,
          `${path}.reference`));
      }
    }
    if (problems.length) throw outcomeError(problems);
  }

  // At the end of a transaction: check the references of everything it wrote.
  checkWrittenReferences() {
    for (const key of this.ctx.written || []) {
      const [type, id] = key.split('/');
      const r = this.peek(type, id);
      if (r) this.checkReferences(r);
    }
  }
}

module.exports = { TestRepository, collectReferences, stableStringify, LITERAL_REF };
