import { readFileSync } from 'node:fs';

/**
 * mailvet's version from its package.json, found by walking up from this
 * module: the module sits at a different depth in src/, dist/ and bundles
 * (a fixed `../../package.json` breaks in all but one of them).
 */
function findPackageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mailvet' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    if (dir.pathname === '/') return '0.0.0';
  }
}

/** The running mailvet's version (package.json `version`). */
export const PACKAGE_VERSION = findPackageVersion();
