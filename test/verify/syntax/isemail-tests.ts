/**
 * Reads the is_email test set (test/fixtures/isemail/tests.xml, BSD licence
 * beside it). The file is flat: <test id> elements holding <address>,
 * <category> and <diagnosis> with text only, so a small scanner is enough.
 */
import { readFileSync } from 'node:fs';

export interface IsEmailCase {
  id: string;
  address: string;
  category: string;
  diagnosis: string;
}

const TESTS_XML = new URL('../../fixtures/isemail/tests.xml', import.meta.url);
/** The file writes control character N as U+2400 + N, since XML cannot hold them. */
const CONTROL_PICTURES_START = 0x2400;
const CONTROL_PICTURES_END = 0x241f;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

export function loadIsEmailCases(): IsEmailCase[] {
  const xml = readFileSync(TESTS_XML, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const cases: IsEmailCase[] = [];
  for (const match of xml.matchAll(/<test id="(\d+)">([\s\S]*?)<\/test>/g)) {
    const body = match[2];
    cases.push({
      id: match[1],
      address: fromControlPictures(decodeEntities(element(body, 'address'))),
      category: element(body, 'category'),
      diagnosis: element(body, 'diagnosis'),
    });
  }
  return cases;
}

/** Text of a child element; `<address/>` (self-closing) is the empty string. */
function element(body: string, name: string): string {
  if (body.includes(`<${name}/>`)) return '';
  const open = body.indexOf(`<${name}>`);
  const close = body.indexOf(`</${name}>`);
  if (open === -1 || close === -1) throw new Error(`<${name}> missing in ${body}`);
  return body.slice(open + name.length + 2, close);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const named = NAMED_ENTITIES[entity];
    if (named === undefined) throw new Error(`unknown entity ${whole}`);
    return named;
  });
}

function fromControlPictures(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out +=
      code >= CONTROL_PICTURES_START && code <= CONTROL_PICTURES_END
        ? String.fromCharCode(code - CONTROL_PICTURES_START)
        : char;
  }
  return out;
}
