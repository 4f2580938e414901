'use strict';
// Fault injection for the test FHIR server.
//
// Each in-scope request draws ONE number from a seeded PRNG (mulberry32) and is answered:
//   [0, fault500)                          -> 500 OperationOutcome, nothing processed
//   [fault500, +fault429)                  -> 429 with Retry-After, nothing processed
//   [.., +faultHang)                       -> hang: never answered (hangMs = 0) or processed and
//                                             answered only after hangMs milliseconds
//   [.., +faultCommit500)                  -> processed (committed!) but answered 500
//   otherwise                              -> normal
// A queue of explicit faults (e.g. ["500", "429", "hang", "commit-500", "ok"]) is consumed
// first, one entry per in-scope request, without drawing from the PRNG.
//
// Scope: "writes" (default: POST/PUT/PATCH/DELETE under /fhir, except POST .../_search),
//        "fhir" (every /fhir request), "all" (every /fhir request and POST /auth/token).

const KINDS = ['ok', '500', '429', 'hang', 'commit-500'];

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEFAULTS = {
  fault500: 0,
  fault429: 0,
  faultHang: 0,
  faultCommit500: 0,
  retryAfter: 1,
  hangMs: 0,
  latencyMs: 0,
  faultSeed: 1,
  faultScope: 'writes',
};

function toNumber(name, v, min, max) {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return n;
}

class Faults {
  constructor(options = {}) {
    this.settings = { ...DEFAULTS };
    this.queue = [];
    this.counts = { ok: 0, '500': 0, '429': 0, hang: 0, 'commit-500': 0 };
    this.update(options, true);
  }

  // Applies a partial settings object (same keys as the config file, plus "queue").
  update(partial = {}, reseed = false) {
    const s = { ...this.settings };
    for (const key of ['fault500', 'fault429', 'faultHang', 'faultCommit500']) {
      if (partial[key] !== undefined) s[key] = toNumber(key, partial[key], 0, 1);
    }
    if (partial.retryAfter !== undefined) s.retryAfter = Math.round(toNumber('retryAfter', partial.retryAfter, 0, 86400));
    if (partial.hangMs !== undefined) s.hangMs = Math.round(toNumber('hangMs', partial.hangMs, 0, 3600000));
    if (partial.latencyMs !== undefined) s.latencyMs = Math.round(toNumber('latencyMs', partial.latencyMs, 0, 600000));
    if (partial.faultScope !== undefined) {
      if (!['writes', 'fhir', 'all'].includes(partial.faultScope)) {
        throw new Error('faultScope must be one of writes, fhir, all');
      }
      s.faultScope = partial.faultScope;
    }
    if (s.fault500 + s.fault429 + s.faultHang + s.faultCommit500 > 1 + 1e-9) {
      throw new Error('fault500 + fault429 + faultHang + faultCommit500 must not exceed 1');
    }
    if (partial.faultSeed !== undefined) {
      s.faultSeed = Math.round(toNumber('faultSeed', partial.faultSeed, 0, 2 ** 32 - 1));
      reseed = true;
    }
    let queue = this.queue;
    if (partial.queue !== undefined) {
      if (!Array.isArray(partial.queue)) throw new Error('queue must be an array');
      queue = partial.queue.map((k) => {
        const kind = String(k);
        if (!KINDS.includes(kind)) throw new Error(`queue entries must be one of ${KINDS.join(', ')}`);
        return kind;
      });
    }
    this.settings = s;
    this.queue = queue;
    if (reseed) this.rng = mulberry32(s.faultSeed);
  }

  inScope(kind) {
    // kind: 'write' | 'read' | 'token'
    const scope = this.settings.faultScope;
    if (kind === 'write') return true;
    if (kind === 'read') return scope === 'fhir' || scope === 'all';
    return scope === 'all';
  }

  // Returns one of KINDS for a request of the given kind.
  decide(kind) {
    if (!this.inScope(kind)) return 'ok';
    let decision;
    if (this.queue.length) {
      decision = this.queue.shift();
    } else {
      const s = this.settings;
      const r = this.rng();
      let edge = s.fault500;
      if (r < edge) decision = '500';
      else if (r < (edge += s.fault429)) decision = '429';
      else if (r < (edge += s.faultHang)) decision = 'hang';
      else if (r < (edge += s.faultCommit500)) decision = 'commit-500';
      else decision = 'ok';
    }
    this.counts[decision]++;
    return decision;
  }

  describe() {
    return { ...this.settings, queue: [...this.queue], counts: { ...this.counts } };
  }
}

module.exports = { Faults, mulberry32, FAULT_DEFAULTS: DEFAULTS };
