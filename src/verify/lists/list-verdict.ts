/** Which public disposable list matched: the curated one is high-confidence, the broad one is larger and noisier. */
export type DisposableTier = 'curated' | 'broad';

/** What the static lists say about one address. Lookups are O(1). */
export interface ListVerdict {
  /** On the user's allow list: never flagged disposable by the lists. */
  allowed: boolean;
  /** On the user's deny list: treated as disposable whatever the public lists say. */
  denied: boolean;
  disposable: boolean;
  /**
   * The public list that made `disposable` true; absent when the address is not
   * disposable or is disposable only because the user denied it.
   */
  disposableTier?: DisposableTier;
  /** Alias / forwarding services: flagged, not disposable. */
  relay: boolean;
  free: boolean;
  role: boolean;
  /** A likely intended address (`john@gmial.com` → `john@gmail.com`); advice only. */
  suggestion: string | null;
}
