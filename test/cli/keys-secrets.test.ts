/**
 * `mailvet keys`: a secret is printed exactly once, on stdout, by the command
 * that created it, and never by anything else; names print safely.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { captureIo } from './keys-cli-io.js';
import { keysCommand } from '../../src/cli/commands/keys/root.js';

const count = (text: string, part: string) => text.split(part).length - 1;

forEachDialect('mailvet keys secrets', (d) => {
  async function run(argv: string[]) {
    const io = captureIo(d.env);
    await keysCommand(io).parseAsync(argv, { from: 'user' });
    return { out: io.out(), err: io.err() };
  }

  it('create --json and rotate --json print the secret once; list and revoke never', async () => {
    const created = await run(['create', '--name', 'ci', '--scopes', 'verify', '--json']);
    const { id, key } = JSON.parse(created.out) as { id: string; key: string };
    assert.equal(count(created.out, key), 1);
    // stderr holds only the admin-action log line (its audit record), never the secret.
    const lines = created.err.trim().split('\n');
    assert.equal(lines.length, 1, created.err);
    assert.equal((JSON.parse(lines[0]) as { msg: string }).msg, 'admin action');
    assert.equal(count(created.err, key.slice(0, 20)), 0);

    const rotated = await run(['rotate', id, '--grace', '1h', '--json']);
    const next = (JSON.parse(rotated.out) as { key: string }).key;
    assert.equal(count(rotated.out, next), 1);
    assert.equal(count(rotated.out, key), 0, 'rotate must not echo the old secret');

    const listed = await run(['list', '--json']);
    const table = await run(['list']);
    const revoked = await run(['revoke', id, '--json']);
    for (const output of [listed, table, revoked]) {
      for (const secret of [key, next]) {
        assert.equal(count(output.out + output.err, secret), 0);
        assert.equal(count(output.out, secret.slice(0, 20)), 0, 'not even a long prefix');
      }
    }
  });

  it('names with terminal controls are refused, and any already stored print escaped', async () => {
    for (const name of ['evil\u202ename', 'a\u001b[2J', 'x\u2028y', 'c1\u009b']) {
      await assert.rejects(run(['create', '--name', name, '--scopes', 'verify']), /control/);
    }
    // A row written by an older version (or by hand) must still print safely.
    const store = await d.open();
    await store.keys.insert({
      id: 'key_legacyLegacyLeg',
      name: 'evil\u202e\u001b[2Jname',
      tenant: 't',
      lookupId: 'AAAAAAAAAAAA',
      secretHash: '00'.repeat(32),
      scopes: ['verify'],
      rateLimit: null,
      rateWindowSeconds: null,
      createdAt: Date.now(),
      expiresAt: null,
    });
    const table = await run(['list']);
    assert.doesNotMatch(table.out, /[\u001b\u202e]/);
    assert.match(table.out, /evil\\u202e\\x1b\[2Jname/);
    const json = await run(['list', '--json']);
    assert.doesNotMatch(json.out, /[\u001b\u202e]/);
    const names = (JSON.parse(json.out) as { name: string }[]).map((k) => k.name);
    assert.ok(names.includes('evil\u202e\u001b[2Jname'));
  });
});
