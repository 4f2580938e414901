'use strict';
// OperationOutcome helpers shared by the engine modules. core.getStatus() derives the HTTP status
// from OperationOutcome.id (e.g. 'precondition-failed' -> 412); anything else is 400.

const core = require('@medplum/core');
const { issue, outcomeError } = require('./validate');

const OUTCOME_IDS = new Set(['ok', 'created', 'not-found', 'gone', 'conflict', 'forbidden', 'unauthorized',
  'precondition-failed', 'multiple-matches', 'too-many-requests', 'accepted', 'not-modified', 'server-timeout',
  'business-rule']);

function withId(id, issues) {
  return new core.OperationOutcomeError({ resourceType: 'OperationOutcome', id, issue: issues });
}
const badRequest = (diag, expr, code = 'invalid') => outcomeError([issue(code, diag, expr)]);
const precondition = (diag, expr) => withId('precondition-failed', [issue('conflict', diag, expr)]);
const multiple = (diag, expr) => withId('multiple-matches', [issue('multiple-matches', diag, expr)]);

const ID_FOR_STATUS = { 403: 'forbidden', 404: 'not-found', 409: 'conflict', 410: 'gone', 412: 'precondition-failed',
  422: 'business-rule', 429: 'too-many-requests' };

// Returns a copy of outcome that core.getStatus() maps to the given HTTP status.
function outcomeWithStatus(outcome, code) {
  const o = JSON.parse(JSON.stringify(outcome));
  if (ID_FOR_STATUS[code]) o.id = ID_FOR_STATUS[code];
  else delete o.id;
  if (code >= 500 && o.issue && o.issue[0]) o.issue[0].code = 'exception';
  return o;
}

function cleanOutcome(outcome) {
  const o = JSON.parse(JSON.stringify(outcome));
  if (OUTCOME_IDS.has(o.id)) delete o.id;
  o.issue = (o.issue || []).map((i) => ({ ...i, diagnostics: i.diagnostics || (i.details && i.details.text) || 'Error' }));
  return o;
}

function requireCriteria(sr, what) {
  if (!sr.filters || !sr.filters.length) throw badRequest(`${what} requires search criteria (e.g. identifier=system|value)`);
}


module.exports = {
  withId, badRequest, precondition, multiple, outcomeWithStatus, cleanOutcome, requireCriteria, issue,
};
