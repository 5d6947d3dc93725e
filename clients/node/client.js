// node-fetch: polybench's Node.js client. Built-in fetch (undici) over
// http://, with the global dispatcher's keep-alive; node:https with an Agent
// over https://, because fetch has no way to trust exactly one CA without an
// npm dependency (undici's Agent is not exposed by Node 20). No npm packages.
// Implements docs/contract.md.
'use strict';
const tEntryNs = epochNs(); // first statement: require() runs below, not before

function epochNs() {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const { createHash } = require('node:crypto');
const { isDeepStrictEqual } = require('node:util');
const { parseArgs, expectedCalls, Report, EXIT } = require('./contract.js');
const { FetchTransport, HttpsTransport, warmUpFetch } = require('./transport.js');

const CLIENT = 'node-fetch';
const STREAM_CHUNK_LIMIT = 1 << 20;
const API_PAYLOAD = { message: 'GET request received', data: [1, 2, 3] };

async function main() {
  const parsed = parseArgs(CLIENT, process.argv.slice(2));
  if (parsed.exit !== undefined) return parsed.exit;
  const args = parsed.args;
  const report = new Report(CLIENT, `node ${process.version} fetch`, args.scenario, expectedCalls(args), tEntryNs);

  // Set-up, before t_ready: the transport (fetch's dispatcher, or an https
  // Agent holding exactly --ca-file's CA) and the expected payloads.
  let transport = null;
  try {
    transport = args.https ? new HttpsTransport(args) : new FetchTransport(args);
    if (!args.https) await warmUpFetch();
  } catch (err) {
    report.fail(`set-up: ${err.message}`);
  }
  report.tReady = epochNs();
  if (transport) {
    await runScenario(transport, args, report);
  }
  report.tDone = epochNs();
  return report.print();
}

async function runScenario(transport, args, report) {
  switch (args.scenario) {
    case 'single':
    case 'sequential': // the transport opens a new connection per call
    case 'keepalive':
      for (let i = 0; i < report.requests; i++) await checkGet(transport, '/api', API_PAYLOAD, report);
      return;
    case 'concurrent':
      return runConcurrent(transport, args, report);
    case 'stream':
      return runStream(transport, args.bytes, report);
    case 'rest':
      return runRest(transport, args.runId, report);
  }
}

// One GET whose 200 JSON body must equal want.
async function checkGet(transport, path, want, report) {
  try {
    const reply = await transport.call('GET', path);
    report.bytes += reply.body.length;
    expectStatus(reply, 200);
    const got = parseJson(reply);
    if (!isDeepStrictEqual(got, want)) throw new Error(`GET ${path}: body ${excerpt(reply.body)}, not the expected payload`);
    report.ok(reply.nonce);
  } catch (err) {
    report.fail(err.message);
  }
}

// N calls, at most C in flight: C workers each take the next call.
async function runConcurrent(transport, args, report) {
  const path = `/delay/${args.delayMs}`;
  const want = { delay_ms: args.delayMs };
  let next = 0;
  const worker = async () => {
    while (next < args.requests) {
      next++;
      await checkGet(transport, path, want, report);
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.requests) }, worker));
}

async function runStream(transport, size, report) {
  const path = `/bytes/${size}`;
  try {
    const response = await transport.open('GET', path);
    const hash = createHash('sha256');
    let read = 0;
    for await (const chunk of response.chunks) {
      if (chunk.length > STREAM_CHUNK_LIMIT) throw new Error(`GET ${path}: a chunk of ${chunk.length} bytes`);
      hash.update(chunk);
      read += chunk.length;
      report.bytes = read;
    }
    if (response.status !== 200) throw new Error(`GET ${path}: status ${response.status}, want 200`);
    report.sha256 = hash.digest('hex');
    const length = Number(response.header('content-length'));
    if (length !== size) throw new Error(`GET ${path}: Content-Length ${length}, want ${size}`);
    if (read !== size) throw new Error(`GET ${path}: read ${read} bytes, want ${size}`);
    report.ok(response.nonce());
  } catch (err) {
    report.fail(err.message);
  }
}

// Create, read, rename, delete a user, then see it gone; every call after the
// first follows _links.self.href.
async function runRest(transport, runId, report) {
  const created = { name: `polybench-${runId}`, email: `${runId}@example.invalid` };
  const renamed = { name: `${created.name}-renamed`, email: created.email };
  const step = async (method, path, body, status, check) => {
    try {
      const reply = await transport.call(method, path, body);
      report.bytes += reply.body.length;
      expectStatus(reply, status);
      const result = check(reply);
      report.ok(reply.nonce);
      return result;
    } catch (err) {
      report.fail(err.message);
      return undefined;
    }
  };
  const href = await step('POST', '/users', created, 201, (reply) => {
    const user = parseJson(reply);
    const location = reply.header('location');
    if (!location) throw new Error('POST /users: no Location header');
    if (user.id === undefined || user.id === null) throw new Error(`POST /users: body ${excerpt(reply.body)} has no id`);
    expectUser(reply, user, created);
    const link = user._links && user._links.self && user._links.self.href;
    if (link !== location) throw new Error(`POST /users: _links.self.href ${link} differs from Location ${location}`);
    return link;
  });
  if (href === undefined) return; // nothing to follow
  await step('GET', href, undefined, 200, (reply) => expectUser(reply, parseJson(reply), created));
  await step('PUT', href, renamed, 200, (reply) => {
    const user = parseJson(reply);
    if (user.name !== renamed.name) throw new Error(`PUT ${href}: name ${user.name}, want ${renamed.name}`);
  });
  await step('DELETE', href, undefined, 204, (reply) => {
    if (reply.body.length !== 0) throw new Error(`DELETE ${href}: body ${excerpt(reply.body)}, want empty`);
  });
  await step('GET', href, undefined, 404, (reply) => {
    if (!('error' in parseJson(reply))) throw new Error(`GET ${href}: body ${excerpt(reply.body)} has no error key`);
  });
}

function expectUser(reply, user, want) {
  if (user.name !== want.name || user.email !== want.email) {
    throw new Error(`${reply.what}: body ${excerpt(reply.body)}, want name ${want.name} and email ${want.email}`);
  }
}

function expectStatus(reply, status) {
  if (reply.status !== status) throw new Error(`${reply.what}: status ${reply.status}, want ${status}`);
}

function parseJson(reply) {
  try {
    return JSON.parse(reply.body.toString('utf8'));
  } catch (err) {
    throw new Error(`${reply.what}: body ${excerpt(reply.body)} is not JSON: ${err.message}`);
  }
}

function excerpt(body) {
  const text = body.toString('utf8');
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err) => {
    process.stderr.write(`${CLIENT}: ${err && err.stack ? err.stack : err}\n`);
    process.exit(EXIT.FAILED);
  },
);
