import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CommanderError } from 'commander';
import { forEachDialect } from '../store/dialects.js';
import { captureIo } from './keys-cli-io.js';
import { keysCommand } from '../../src/cli/commands/keys/root.js';
import { createKeyService } from '../../src/server/keys/key-service.js';

forEachDialect('mailvet keys', (d) => {
  async function run(argv: string[], env = d.env) {
    const io = captureIo(env);
    await keysCommand(io).parseAsync(argv, { from: 'user' });
    return io.out();
  }

  it('creates, lists, rotates with grace and revokes a key end to end', async () => {
    const created = JSON.parse(
      await run([
        'create',
        '--name',
        'ci bot',
        '--scopes',
        'verify,jobs',
        '--rate',
        '600/min',
        '--expires',
        '30d',
        '--json',
      ]),
    ) as { id: string; key: string };
    assert.match(created.id, /^key_/);
    assert.match(created.key, /^mv_live_/);

    const keys = createKeyService(await d.open());
    const auth = await keys.authenticate(created.key);
    assert.ok(auth.ok);
    assert.deepEqual(auth.key.scopes, ['verify', 'jobs']);
    assert.deepEqual(auth.key.rate, { limit: 600, windowSeconds: 60 });
    assert.ok(auth.key.expiresAt !== null);

    const listed = JSON.parse(await run(['list', '--json'])) as { id: string }[];
    assert.ok(listed.some((k) => k.id === created.id));
    assert.ok(!JSON.stringify(listed).includes(created.key));
    const table = await run(['list']);
    assert.match(
      table,
      new RegExp(`${created.id}\\s+ci bot\\s+mv_live_\\S+…\\s+verify,jobs\\s+600/min\\s+active`),
    );

    const rotated = JSON.parse(await run(['rotate', created.id, '--grace', '1h', '--json'])) as {
      id: string;
      key: string;
      previousExpiresAt: string;
    };
    assert.equal(rotated.id, created.id);
    assert.notEqual(rotated.key, created.key);
    assert.ok(Date.parse(rotated.previousExpiresAt) > Date.now());
    assert.equal((await keys.authenticate(created.key)).ok, true);
    assert.equal((await keys.authenticate(rotated.key)).ok, true);

    assert.match(await run(['revoke', created.id]), new RegExp(`Revoked ${created.id} at `));
    assert.deepEqual(await keys.authenticate(rotated.key), { ok: false, reason: 'revoked' });
    assert.match(await run(['list']), new RegExp(`${created.id}.*revoked`));
  });

  it('prints the secret once in human form; rotate without grace ends the old secret', async () => {
    const text = await run(['create', '--name', 'ops', '--scopes', 'admin']);
    const secret = /^(mv_live_\S+)$/m.exec(text)?.[1];
    assert.ok(secret, text);
    assert.match(text, /shown only this once/);
    const id = /Created (key_\S+)/.exec(text)![1];
    const out = await run(['rotate', id]);
    assert.match(out, /old secret stopped working now/);
    const keys = createKeyService(await d.open());
    assert.deepEqual(await keys.authenticate(secret), { ok: false, reason: 'expired' });
  });

  it('refuses bad input with clear errors and creates nothing', async () => {
    const before = (JSON.parse(await run(['list', '--json'])) as unknown[]).length;
    await assert.rejects(
      run(['create', '--scopes', 'verify']),
      (e: unknown) => e instanceof CommanderError,
    );
    await assert.rejects(
      run(['create', '--name', 'x', '--scopes', 'verify,root']),
      /unknown scope "root"/,
    );
    await assert.rejects(
      run(['create', '--name', 'x', '--scopes', 'verify', '--rate', 'lots']),
      /invalid rate/,
    );
    await assert.rejects(
      run(['create', '--name', 'x', '--scopes', 'verify', '--expires', '1y']),
      /invalid duration/,
    );
    await assert.rejects(run(['rotate', 'key_nope']), /no active key with id "key_nope"/);
    await assert.rejects(run(['rotate', 'key_nope', '--grace', 'soon']), /invalid duration/);
    await assert.rejects(run(['revoke', 'key_nope']), /no key with id "key_nope"/);
    assert.equal((JSON.parse(await run(['list', '--json'])) as unknown[]).length, before);
  });

  if (d.dialect === 'sqlite') {
    it('lets --data-dir override MAILVET_DATA_DIR', async () => {
      const other = mkdtempSync(path.join(tmpdir(), 'mailvet-cli-'));
      try {
        await run(['create', '--name', 'elsewhere', '--scopes', 'verify', '--data-dir', other]);
        const there = JSON.parse(await run(['list', '--json', '--data-dir', other])) as {
          name: string;
        }[];
        assert.deepEqual(
          there.map((k) => k.name),
          ['elsewhere'],
        );
        const here = JSON.parse(await run(['list', '--json'])) as { name: string }[];
        assert.ok(!here.some((k) => k.name === 'elsewhere'));
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });
  }
});
