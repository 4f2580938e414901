'use strict';
// Options: defaults < --config file.json < FHIRSRV_* environment variables < command-line flags.

const fs = require('fs');
const path = require('path');

// [flag, type, default, help]
const SPEC = [
  ['config', 'path', undefined, 'JSON config file; keys are the camelCase flag names (plus "clients")'],
  ['port', 'int', 0, 'TCP port on 127.0.0.1 (0 = pick a free port)'],
  ['port-file', 'path', undefined, 'also write the chosen port to this file'],
  ['request-log', 'path', undefined, 'append every request (JSON line) to this file'],
  ['max-log-entries', 'int', 100000, 'in-memory request log size (oldest dropped)'],
  ['page-size', 'int', 20, 'default search page size (_count)'],
  ['max-page-size', 'int', 1000, 'largest _count honoured'],
  ['max-body-bytes', 'int', 20 * 1024 * 1024, 'larger request bodies get 413'],
  ['max-bundle-entries', 'int', 1000, 'larger transaction/batch Bundles get 400'],
  ['check-references', 'bool', true, 'literal references must resolve (use --no-check-references to turn off)'],
  ['lenient-if-match', 'bool', false, 'accept an unquoted If-Match version when it matches'],
  ['fault-500', 'num', 0, 'share (0..1) of in-scope requests answered 500 without processing'],
  ['fault-429', 'num', 0, 'share answered 429 with Retry-After'],
  ['fault-hang', 'num', 0, 'share left hanging (see --hang-ms)'],
  ['fault-commit-500', 'num', 0, 'share processed (committed) but answered 500'],
  ['retry-after', 'int', 1, 'Retry-After seconds on injected 429'],
  ['hang-ms', 'int', 0, '0 = hanging requests are never answered; N = processed and answered after N ms'],
  ['latency-ms', 'int', 0, 'delay added before every in-scope request'],
  ['fault-seed', 'int', 1, 'PRNG seed for fault decisions'],
  ['fault-scope', 'str', 'writes', 'writes | fhir | all (all includes POST /auth/token)'],
  ['require-auth', 'bool', false, 'every /fhir request needs a bearer token'],
  ['static-token', 'list', [], 'accepted bearer token (repeatable); implies --require-auth'],
  ['token-ttl', 'int', 300, 'expires_in (seconds) of issued access tokens'],
  ['client', 'list', [], 'CLIENT_ID=KEYFILE (PEM public key/certificate or JWKS JSON); repeatable'],
  ['token-url', 'str', undefined, 'the only accepted assertion aud (default: this server\'s /auth/token URL)'],
  ['enforce-scopes', 'bool', false, 'check token scopes (system/Type.read|write|cruds) against each request'],
  ['tls-cert', 'path', undefined, 'PEM certificate: serve HTTPS'],
  ['tls-key', 'path', undefined, 'PEM private key for --tls-cert'],
  ['tls-client-ca', 'path', undefined, 'PEM CA: require client certificates signed by it (mTLS)'],
  ['help', 'bool', false, 'print this help'],
];

const camel = (flag) => flag.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const envName = (flag) => `FHIRSRV_${flag.toUpperCase().replace(/-/g, '_')}`;
const BY_FLAG = new Map(SPEC.map((s) => [s[0], s]));
const BY_KEY = new Map(SPEC.map((s) => [camel(s[0]), s]));

function convert(flag, type, raw, baseDir) {
  switch (type) {
    case 'int': case 'num': {
      const n = Number(raw);
      if (raw === '' || raw === null || !Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) {
        throw new Error(`--${flag} needs a ${type === 'int' ? 'whole number' : 'number'}, got ${JSON.stringify(raw)}`);
      }
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (/^(1|true|yes|on)$/i.test(String(raw))) return true;
      if (/^(0|false|no|off)$/i.test(String(raw))) return false;
      throw new Error(`--${flag} needs true/false, got ${JSON.stringify(raw)}`);
    case 'path':
      return path.resolve(baseDir || '.', String(raw));
    case 'list':
      return Array.isArray(raw) ? raw.map(String) : String(raw).split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return String(raw);
  }
}

function usage() {
  const lines = ['Usage: node server.js [options]', ''];
  for (const [flag, type, def, help] of SPEC) {
    const arg = type === 'bool' ? '' : ` <${type}>`;
    const d = def === undefined || (Array.isArray(def) && !def.length) ? '' : ` (default ${JSON.stringify(def)})`;
    lines.push(`  --${flag}${arg}`.padEnd(30) + help + d);
  }
  lines.push('', 'Every flag can also be set as environment variable FHIRSRV_<FLAG> (e.g. FHIRSRV_FAULT_500=0.2)');
  lines.push('or as a camelCase key in the --config JSON file (e.g. "fault500": 0.2).');
  return lines.join('\n');
}

function parseArgv(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    let [flag, value] = a.slice(2).split(/=(.*)/s);
    let negated = false;
    if (!BY_FLAG.has(flag) && flag.startsWith('no-') && BY_FLAG.get(flag.slice(3))?.[1] === 'bool') {
      flag = flag.slice(3);
      negated = true;
    }
    const spec = BY_FLAG.get(flag);
    if (!spec) throw new Error(`unknown option --${flag}\n\n${usage()}`);
    const type = spec[1];
    if (type === 'bool') {
      out[camel(flag)] = negated ? false : value === undefined ? true : convert(flag, type, value);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`--${flag} needs a value`);
      value = argv[++i];
    }
    const v = convert(flag, type, value, process.cwd());
    out[camel(flag)] = type === 'list' ? (out[camel(flag)] || []).concat(v) : v;
  }
  return out;
}

function parseEnv(env) {
  const out = {};
  for (const [flag, type] of SPEC) {
    const v = env[envName(flag)];
    if (v !== undefined && v !== '') out[camel(flag)] = convert(flag, type, v, process.cwd());
  }
  return out;
}

function parseConfigFile(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const dir = path.dirname(file);
  const out = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'clients') {
      if (!Array.isArray(value)) throw new Error('config "clients" must be an array');
      out.clients = value.map((c) => {
        const copy = { ...c };
        for (const k of ['publicKeyFile', 'jwksFile', 'keyFile']) if (copy[k]) copy[k] = path.resolve(dir, copy[k]);
        return copy;
      });
      continue;
    }
    if (key === 'staticTokens') { out.staticToken = convert('static-token', 'list', value); continue; }
    if (key.startsWith('$') || key === 'comment') continue;
    const spec = BY_KEY.get(key);
    if (!spec || key === 'config') throw new Error(`unknown key "${key}" in config file ${file}`);
    out[key] = convert(spec[0], spec[1], value, dir);
  }
  return out;
}

function loadOptions(argv = process.argv.slice(2), env = process.env) {
  const defaults = {};
  for (const [flag, , def] of SPEC) defaults[camel(flag)] = def;
  const cli = parseArgv(argv);
  const fromEnv = parseEnv(env);
  const configFile = cli.config || fromEnv.config;
  const fromFile = configFile ? parseConfigFile(configFile) : {};
  const opts = { ...defaults, clients: [], ...fromFile, ...fromEnv, ...cli };
  // Lists from several sources are added together.
  opts.staticToken = [...(fromFile.staticToken || []), ...(fromEnv.staticToken || []), ...(cli.staticToken || [])];
  const clientFlags = [...(fromFile.client || []), ...(fromEnv.client || []), ...(cli.client || [])];
  for (const c of clientFlags) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new Error(`--client needs CLIENT_ID=KEYFILE, got ${c}`);
    opts.clients.push({ clientId: c.slice(0, eq), publicKeyFile: path.resolve(c.slice(eq + 1)) });
  }
  if (opts.staticToken.length) opts.requireAuth = true;
  if ((opts.tlsCert && !opts.tlsKey) || (!opts.tlsCert && opts.tlsKey)) throw new Error('--tls-cert and --tls-key go together');
  if (opts.tlsClientCa && !opts.tlsCert) throw new Error('--tls-client-ca needs --tls-cert/--tls-key');
  return opts;
}

module.exports = { loadOptions, usage, SPEC };
