/** Static lists: disposable, relay, free, role, typo suggestions, user allow/deny. */
export { createLists, DEFAULT_BROAD_DISPOSABLE } from './create-lists.js';
export type { Lists, ListsOptions } from './create-lists.js';
export type { ListVerdict, DisposableTier } from './list-verdict.js';
export { RELAY_DOMAINS } from './relay-domains.js';
export { POPULAR_DOMAINS } from './popular-domains.js';
export {
  MAX_USER_LIST_FILE_BYTES,
  MAX_USER_LIST_ENTRY_LENGTH,
  MAX_REPORTED_ENTRY_ERRORS,
} from './user-list.js';
