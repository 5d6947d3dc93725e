// The two ways node-fetch makes calls: fetch over http://, node:https over
// https:// (see client.js). Both give the same shape: call() reads a small
// response whole, open() hands over a body to stream.
'use strict';
const { parseNonce } = require('./contract.js');

class FetchTransport {
  constructor(args) {
    this.baseUrl = args.url;
    // sequential: fetch's own way to a new connection per call. undici honours
    // "Connection: close" (it closes the socket after the response); the
    // global dispatcher keeps connections alive otherwise.
    this.headers = { 'X-Polybench-Run': args.runId };
    if (args.scenario === 'sequential') this.headers.Connection = 'close';
    this.jsonHeaders = { ...this.headers, 'Content-Type': 'application/json' };
  }

  async send(method, path, body) {
    const what = `${method} ${path}`;
    try {
      const init = body === undefined
        ? { method, headers: this.headers }
        : { method, headers: this.jsonHeaders, body: JSON.stringify(body) };
      return { what, response: await fetch(this.baseUrl + path, init) };
    } catch (err) {
      throw new Error(`${what}: ${err.cause ? err.cause.message : err.message}`);
    }
  }

  async call(method, path, body) {
    const { what, response } = await this.send(method, path, body);
    const buffer = Buffer.from(await response.arrayBuffer());
    const nonce = parseNonce(what, response.headers.get('x-polybench-nonce'));
    return { what, status: response.status, header: (name) => response.headers.get(name), nonce, body: buffer };
  }

  async open(method, path) {
    const { what, response } = await this.send(method, path);
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      nonce: () => parseNonce(what, response.headers.get('x-polybench-nonce')),
      chunks: response.body ?? [],
    };
  }
}

class HttpsTransport {
  constructor(args) {
    const https = require('node:https');
    const tls = require('node:tls');
    const fs = require('node:fs');
    this.https = https;
    this.baseUrl = args.url;
    // Exactly --ca-file's CA (`ca` replaces Node's bundled roots), parsed once
    // here into a context every connection shares; verification stays on.
    const secureContext = tls.createSecureContext({ ca: fs.readFileSync(args.caFile) });
    // sequential: an Agent without keep-alive sends "Connection: close" and
    // opens a connection per call.
    this.agent = new https.Agent({ keepAlive: args.scenario !== 'sequential', secureContext });
    this.headers = { 'X-Polybench-Run': args.runId };
  }

  send(method, path, body) {
    const what = `${method} ${path}`;
    return new Promise((resolve, reject) => {
      const headers = body === undefined ? this.headers : { ...this.headers, 'Content-Type': 'application/json' };
      const request = this.https.request(this.baseUrl + path, { method, agent: this.agent, headers }, (response) => {
        resolve({ what, response });
      });
      request.on('error', (err) => reject(new Error(`${what}: ${err.message}`)));
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async call(method, path, body) {
    const { what, response } = await this.send(method, path, body);
    const parts = [];
    for await (const chunk of response) parts.push(chunk);
    const nonce = parseNonce(what, response.headers['x-polybench-nonce']);
    return { what, status: response.statusCode, header: (name) => response.headers[name], nonce, body: Buffer.concat(parts) };
  }

  async open(method, path) {
    const { what, response } = await this.send(method, path);
    return {
      status: response.statusCode,
      header: (name) => response.headers[name],
      nonce: () => parseNonce(what, response.headers['x-polybench-nonce']),
      chunks: response,
    };
  }
}

// fetch builds its dispatcher and compiles undici's HTTP parser (WebAssembly)
// at the first call, about 100 ms here: client set-up the contract puts
// before t_ready. Node has no API for it short of a call, so one fetch goes
// to a one-shot responder inside this process on loopback (never to the
// polybench server); its cost stays in the measured set-up phase. node:net,
// which undici loads anyway, rather than node:http's server.
async function warmUpFetch() {
  const net = require('node:net');
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (data) => {
      head += data.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      }
    });
    socket.on('error', () => {}); // the fetch below fails too, and set-up reports that
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/`);
    await response.json();
  } finally {
    server.close();
  }
}

module.exports = { FetchTransport, HttpsTransport, warmUpFetch };
