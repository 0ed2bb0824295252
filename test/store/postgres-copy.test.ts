import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyTextField } from '../../src/store/postgres/postgres-copy.js';

describe('COPY text format fields', () => {
  it('escapes exactly the characters the format gives a meaning to', () => {
    assert.equal(copyTextField('plain@example.com'), 'plain@example.com');
    assert.equal(copyTextField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    // A literal "\N" or "\." must not read back as null or end-of-data.
    assert.equal(copyTextField('\\N'), '\\\\N');
    assert.equal(copyTextField('\\.'), '\\\\.');
  });

  it('writes null as \\N and numbers in decimal', () => {
    assert.equal(copyTextField(null), '\\N');
    assert.equal(copyTextField(0), '0');
    assert.equal(copyTextField(1_764_000_000_000), '1764000000000');
  });

  it('leaves the empty string and non-ASCII text unchanged', () => {
    assert.equal(copyTextField(''), '');
    assert.equal(copyTextField('ünï ✉ 日本'), 'ünï ✉ 日本');
  });
});
