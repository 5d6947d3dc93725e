// Unit tests of the command line and the output line: `node --test clients/node`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { parseArgs, expectedCalls, Report, parseNonce, EXIT } = require('./contract.js');

const quiet = (fn) => {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return fn();
  } finally {
    process.stderr.write = write;
  }
};
const parse = (...argv) => quiet(() => parseArgs('node-fetch', argv));

test('a good command line parses, with the contract defaults', () => {
  const { args } = parse('stream', '--url', 'http://127.0.0.1:8000', '--run-id', 'r-1.x_y');
  assert.equal(args.scenario, 'stream');
  assert.equal(args.bytes, 1048576);
  assert.equal(args.requests, 1);
  assert.equal(args.https, false);
  assert.equal(expectedCalls({ scenario: 'rest' }), 5);
});

test('usage errors exit 2, unknown scenarios 3', () => {
  assert.equal(parse().exit, EXIT.USAGE);
  assert.equal(parse('fanout', '--url', 'http://h:1', '--run-id', 'r').exit, EXIT.UNSUPPORTED);
  assert.equal(parse('single', '--url', 'http://h:1/', '--run-id', 'r').exit, EXIT.USAGE);
  assert.equal(parse('single', '--url', 'https://h:1', '--run-id', 'r').exit, EXIT.USAGE); // no --ca-file
  assert.equal(parse('single', '--url', 'http://h:1', '--run-id', 'bad id').exit, EXIT.USAGE);
  assert.equal(parse('keepalive', '--url', 'http://h:1', '--run-id', 'r', '--requests', '0').exit, EXIT.USAGE);
  assert.equal(parse('keepalive', '--url', 'http://h:1', '--run-id', 'r', '--requests').exit, EXIT.USAGE);
});

test('the receipt is the XOR of the verified nonces; failures add errors, not nonces', () => {
  const report = new Report('node-fetch', 'lib', 'keepalive', 3, 1n);
  report.ok(parseNonce('x', 'ff'.repeat(16)));
  report.ok(parseNonce('x', '0f'.repeat(16)));
  report.fail('GET /api: status 500, want 200');
  assert.equal(report.receipt.toString('hex'), 'f0'.repeat(16));
  assert.throws(() => parseNonce('GET /api', 'abc'), /not 32 hex digits/);
});
