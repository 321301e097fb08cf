#!/usr/bin/env node
// Foreign WebSocket peer for wsdeck's interop tests (npm package `ws`).
//
// Usage: node node_server.js [--port 0]
//
// Binds 127.0.0.1 only, prints exactly one line `LISTENING <port>` on stdout
// once ready, then serves until SIGTERM/SIGINT, which closes live connections
// with 1001 (going away) and exits 0.
//
// Endpoints (kept identical to python_server.py):
//
//   /echo                       echo text as text, binary as binary
//   /headers                    one text message: JSON object of the handshake
//                               request headers (lowercase names, duplicates
//                               joined with ", "), then echo
//   /auth                       needs "Authorization: Bearer wsdeck", else HTTP
//                               401 with a plain-text body; then echo
//   /close?code=4001&reason=bye close with that code/reason right after open
//                               (defaults: 1000, "")
//   /redirect?to=/echo          HTTP 302 with "Location: <to>" (default /echo)
//   /ping?count=3&payload=hi    send <count> pings 50 ms apart, then echo
//                               (defaults: 1, empty payload)
//   /big?size=N                 one binary message of N bytes (byte i is
//                               i % 256), then echo (0 <= N <= 64 MiB)
//   /status?code=500            reject the upgrade with that status (200..599)
//                               and a plain-text body
//   anything else               HTTP 404
//
// Every endpoint: subprotocols ["chat", "superchat", "graphql-ws"], picking the
// first one the client offers that the server supports (none offered or none
// supported: no subprotocol, the connection is still accepted). Pings are
// answered automatically (ws autoPong). Max message size 64 MiB.
// permessage-deflate stays at the library default (off for a ws server).
// Bad query parameters give HTTP 400. Plain HTTP (no upgrade) gives 426.
'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');

const MAX_SIZE = 64 * 1024 * 1024;
const SUBPROTOCOLS = ['chat', 'superchat', 'graphql-ws'];
const AUTH_VALUE = 'Bearer wsdeck';
const ENDPOINTS = new Set(['/echo', '/headers', '/auth', '/close', '/redirect', '/ping', '/big', '/status']);

class BadRequest extends Error {}

function parseArgs(argv) {
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') {
      port = Number(argv[++i]);
    } else if (arg.startsWith('--port=')) {
      port = Number(arg.slice('--port='.length));
    } else {
      process.stderr.write(`usage: node node_server.js [--port N]\nunknown argument: ${arg}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('node_server: --port must be an integer in 0..65535\n');
    process.exit(2);
  }
  return { port };
}

function isSendableCloseCode(code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function intParam(query, name, dflt, lo, hi) {
  const raw = query.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new BadRequest(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const value = Number.parseInt(raw, 10);
  if (value < lo || value > hi) throw new BadRequest(`${name} must be in ${lo}..${hi}, got ${value}`);
  return value;
}

// Validate query parameters before the upgrade so errors become HTTP 400.
function checkParams(path, query) {
  if (path === '/close') {
    const code = intParam(query, 'code', 1000, 1000, 4999);
    if (!isSendableCloseCode(code)) throw new BadRequest(`close code ${code} cannot be sent in a close frame`);
    if (Buffer.byteLength(query.get('reason') ?? '') > 123) throw new BadRequest('reason longer than 123 bytes');
  } else if (path === '/ping') {
    intParam(query, 'count', 1, 0, 1000);
    if (Buffer.byteLength(query.get('payload') ?? '') > 125) throw new BadRequest('ping payload longer than 125 bytes');
  } else if (path === '/big') {
    intParam(query, 'size', 0, 0, MAX_SIZE);
  } else if (path === '/redirect') {
    if (/[\r\n]/.test(query.get('to') ?? '')) throw new BadRequest('to must not contain CR or LF');
  }
}

// Write a raw plain-text HTTP response on the upgrade socket and close it.
function rejectUpgrade(socket, status, body, extra = {}) {
  const headers = {
    Date: new Date().toUTCString(),
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  };
  const head =
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] || 'Status'}\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  socket.end(head + body);
}

function headersJson(rawHeaders) {
  const out = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    out[key] = Object.prototype.hasOwnProperty.call(out, key) ? `${out[key]}, ${value}` : value;
  }
  const sorted = {};
  for (const key of Object.keys(out).sort()) sorted[key] = out[key];
  return JSON.stringify(sorted);
}

function bigPayload(size) {
  const buf = Buffer.allocUnsafe(size);
  if (size > 0) {
    const pattern = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) pattern[i] = i;
    buf.fill(pattern);
  }
  return buf;
}

function parseTarget(req) {
  const url = new URL(req.url, 'http://127.0.0.1');
  return { path: url.pathname, query: url.searchParams };
}

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: MAX_SIZE,
  handleProtocols: (offered /* Set, client order */) => {
    for (const proto of offered) if (SUBPROTOCOLS.includes(proto)) return proto;
    return false;
  },
});

wss.on('connection', (ws, req) => {
  const { path, query } = parseTarget(req);
  ws.on('error', (err) => process.stderr.write(`node_server: connection error: ${err.message}\n`));

  // Messages that arrive before the endpoint's prelude is done are echoed after it.
  let ready = false;
  const pending = [];
  ws.on('message', (data, isBinary) => {
    if (ready) ws.send(data, { binary: isBinary });
    else pending.push([data, isBinary]);
  });
  const startEcho = () => {
    ready = true;
    for (const [data, isBinary] of pending.splice(0)) ws.send(data, { binary: isBinary });
  };

  if (path === '/headers') {
    ws.send(headersJson(req.rawHeaders));
    startEcho();
  } else if (path === '/close') {
    ws.close(intParam(query, 'code', 1000, 1000, 4999), query.get('reason') ?? '');
  } else if (path === '/ping') {
    const count = intParam(query, 'count', 1, 0, 1000);
    const payload = Buffer.from(query.get('payload') ?? '', 'utf8');
    let sent = 0;
    const next = () => {
      if (ws.readyState !== ws.OPEN) return;
      if (sent >= count) return startEcho();
      ws.ping(payload);
      sent += 1;
      if (sent >= count) startEcho();
      else setTimeout(next, 50);
    };
    next();
  } else if (path === '/big') {
    ws.send(bigPayload(intParam(query, 'size', 0, 0, MAX_SIZE)), { binary: true });
    startEcho();
  } else {
    startEcho();
  }
});

const server = http.createServer((req, res) => {
  const body = 'this server only speaks WebSocket\n';
  res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Upgrade: 'websocket' });
  res.end(body);
});

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  let target;
  try {
    target = parseTarget(req);
  } catch {
    return rejectUpgrade(socket, 400, 'bad request target\n');
  }
  const { path, query } = target;
  if (!ENDPOINTS.has(path)) return rejectUpgrade(socket, 404, `no such endpoint: ${path}\n`);
  try {
    checkParams(path, query);
    if (path === '/status') {
      const code = intParam(query, 'code', 500, 200, 599);
      return rejectUpgrade(socket, code, `status ${code} requested by /status\n`);
    }
  } catch (err) {
    if (err instanceof BadRequest) return rejectUpgrade(socket, 400, `bad request: ${err.message}\n`);
    throw err;
  }
  if (path === '/redirect') {
    const to = query.get('to') || '/echo';
    return rejectUpgrade(socket, 302, `redirecting to ${to}\n`, { Location: to });
  }
  if (path === '/auth' && req.headers.authorization !== AUTH_VALUE) {
    return rejectUpgrade(socket, 401, 'unauthorized: expected Authorization: Bearer wsdeck\n');
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

let shuttingDown = false;
function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  server.close(); // stop accepting
  const live = [...wss.clients];
  let remaining = live.length;
  const finish = () => {
    wss.close();
    process.exit(0);
  };
  if (remaining === 0) return finish();
  const timer = setTimeout(() => {
    for (const ws of live) ws.terminate();
    finish();
  }, 3000);
  for (const ws of live) {
    ws.once('close', () => {
      remaining -= 1;
      if (remaining === 0) {
        clearTimeout(timer);
        finish();
      }
    });
    ws.close(1001, 'going away');
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const { port } = parseArgs(process.argv.slice(2));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
