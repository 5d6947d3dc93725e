// The client contract's command line and output line (docs/contract.md),
// without an argument-parsing library: start-up is what is measured.
'use strict';

const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNSUPPORTED: 3 };
const SCENARIOS = ['single', 'sequential', 'keepalive', 'concurrent', 'stream', 'rest'];
const USAGE = 'SCENARIO --url URL --run-id ID [--requests N] [--concurrency C] [--delay-ms D] [--bytes B] [--ca-file PATH]';
const NUMBERS = { '--requests': ['requests', 1], '--concurrency': ['concurrency', 1], '--delay-ms': ['delayMs', 0], '--bytes': ['bytes', 0] };
const MAX_ERRORS = 10;

// { args } or { exit } after one line on stderr (usage 2, unsupported 3; --help 0).
function parseArgs(client, argv) {
  const usage = (message) => {
    process.stderr.write(`${client}: ${message} (usage: ${client} ${USAGE})\n`);
    return { exit: EXIT.USAGE };
  };
  if (argv.length === 0) return usage('missing SCENARIO');
  const scenario = argv[0];
  if (scenario === '--help' || scenario === '-h') {
    process.stdout.write(`usage: ${client} ${USAGE}\n`);
    return { exit: EXIT.OK };
  }
  if (scenario.startsWith('-')) return usage(`SCENARIO must come first, got ${JSON.stringify(scenario)}`);
  if (!SCENARIOS.includes(scenario)) {
    process.stderr.write(`${client}: unsupported scenario ${JSON.stringify(scenario)}\n`);
    return { exit: EXIT.UNSUPPORTED };
  }
  const args = { scenario, url: null, runId: null, caFile: null, requests: 1, concurrency: 1, delayMs: 0, bytes: 1048576 };
  for (let i = 1; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) return usage(`missing value for ${JSON.stringify(flag)}`);
    if (flag === '--url') args.url = value;
    else if (flag === '--run-id') args.runId = value;
    else if (flag === '--ca-file') args.caFile = value;
    else if (flag in NUMBERS) {
      const [key, min] = NUMBERS[flag];
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
        return usage(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
      }
      args[key] = Number(value);
    } else return usage(`unknown flag ${JSON.stringify(flag)}`);
  }
  if (!args.url) return usage('--url is required');
  const match = /^(https?):\/\/[A-Za-z0-9.:[\]-]+$/.exec(args.url);
  if (!match) return usage(`--url must be an http(s) URL with no path or trailing slash, got ${JSON.stringify(args.url)}`);
  args.https = match[1] === 'https';
  if (args.https && !args.caFile) return usage('an https:// --url needs --ca-file (the CA to trust)');
  if (!args.runId || !/^[A-Za-z0-9._-]{1,64}$/.test(args.runId)) {
    return usage(`--run-id must match [A-Za-z0-9._-]{1,64}, got ${JSON.stringify(args.runId)}`);
  }
  return { args };
}

function expectedCalls(args) {
  if (['sequential', 'keepalive', 'concurrent'].includes(args.scenario)) return args.requests;
  return args.scenario === 'rest' ? 5 : 1;
}

// The output line: counts, the XOR receipt of the verified responses' nonces, timestamps.
class Report {
  constructor(client, library, scenario, requests, tEntry) {
    Object.assign(this, { client, library, scenario, requests, tEntry, tReady: 0n, tDone: 0n });
    this.verified = 0;
    this.bytes = 0;
    this.sha256 = null;
    this.errors = [];
    this.receipt = Buffer.alloc(16);
  }

  ok(nonce) {
    this.verified++;
    for (let i = 0; i < 16; i++) this.receipt[i] ^= nonce[i];
  }

  fail(message) {
    if (this.errors.length < MAX_ERRORS) this.errors.push(message);
  }

  // Writes the JSON line; returns the exit code.
  print() {
    const line = JSON.stringify({
      client: this.client, library: this.library, scenario: this.scenario, requests: this.requests,
      ok: this.verified, bytes: this.bytes, sha256: this.sha256, receipt: this.receipt.toString('hex'),
      errors: this.errors, t_entry_ns: 0, t_ready_ns: 1, t_done_ns: 2,
    });
    // JSON.stringify has no BigInt: the ns timestamps go in as exact digits.
    const exact = line.replace('"t_entry_ns":0,"t_ready_ns":1,"t_done_ns":2',
      `"t_entry_ns":${this.tEntry},"t_ready_ns":${this.tReady},"t_done_ns":${this.tDone}`);
    process.stdout.write(`${exact}\n`);
    return this.verified === this.requests ? EXIT.OK : EXIT.FAILED;
  }
}

// The 16 bytes of an X-Polybench-Nonce value, or an error.
function parseNonce(what, value) {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/i.test(value)) {
    throw new Error(`${what}: header X-Polybench-Nonce ${JSON.stringify(value)} is not 32 hex digits`);
  }
  return Buffer.from(value, 'hex');
}

module.exports = { EXIT, parseArgs, expectedCalls, Report, parseNonce };
