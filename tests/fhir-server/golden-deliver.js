'use strict';
// Integration: the adapter's golden mapped Bundles (tests/golden/*.bundle.json,
// produced by mappings/fhir_plan_test.cc) against the bundled FHIR server.
// Each Bundle must be accepted as valid, and posting it a second time must
// leave exactly one CarePlan per case and one Task per action (idempotent
// conditional writes). The request log must hold every Task description.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { startServer } = require('./selftest-lib');

const GOLDEN = path.join(__dirname, '..', 'golden');

function withFreshUuids(text) {
  const map = new Map();
  return text.replace(/urn:uuid:ENTRY-\d+/g, (m) => {
    if (!map.has(m)) map.set(m, `urn:uuid:${crypto.randomUUID()}`);
    return map.get(m);
  });
}

async function call(base, method, url, body) {
  const res = await fetch(base + url, {
    method,
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function main() {
  const server = await startServer([]);
  let failed = 0;
  const check = (ok, what) => { console.log(`${ok ? 'ok' : 'not ok'} - ${what}`); if (!ok) failed++; };
  try {
    const patient = { resourceType: 'Patient', id: 'pat-1',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }] };
    check((await call(server.base, 'PUT', '/Patient/pat-1', patient)).status < 300, 'patient stored');
    const files = fs.readdirSync(GOLDEN).filter((f) => f.endsWith('.bundle.json')).sort();
    check(files.length >= 4, `${files.length} golden bundles found`);
    let expectedTasks = 0;
    const descriptions = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(GOLDEN, f), 'utf8');
      const tasks = JSON.parse(text).entry.filter((e) => e.resource.resourceType === 'Task');
      expectedTasks += tasks.length;
      tasks.forEach((t) => descriptions.push(t.resource.description));
      for (const round of [1, 2]) {
        const r = await call(server.base, 'POST', '', JSON.parse(withFreshUuids(text)));
        check(r.status === 200 && r.body.type === 'transaction-response',
          `${f} round ${round}: accepted (${r.status}${r.status === 200 ? '' : ' ' + JSON.stringify(r.body).slice(0, 300)})`);
      }
    }
    const plans = await call(server.base, 'GET', '/CarePlan?_count=200');
    const tasks = await call(server.base, 'GET', '/Task?_count=500');
    check((plans.body.entry || []).length === files.length, `one CarePlan per case after replay (${(plans.body.entry || []).length})`);
    check((tasks.body.entry || []).length === expectedTasks, `one Task per action after replay (${(tasks.body.entry || []).length}/${expectedTasks})`);
    const prov = await call(server.base, 'GET', '/Provenance?_count=200');
    check((prov.body.entry || []).length === files.length, `one Provenance per plan version after replay (${(prov.body.entry || []).length})`);
    const log = await (await fetch(`${server.root}/$admin/requests`)).json();
    const wire = JSON.stringify(log);
    check(descriptions.every((d) => wire.includes(JSON.stringify(d).slice(1, -1))), 'every action what is in the request log');
  } finally {
    await server.stop();
  }
  console.log(failed ? `${failed} failed` : 'all passed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
