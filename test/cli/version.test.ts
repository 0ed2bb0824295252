import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { runMailvet } from './run-cli.js';
import { PACKAGE_VERSION } from '../../src/package-version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

it("mailvet --version prints package.json's version, whatever the environment", async () => {
  assert.equal(PACKAGE_VERSION, pkg.version);
  // Not taken from npm's environment (absent when the binary runs directly).
  const run = await runMailvet(['--version'], { env: { npm_package_version: '9.9.9' } });
  assert.equal(run.stdout.trim(), pkg.version);
  assert.equal(run.code, 0);
});
