/**
 * Writes docs/openapi.json from the app's route schemas, so the document is
 * never edited by hand. `--check` exits 1 when the file is out of date (CI).
 *
 *   npx tsx scripts/openapi.ts [--check]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { createKeyService } from '../src/server/keys/key-service.js';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { openStore } from '../src/store/open-store.js';
import type { Verifier } from '../src/verify/verifier-types.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** The OpenAPI document as written to docs/openapi.json (stable key order, trailing newline). */
export async function generateOpenApi(): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailvet-openapi-'));
  const store = await openStore({ dataDir, migrate: true });
  // Routes are only described, never called: an engine that refuses is enough.
  const verifier: Verifier = {
    verify: () => Promise.reject(new Error('not used')),
    verifyMany: () => {
      throw new Error('not used');
    },
    close: async () => undefined,
  };
  const metrics = createMetrics({ processMetrics: false });
  try {
    const app = await buildApp({
      config: defaultConfig(),
      verifier,
      store,
      keyService: createKeyService(store),
      logger: createLogger({ level: 'silent' }),
      metrics,
    });
    const doc = app.swagger();
    await app.close();
    return JSON.stringify(doc, null, 2) + '\n';
  } finally {
    metrics.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const text = await generateOpenApi();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/openapi.json is out of date: run npx tsx scripts/openapi.ts\n');
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_PATH, text);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  }
}
