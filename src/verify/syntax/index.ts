export type { ParsedAddress, ParseResult, SyntaxErrorCode } from './parsed-address.js';
export { parseAddress } from './parse-address.js';
export type { ParseAddressOptions } from './parse-address.js';
export {
  MAX_ADDRESS_OCTETS,
  MAX_DOMAIN_OCTETS,
  MAX_INPUT_CODE_UNITS,
  MAX_LABEL_OCTETS,
  MAX_LOCAL_PART_OCTETS,
} from './syntax-limits.js';
export { canonicalize } from './canonical.js';
export { PROVIDER_RULES, PROVIDER_RULES_BY_DOMAIN } from './provider-rules.js';
export type { ProviderRule } from './provider-rules.js';
