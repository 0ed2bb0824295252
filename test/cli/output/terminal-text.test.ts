/**
 * Untrusted text printed by the CLI cannot drive the terminal: tables escape
 * controls and bidi characters, JSON output escapes what JSON.stringify
 * leaves raw, and both stay lossless.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  printable,
  printableMessage,
  terminalSafeJson,
} from '../../../src/cli/output/terminal-text.js';
import { runMailvet } from '../run-cli.js';

/** Raw characters that must never reach a terminal from untrusted text. */
const RAW_UNSAFE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'a\u001b[2J\u001b]0;pwned\u0007\u009b31m\r\u202egnp.exe\u2028x@evil.test';

test('printable escapes controls, separators and bidi characters visibly', () => {
  assert.equal(printable('a\u001b[31mb'), 'a\\x1b[31mb');
  assert.equal(printable('\u202eabc'), '\\u202eabc');
  assert.equal(printable('x\u2028y\u0085z'), 'x\\u2028y\\x85z');
  assert.equal(printable('ü@bücher.test'), 'ü@bücher.test');
  assert.doesNotMatch(printable(HOSTILE), RAW_UNSAFE);
  assert.equal(printableMessage('line one\nline\u001b two'), 'line one\nline\\x1b two');
});

test('terminalSafeJson is the same JSON value with no raw unsafe character', () => {
  const value = { email: HOSTILE, nested: ['\u2029', '\u0085', '\u2066'] };
  const text = terminalSafeJson(value);
  assert.doesNotMatch(text, RAW_UNSAFE);
  assert.deepEqual(JSON.parse(text), value);
});

test('mailvet check: the table escapes a hostile address, --json keeps it exactly', async () => {
  const env = { MAILVET_DNS: '127.0.0.1:9' };
  const table = await runMailvet(['check', '--no-smtp', HOSTILE], { env });
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout, RAW_UNSAFE);
  assert.match(table.stdout, /\\x1b\[2J/);
  assert.match(table.stdout, /invalid_syntax/);

  const json = await runMailvet(['check', '--no-smtp', '--json', HOSTILE], { env });
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, RAW_UNSAFE);
  assert.equal(json.json()[0].email, HOSTILE);
});

test('error messages quoting input are escaped too', async () => {
  const run = await runMailvet(['bulk', `missing\u001b[2J.csv`, '-o', '/tmp/never.csv']);
  assert.equal(run.code, 2);
  assert.doesNotMatch(run.stderr, RAW_UNSAFE);
  assert.match(run.stderr, /missing\\x1b\[2J\.csv/);
});
