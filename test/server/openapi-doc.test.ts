import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { generateOpenApi, OPENAPI_PATH } from '../../scripts/openapi.js';

it('docs/openapi.json is generated from the current route schemas (npx tsx scripts/openapi.ts)', async () => {
  assert.equal(readFileSync(OPENAPI_PATH, 'utf8'), await generateOpenApi());
});
