/** Header names that mean "the address" in exported lists (lower-cased, no spaces/underscores). */
const EMAIL_HEADERS = [
  'email',
  'emailaddress',
  'mail',
  'e-mail',
  'address',
  'emails',
  'contactemail',
];

/**
 * Pick the address column: the one named by the user (case-insensitive), a
 * conventional header, or the first column whose sample values mostly hold
 * an `@`. Returns -1 when nothing fits, so the caller can say so. Shared by
 * `mailvet bulk` and job imports (a leaf module: neither layer imports the
 * other).
 */
export function chooseEmailColumn(header: string[], sample: string[][], wanted?: string): number {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_]/g, '');
  if (wanted !== undefined) return header.findIndex((h) => norm(h) === norm(wanted));
  const byName = header.findIndex((h) => EMAIL_HEADERS.includes(norm(h)));
  if (byName >= 0) return byName;
  for (let i = 0; i < header.length; i++) {
    const values = sample.map((row) => row[i] ?? '').filter((v) => v.trim() !== '');
    if (values.length > 0 && values.filter((v) => v.includes('@')).length * 2 > values.length)
      return i;
  }
  return -1;
}
