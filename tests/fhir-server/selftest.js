#!/usr/bin/env node
'use strict';
// Self-test of the test FHIR server: starts it as child processes on port 0 and checks the
// behaviour the adapter's tests rely on. No framework; exits non-zero on any failure.
// Usage: node selftest.js

const assert = require('assert/strict');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
  startServer, request, assertion, tokenForm, hasOpenssl, makeCertificates, createRunner,
} = require('./selftest-lib');
const { Faults } = require('./faults');

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const TASK_SYS = 'https://example.org/supervision/task-id';
const PLAN_SYS = 'https://example.org/supervision/plan-id';
const STAFF_SYS = 'https://example.org/staff-id';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-selftest-'));
const { test, skip, run } = createRunner();
const servers = [];
let A; // plain server
let B; // auth server

const get = (url, opts) => request('GET', url, opts);
const post = (url, json, opts = {}) => request('POST', url, { ...opts, json });
const put = (url, json, opts = {}) => request('PUT', url, { ...opts, json });
const admin = (method, p, json) => request(method, `${A.root}/$admin/${p}`, json ? { json } : {});
const ids = (bundle) => (bundle.entry || []).map((e) => e.resource.id);

function patient(nhs) {
  return { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Test' }] };
}
function task(id, status, patientRef, planRef) {
  return {
    resourceType: 'Task', identifier: [{ system: TASK_SYS, value: id }], status, intent: 'order',
    for: { reference: patientRef }, basedOn: planRef ? [{ reference: planRef }] : undefined,
    owner: { identifier: { system: STAFF_SYS, value: 'S1' }, display: 'Dr Who' },
    restriction: { period: { end: '2030-01-01' } },
  };
}
function planTx(planId, taskId, taskStatus, patientRef) {
  const planUrn = `urn:uuid:${crypto.randomUUID()}`;
  const taskUrn = `urn:uuid:${crypto.randomUUID()}`;
  return {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { fullUrl: taskUrn, resource: task(taskId, taskStatus, patientRef, planUrn),
        request: { method: 'PUT', url: `Task?identifier=${TASK_SYS}|${taskId}` } },
      { fullUrl: planUrn, resource: {
        resourceType: 'CarePlan', identifier: [{ system: PLAN_SYS, value: planId }], status: 'active', intent: 'plan',
        subject: { reference: patientRef }, activity: [{ reference: { reference: taskUrn } }],
      }, request: { method: 'PUT', url: `CarePlan?identifier=${PLAN_SYS}|${planId}` } },
    ],
  };
}
async function createPatient(nhs) {
  const r = await post(`${A.base}/Patient`, patient(nhs));
  assert.equal(r.status, 201, r.text);
  return `Patient/${r.body.id}`;
}

test('start plain server (request log file)', async () => {
  A = await startServer(['--request-log', path.join(tmp, 'requests.jsonl'), '--fault-seed', '7']);
  servers.push(A);
  assert.match(A.stdout(), /^LISTENING \d+\n$/);
});

test('GET /metadata lists transaction, conditional update, identifier search, paging params', async () => {
  const r = await get(`${A.base}/metadata`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/fhir\+json/);
  const rest = r.body.rest[0];
  assert.ok(rest.interaction.some((i) => i.code === 'transaction'));
  for (const type of ['Patient', 'CarePlan', 'Task', 'Practitioner']) {
    const res = rest.resource.find((x) => x.type === type);
    assert.equal(res.conditionalUpdate, true, type);
    const names = res.searchParam.map((p) => p.name);
    for (const n of ['identifier', '_lastUpdated', '_count']) assert.ok(names.includes(n), `${type} ${n}`);
  }
});

test('create Patient with NHS number, then search by identifier', async () => {
  const ref = await createPatient('9000000009');
  const r = await get(`${A.base}/Patient?identifier=${NHS}|9000000009`);
  assert.equal(r.status, 200);
  assert.equal(r.body.total, 1);
  assert.equal(`Patient/${r.body.entry[0].resource.id}`, ref);
  const read = await get(`${A.base}/${ref}`);
  assert.equal(read.headers.etag, 'W/"1"');
});

test('transaction with conditional PUT Task?identifier twice -> still one Task', async () => {
  const pat = await createPatient('9000000017');
  const r1 = await post(A.base, planTx('P1', 'T1', 'requested', pat));
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.body.type, 'transaction-response');
  for (const e of r1.body.entry) {
    assert.match(e.response.status, /^201/);
    assert.match(e.response.location, /^(Task|CarePlan)\/[^/]+\/_history\/1$/);
    assert.equal(e.response.etag, 'W/"1"');
  }
  const r2 = await post(A.base, planTx('P1', 'T1', 'in-progress', pat));
  assert.equal(r2.status, 200, r2.text);
  assert.match(r2.body.entry[0].response.status, /^200/);
  assert.equal(r2.body.entry[0].response.etag, 'W/"2"');
  const tasks = await get(`${A.base}/Task?identifier=${TASK_SYS}|T1`);
  assert.equal(tasks.body.total, 1);
  assert.equal(tasks.body.entry[0].resource.status, 'in-progress');
  const plan = (await get(`${A.base}/CarePlan?identifier=${PLAN_SYS}|P1`)).body.entry[0].resource;
  assert.equal(plan.activity[0].reference.reference, `Task/${tasks.body.entry[0].resource.id}`);
  assert.equal(tasks.body.entry[0].resource.basedOn[0].reference, `CarePlan/${plan.id}`);
});

test('invalid Task (status "bogus") -> 400 OperationOutcome', async () => {
  const pat = await createPatient('9000000025');
  const r = await post(`${A.base}/Task`, task('T-bad', 'bogus', pat));
  assert.equal(r.status, 400);
  assert.equal(r.body.resourceType, 'OperationOutcome');
  const iss = r.body.issue[0];
  assert.equal(iss.severity, 'error');
  assert.equal(iss.code, 'invalid');
  assert.ok(iss.diagnostics.includes('bogus'));
  assert.deepEqual(iss.expression, ['Task.status']);
  const missing = await post(`${A.base}/CarePlan`, { resourceType: 'CarePlan', subject: { reference: pat } });
  assert.equal(missing.status, 400);
  assert.ok(missing.body.issue.some((i) => i.code === 'required' && i.expression[0] === 'CarePlan.status'));
  const intent = await post(`${A.base}/CarePlan`, { resourceType: 'CarePlan', status: 'active', intent: 'directive', subject: { reference: pat } });
  assert.equal(intent.status, 400, 'CarePlan.intent "directive" is not in care-plan-intent');
});

test('transaction rollback: valid Patient + invalid Task leaves no Patient', async () => {
  const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [
    { fullUrl: 'urn:uuid:8d4f7f3e-5b0b-4d43-9d7a-0c1e2f3a4b5c', resource: patient('9000000033'),
      request: { method: 'POST', url: 'Patient' } },
    { resource: task('T-rollback', 'bogus', 'urn:uuid:8d4f7f3e-5b0b-4d43-9d7a-0c1e2f3a4b5c'),
      request: { method: 'PUT', url: `Task?identifier=${TASK_SYS}|T-rollback` } },
  ] };
  const r = await post(A.base, bundle);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.resourceType, 'OperationOutcome');
  assert.ok(r.body.issue[0].expression.includes('Bundle.entry[1].resource.status'), JSON.stringify(r.body));
  assert.equal((await get(`${A.base}/Patient?identifier=${NHS}|9000000033`)).body.total, 0);
  assert.equal((await get(`${A.base}/Task?identifier=${TASK_SYS}|T-rollback`)).body.total, 0);
});

test('unknown search parameter -> 400 (lenient allowed); misspelt conditional update creates nothing', async () => {
  assert.equal((await get(`${A.base}/Patient?identifer=${NHS}|9000000009`)).status, 400);
  const lenient = await get(`${A.base}/Patient?identifer=x`, { headers: { Prefer: 'handling=lenient' } });
  assert.equal(lenient.status, 200);
  const pat = await createPatient('9000000041');
  const before = (await get(`${A.base}/Task?_count=0&_summary=count`)).body.total;
  const r = await put(`${A.base}/Task?identifer=${TASK_SYS}|T1`, task('T1', 'requested', pat));
  assert.equal(r.status, 400);
  assert.equal((await get(`${A.base}/Task?_summary=count`)).body.total, before);
});

test('If-Match: unquoted or wrong version -> 412; W/"n" and "n" honoured', async () => {
  const ref = await createPatient('9000000058');
  const cur = (await get(`${A.base}/${ref}`)).body;
  const upd = (gender) => ({ ...cur, gender });
  assert.equal((await put(`${A.base}/${ref}`, upd('male'), { headers: { 'If-Match': '1' } })).status, 412);
  assert.equal((await put(`${A.base}/${ref}`, upd('male'), { headers: { 'If-Match': '2' } })).status, 412);
  assert.equal((await put(`${A.base}/${ref}`, upd('male'), { headers: { 'If-Match': 'W/"9"' } })).status, 412);
  const ok1 = await put(`${A.base}/${ref}`, upd('male'), { headers: { 'If-Match': 'W/"1"' } });
  assert.equal(ok1.status, 200, ok1.text);
  assert.equal(ok1.headers.etag, 'W/"2"');
  const ok2 = await put(`${A.base}/${ref}`, upd('female'), { headers: { 'If-Match': '"2"' } });
  assert.equal(ok2.status, 200, ok2.text);
  assert.equal(ok2.body.meta.versionId, '3');
});

test('conditional update matching >1 -> 412; paging with next links', async () => {
  const pr = { resourceType: 'Practitioner', identifier: [{ system: STAFF_SYS, value: 'DUP' }] };
  for (let i = 0; i < 5; i++) assert.equal((await post(`${A.base}/Practitioner`, pr)).status, 201);
  assert.equal((await put(`${A.base}/Practitioner?identifier=${STAFF_SYS}|DUP`, pr)).status, 412);
  const p1 = await get(`${A.base}/Practitioner?identifier=${STAFF_SYS}|DUP&_count=2`);
  assert.equal(p1.body.total, 5);
  assert.equal(p1.body.entry.length, 2);
  const next = p1.body.link.find((l) => l.relation === 'next');
  assert.ok(next, 'next link');
  const p2 = await get(next.url);
  assert.equal(p2.body.entry.length, 2);
  assert.ok(!ids(p2.body).some((id) => ids(p1.body).includes(id)));
  const p3 = await get(p2.body.link.find((l) => l.relation === 'next').url);
  assert.equal(p3.body.entry.length, 1);
  assert.ok(!p3.body.link.some((l) => l.relation === 'next'));
});

test('literal reference to a missing resource -> 400', async () => {
  const r = await post(`${A.base}/Task`, { ...task('T-ref', 'requested', 'Patient/does-not-exist') });
  assert.equal(r.status, 400);
  assert.ok(r.body.issue[0].diagnostics.includes('Patient/does-not-exist'));
});

test('fault injection: 100% 500, 429 with Retry-After, hang, commit-500', async () => {
  const pat = await createPatient('9000000066');
  await admin('POST', 'faults', { fault500: 1 });
  const r500 = await post(`${A.base}/Task`, task('T-f', 'requested', pat));
  assert.equal(r500.status, 500);
  assert.equal((await get(`${A.base}/${pat}`)).status, 200, 'reads are not in the default scope');
  await admin('POST', 'faults', { fault500: 0, fault429: 1, retryAfter: 3 });
  const r429 = await post(`${A.base}/Task`, task('T-f', 'requested', pat));
  assert.equal(r429.status, 429);
  assert.equal(r429.headers['retry-after'], '3');
  await admin('POST', 'faults', { fault429: 0, queue: ['hang', 'commit-500'], hangMs: 0 });
  await assert.rejects(post(`${A.base}/Task`, task('T-f', 'requested', pat), { timeoutMs: 400 }), /client timeout/);
  const c500 = await put(`${A.base}/Task?identifier=${TASK_SYS}|T-f`, task('T-f', 'requested', pat));
  assert.equal(c500.status, 500);
  assert.equal((await get(`${A.base}/Task?identifier=${TASK_SYS}|T-f`)).body.total, 1, 'commit-500 committed');
  const log = (await admin('GET', 'requests')).body;
  assert.ok(log.some((e) => e.hang === true && e.status === null));
  const f = (await admin('GET', 'faults')).body;
  assert.deepEqual([f.counts['500'], f.counts['429'], f.counts.hang, f.counts['commit-500']], [1, 1, 1, 1]);
});

test('fault PRNG is reproducible with a seed', async () => {
  const seq = (seed) => {
    const f = new Faults({ fault500: 0.3, fault429: 0.3, faultSeed: seed });
    return Array.from({ length: 50 }, () => f.decide('write')).join(',');
  };
  assert.equal(seq(42), seq(42));
  assert.notEqual(seq(42), seq(43));
  assert.ok(seq(42).includes('500') && seq(42).includes('429') && seq(42).includes('ok'));
});

test('request log holds the raw body, headers and full URL (memory and JSONL file)', async () => {
  const marker = `LEAK-CHECK-${crypto.randomUUID()}`;
  const raw = `{ "resourceType" : "Patient",\n  "name": [ { "family": "${marker}" } ] }`;
  const r = await request('POST', `${A.base}/Patient?_pretty=true&marker=${marker}`, {
    body: raw, headers: { 'Content-Type': 'application/fhir+json', 'X-Trace': marker },
  });
  assert.equal(r.status, 201, r.text);
  const log = (await admin('GET', 'requests')).body;
  const e = log.find((x) => x.body === raw);
  assert.ok(e, 'body logged verbatim');
  assert.equal(e.headers['x-trace'], marker);
  assert.equal(e.url, `/fhir/R4/Patient?_pretty=true&marker=${marker}`);
  assert.ok(e.fullUrl.endsWith(e.url));
  assert.equal(e.status, 201);
  const lines = fs.readFileSync(path.join(tmp, 'requests.jsonl'), 'utf8').trim().split('\n').map(JSON.parse);
  assert.ok(lines.some((l) => l.body === raw && l.status === 201));
});

test('/$admin/reset clears data and log', async () => {
  assert.equal((await admin('POST', 'reset')).status, 200);
  assert.equal((await get(`${A.base}/Patient?_summary=count`)).body.total, 0);
  const log = (await admin('GET', 'requests')).body;
  assert.equal(log.length, 1, 'only the search just made');
});

test('SIGTERM shuts the server down cleanly', async () => {
  assert.equal(await A.stop(), 0);
});

// ---- SMART Backend Services -------------------------------------------------------------
const keys = {
  rs: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  es: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  nhs: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  other: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
let tokenUrl;
const getToken = (form) => request('POST', tokenUrl, {
  body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});
const rsAssertion = (over = {}) => assertion({
  clientId: 'rs-client', aud: tokenUrl, alg: 'RS384', kid: 'rs-1', key: keys.rs.privateKey, ...over,
});

test('start auth server from a --config file (clients: PEM RS384, JWKS ES384, PEM RS512)', async () => {
  fs.writeFileSync(path.join(tmp, 'rs.pem'), keys.rs.publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(path.join(tmp, 'nhs.pem'), keys.nhs.publicKey.export({ type: 'spki', format: 'pem' }));
  const jwk = { ...keys.es.publicKey.export({ format: 'jwk' }), kid: 'es-1', alg: 'ES384', use: 'sig' };
  fs.writeFileSync(path.join(tmp, 'es.jwks.json'), JSON.stringify({ keys: [jwk] }));
  fs.writeFileSync(path.join(tmp, 'auth.json'), JSON.stringify({
    requireAuth: true, tokenTtl: 2, staticTokens: ['static-secret-token'],
    clients: [
      { clientId: 'rs-client', publicKeyFile: 'rs.pem', algs: ['RS384'] },
      { clientId: 'es-client', jwksFile: 'es.jwks.json' },
      { clientId: 'nhs-client', publicKeyFile: 'nhs.pem', kid: 'nhs-kid-1', algs: ['RS512'] },
    ],
  }));
  B = await startServer(['--config', path.join(tmp, 'auth.json')]);
  servers.push(B);
  tokenUrl = `${B.root}/auth/token`;
});

test('no token -> 401 with WWW-Authenticate; metadata stays open', async () => {
  const r = await get(`${B.base}/Patient`);
  assert.equal(r.status, 401);
  assert.match(r.headers['www-authenticate'], /^Bearer /);
  const bad = await get(`${B.base}/Patient`, { headers: { Authorization: 'Bearer nope' } });
  assert.equal(bad.status, 401);
  assert.match(bad.headers['www-authenticate'], /error="invalid_token"/);
  assert.equal((await get(`${B.base}/metadata`)).status, 200);
  assert.equal((await get(`${B.base}/Patient`, { headers: { Authorization: 'Bearer static-secret-token' } })).status, 200);
});

test('valid RS384, ES384 and RS512 assertions get tokens that work', async () => {
  const r = await getToken(tokenForm({ client_assertion: rsAssertion() }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.token_type, 'bearer');
  assert.equal(r.body.expires_in, 2);
  assert.equal((await get(`${B.base}/Patient`, { headers: { Authorization: `Bearer ${r.body.access_token}` } })).status, 200);
  const es = assertion({ clientId: 'es-client', aud: tokenUrl, alg: 'ES384', kid: 'es-1', key: keys.es.privateKey });
  assert.equal(Buffer.from(es.split('.')[2], 'base64url').length, 96, 'raw r||s');
  const r2 = await getToken(tokenForm({ client_assertion: es }));
  assert.equal(r2.status, 200, r2.text);
  const nhs = assertion({ clientId: 'nhs-client', aud: tokenUrl, alg: 'RS512', kid: 'nhs-kid-1', key: keys.nhs.privateKey });
  const r3 = await getToken(tokenForm({ client_assertion: nhs }));
  assert.equal(r3.status, 200, r3.text);
});

test('token endpoint refuses wrong aud, expired, too-long exp, replayed jti, bad/DER signature, no kid', async () => {
  const refused = async (jwt, what) => {
    const r = await getToken(tokenForm({ client_assertion: jwt }));
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    assert.equal(r.body.error, 'invalid_client', what);
    return r.body.error_description;
  };
  const now = Math.floor(Date.now() / 1000);
  await refused(rsAssertion({ aud: `${B.base}/auth/token` }), 'wrong aud');
  assert.match(await refused(rsAssertion({ exp: now - 5 }), 'expired'), /expired/);
  await refused(rsAssertion({ exp: now + 600 }), 'exp > 5 min');
  await refused(rsAssertion({ key: keys.other.privateKey }), 'bad signature');
  await refused(rsAssertion({ omitKid: true }), 'no kid');
  const esDer = assertion({ clientId: 'es-client', aud: tokenUrl, alg: 'ES384', kid: 'es-1', key: keys.es.privateKey, der: true });
  assert.match(await refused(esDer, 'ES384 DER signature'), /raw r\|\|s/);
  await refused(rsAssertion({ sub: 'someone-else' }), 'sub != iss');
  const jti = crypto.randomUUID();
  assert.equal((await getToken(tokenForm({ client_assertion: rsAssertion({ jti }) }))).status, 200);
  assert.match(await refused(rsAssertion({ jti }), 'replay'), /replay/);
  const grant = await getToken(tokenForm({ grant_type: 'password', client_assertion: rsAssertion() }));
  assert.equal(grant.body.error, 'unsupported_grant_type');
});

test('expired access token -> 401', async () => {
  const r = await getToken(tokenForm({ client_assertion: rsAssertion() }));
  const auth = { Authorization: `Bearer ${r.body.access_token}` };
  assert.equal((await get(`${B.base}/Patient`, { headers: auth })).status, 200);
  await new Promise((res) => setTimeout(res, 2300));
  const late = await get(`${B.base}/Patient`, { headers: auth });
  assert.equal(late.status, 401);
  assert.match(late.headers['www-authenticate'], /expired/);
});

// ---- TLS ----------------------------------------------------------------------------------
if (hasOpenssl()) {
  let certs;
  test('TLS with a self-signed CA (https) and mTLS (client certificate required)', async () => {
    certs = makeCertificates(fs.mkdtempSync(path.join(tmp, 'tls-')));
    const tlsArgs = ['--tls-cert', certs.serverCert, '--tls-key', certs.serverKey];
    const C = await startServer(tlsArgs, { scheme: 'https' });
    servers.push(C);
    const r = await get(`${C.base}/metadata`, { tls: { ca: certs.ca } });
    assert.equal(r.status, 200);
    await assert.rejects(get(`${C.base}/metadata`), /self[- ]signed|unable to verify|certificate/i);
    const D = await startServer([...tlsArgs, '--tls-client-ca', certs.caFile], { scheme: 'https' });
    servers.push(D);
    await assert.rejects(get(`${D.base}/metadata`, { tls: { ca: certs.ca } }));
    const m = await get(`${D.base}/metadata`, { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    assert.equal(m.status, 200);
    const log = (await get(`${D.root}/$admin/requests`, { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } })).body;
    assert.equal(log[log.length - 1].tls.clientCertSubject.CN, 'adapter-client');
  });
} else {
  skip('TLS and mTLS', 'openssl CLI not found');
}

(async () => {
  const started = Date.now();
  let results;
  try {
    results = await run();
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\nselftest finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
  process.exit(results.failed ? 1 : 0);
})();
