'use strict';
// CapabilityStatement (GET /metadata) and SMART configuration documents.

const core = require('@medplum/core');

const SUPPORTED_PARAM_TYPES = new Set(['string', 'token', 'reference', 'date', 'uri']);
const KEY_TYPES = ['Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'CarePlan', 'Task', 'Provenance'];

function resourceTypes() {
  return Object.values(core.getAllDataTypes())
    .filter((t) => t.kind === 'resource' && t.name !== 'Resource' && t.name !== 'DomainResource')
    .map((t) => t.name)
    .sort();
}

function searchParamsFor(type) {
  const params = core.globalSchema.types[type]?.searchParams || {};
  const out = [];
  for (const [code, sp] of Object.entries(params)) {
    if (!SUPPORTED_PARAM_TYPES.has(sp.type) || code === '_compartment') continue;
    out.push({ name: code, definition: sp.url, type: sp.type });
  }
  out.sort((a, b) => a.name.localeCompare(b.name));
  out.push(
    { name: '_count', type: 'number', documentation: 'Page size (default and maximum are configurable)' },
    { name: '_offset', type: 'number', documentation: 'Paging offset; next/previous links use it' },
    { name: '_sort', type: 'string', documentation: 'Sort by one of the search parameters above' },
    { name: '_summary', type: 'token', documentation: 'Only _summary=count changes the result' },
  );
  return out;
}

let cachedResources;

function buildCapabilityStatement(opts) {
  if (!cachedResources) {
    cachedResources = resourceTypes().map((type) => ({
      type,
      documentation: KEY_TYPES.includes(type)
        ? 'Search by identifier (system|value), conditional update PUT ' + type + '?identifier=system|value'
        : undefined,
      interaction: ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type']
        .map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-supported',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      referencePolicy: ['literal', 'logical', 'local', 'enforced'],
      searchParam: searchParamsFor(type),
    }));
  }
  const security = {
    cors: false,
    description: opts.requireAuth
      ? 'SMART Backend Services (client_credentials, private_key_jwt: RS384, ES384, RS512); bearer token required'
      : 'No authentication required (server started without --require-auth)',
  };
  if (opts.requireAuth || opts.hasClients) {
    security.service = [{
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
    }];
    security.extension = [{
      url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
      extension: [{ url: 'token', valueUri: opts.tokenUrl }],
    }];
  }
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: opts.startedAt,
    publisher: 'supervision-adapter tests',
    kind: 'instance',
    software: { name: 'fhir-test-server (Medplum fhir-router 4.5.2, in memory)', version: '1.0.0' },
    implementation: { description: 'In-memory FHIR R4 test server', url: opts.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [{
      mode: 'server',
      documentation: 'Transactions are all-or-nothing. Unknown search parameters are rejected with 400 '
        + 'unless the request carries "Prefer: handling=lenient". Writes are validated (structure and '
        + 'required value-set bindings) and literal references must resolve.',
      security,
      resource: cachedResources,
      interaction: [{ code: 'transaction' }, { code: 'batch' }],
      searchParam: [
        { name: '_id', type: 'token' },
        { name: '_lastUpdated', type: 'date' },
        { name: '_count', type: 'number' },
        { name: '_offset', type: 'number' },
      ],
    }],
  };
}

function buildSmartConfiguration(opts) {
  return {
    issuer: opts.baseUrl,
    token_endpoint: opts.tokenUrl,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS512'],
    grant_types_supported: ['client_credentials'],
    scopes_supported: ['system/*.read', 'system/*.write', 'system/*.*', 'system/*.cruds'],
    capabilities: ['client-confidential-asymmetric', 'permission-v1', 'permission-v2'],
  };
}

module.exports = { buildCapabilityStatement, buildSmartConfiguration, resourceTypes };
