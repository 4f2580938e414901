'use strict';
// Helpers for selftest.js: start the server as a child process, HTTP(S) requests, JWTs,
// certificates, and a tiny test runner (no framework dependency).

const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');

const SERVER = path.join(__dirname, 'server.js');

// Starts server.js with the given flags; resolves { port, base, proc, stop(), stderr() }.
function startServer(args, { env = {}, scheme = 'http', timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SERVER, '--port', '0', ...args], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start: ${err}`)); }, timeoutMs);
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${err}`)); });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^LISTENING (\d+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      const port = Number(m[1]);
      resolve({
        port, proc, stdout: () => out, stderr: () => err,
        root: `${scheme}://127.0.0.1:${port}`,
        base: `${scheme}://127.0.0.1:${port}/fhir/R4`,
        stop: () => new Promise((res) => {
          if (proc.exitCode !== null) return res(proc.exitCode);
          proc.once('exit', (code, signal) => res(code === null ? signal : code));
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}

// request('GET', url, { headers, body, json, tls: { ca, cert, key }, timeoutMs })
function request(method, url, opts = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers = { ...(opts.headers || {}) };
    let payload;
    if (opts.json !== undefined) {
      payload = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/fhir+json';
    } else if (opts.body !== undefined) {
      payload = opts.body;
    }
    if (payload !== undefined) headers['Content-Length'] = Buffer.byteLength(payload);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method, headers, agent: false, ...(opts.tls || {}) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body;
        try { body = text ? JSON.parse(text) : undefined; } catch (e) { body = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    if (opts.timeoutMs) {
      req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'TIMEOUT' })));
    }
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const HASH = { RS384: 'sha384', RS512: 'sha512', ES384: 'sha384' };

// ES* signatures are raw r||s (ieee-p1363) as JWS requires; der=true makes the common DER mistake.
function signJwt(header, claims, privateKey, der = false) {
  const data = `${b64url(header)}.${b64url(claims)}`;
  const key = header.alg.startsWith('ES') && !der ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
  const sig = crypto.sign(HASH[header.alg], Buffer.from(data), key);
  return `${data}.${sig.toString('base64url')}`;
}

function assertion({ clientId, aud, alg, kid, key, exp, jti, sub, omitKid, der }) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, typ: 'JWT' };
  if (!omitKid) header.kid = kid;
  return signJwt(header, {
    iss: clientId, sub: sub || clientId, aud, exp: exp === undefined ? now + 240 : exp,
    jti: jti || crypto.randomUUID(), iat: now,
  }, key, der);
}

function tokenForm(fields) {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    scope: 'system/Patient.read system/Task.cu',
    ...fields,
  }).toString();
}

function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return false;
  }
}

// Creates a CA, a server certificate for 127.0.0.1/localhost and a client certificate (openssl CLI).
function makeCertificates(dir) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const p = (f) => path.join(dir, f);
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'),
    '-days', '2', '-subj', '/CN=fhir-test-ca']);
  fs.writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'adapter-client']]) {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
    run(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-out', p(`${name}.pem`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  }
  const read = (f) => fs.readFileSync(p(f));
  return {
    dir, caFile: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'),
    ca: read('ca.pem'), clientCert: read('client.pem'), clientKey: read('client.key'),
  };
}

function createRunner() {
  const tests = [];
  const results = { passed: 0, failed: 0, skipped: 0 };
  return {
    test: (name, fn) => tests.push({ name, fn }),
    skip: (name, why) => tests.push({ name, skip: why }),
    async run() {
      for (const t of tests) {
        if (t.skip) {
          results.skipped++;
          console.log(`skip - ${t.name} (${t.skip})`);
          continue;
        }
        const started = Date.now();
        try {
          await t.fn();
          results.passed++;
          console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
        } catch (err) {
          results.failed++;
          console.log(`not ok - ${t.name}\n    ${String(err && err.stack ? err.stack : err).replace(/\n/g, '\n    ')}`);
        }
      }
      return results;
    },
  };
}

module.exports = {
  startServer, request, signJwt, assertion, tokenForm, hasOpenssl, makeCertificates, createRunner,
};
