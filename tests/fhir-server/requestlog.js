'use strict';
// Request log: every non-admin request with method, URL (as received, query string included),
// all headers, the raw body text exactly as received, and the status answered.
// Kept in memory (GET /$admin/requests) and, with --request-log FILE, appended as JSON lines.
// A line is written to the file BEFORE the response is sent, so a client that got its answer
// can read its own request from the file. Requests left hanging are written when they start
// hanging, with "status": null and "hang": true.

const fs = require('fs');

class RequestLog {
  constructor({ file, max = 100000 } = {}) {
    this.file = file;
    this.max = max;
    this.entries = [];
    this.seq = 0;
  }

  start(req, buf, fullUrl) {
    const text = buf.toString('utf8');
    const entry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method: req.method,
      url: req.url,
      fullUrl,
      httpVersion: req.httpVersion,
      headers: { ...req.headers },
      rawHeaders: [...req.rawHeaders],
      body: text,
      remoteAddress: req.socket && req.socket.remoteAddress,
      status: null,
    };
    // Non-UTF-8 bodies cannot round-trip through a JS string: keep the exact bytes too.
    if (!Buffer.from(text, 'utf8').equals(buf)) entry.bodyBase64 = buf.toString('base64');
    const sock = req.socket;
    if (sock && typeof sock.getPeerCertificate === 'function') {
      const cert = sock.getPeerCertificate();
      entry.tls = { authorized: sock.authorized, clientCertSubject: cert && cert.subject ? cert.subject : undefined };
    }
    entry._startMs = Date.now();
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  finish(entry, status) {
    if (!entry) return;
    entry.status = status;
    entry.durationMs = Date.now() - entry._startMs;
    this.append(entry);
  }

  hang(entry) {
    entry.hang = true;
    this.append(entry);
  }

  append(entry) {
    if (this.file) fs.appendFileSync(this.file, `${JSON.stringify(this.serialize(entry))}\n`);
  }

  serialize(entry) {
    const { _startMs, ...rest } = entry;
    return rest;
  }

  list(since = 0) {
    return this.entries.filter((e) => e.seq > since).map((e) => this.serialize(e));
  }

  count() {
    return this.entries.length;
  }

  clear() {
    this.entries = [];
  }
}

module.exports = { RequestLog };
