/** Allow/deny files are read with a hard size cap, whatever the file claims to be. */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../../src/errors.js';
import { createLists } from '../../../src/verify/lists/index.js';
import { MAX_USER_LIST_FILE_BYTES } from '../../../src/verify/lists/user-list.js';

const dir = mkdtempSync(join(tmpdir(), 'mailvet-list-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a list file over the cap is refused from its size alone', () => {
  const file = join(dir, 'huge.txt');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, MAX_USER_LIST_FILE_BYTES + 1); // sparse: no disk or time spent
  closeSync(fd);
  assert.throws(
    () => createLists({ denyFile: file }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /the limit is 67108864/);
      return true;
    },
  );
});

test('a device that never ends is read only up to the cap', () => {
  assert.throws(
    () => createLists({ allowFile: '/dev/zero' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /more than 67108864 bytes/);
      return true;
    },
  );
});
