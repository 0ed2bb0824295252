/**
 * Alias / forwarding services: each address forwards to a real mailbox the
 * owner reads, so these are flagged `relay` and never `disposable`, even
 * though the broad public list (mailchecker) includes most of them.
 *
 * Matching includes subdomains, which several services hand out per user
 * (`alias@name.anonaddy.com`, `x@name.33mail.com`, `x@sub.mozmail.com`).
 *
 * Add an entry only with its source; keep it to services whose aliases
 * forward to a long-lived mailbox (not ones that expire after N messages).
 */
export const RELAY_DOMAINS: readonly string[] = [
  // DuckDuckGo Email Protection: `@duck.com` aliases forward to the user's inbox.
  'duck.com',
  // SimpleLogin (Proton): shared alias domains offered to every user
  // (`@aleeas.com`, `@simplelogin.com` in its docs; per-user `@name.simplelogin.com`).
  'simplelogin.com',
  'simplelogin.co',
  'simplelogin.io',
  'simplelogin.fr',
  'slmail.me',
  'slmails.com',
  'aleeas.com',
  '8alias.com',
  '8shield.net',
  'dralias.com',
  'silomails.com',
  // Proton Pass hide-my-email aliases (`word.word123@passinbox.com` style).
  'passmail.net',
  'passmail.com',
  'passinbox.com',
  'passfwd.com',
  // addy.io, formerly AnonAddy: shared domains and per-user subdomains
  // (`alias@username.anonaddy.com`).
  'anonaddy.com',
  'anonaddy.me',
  'addy.io',
  'addymail.com',
  'mailer.me',
  // Apple iCloud+ "Hide My Email" and Sign in with Apple private relay.
  'privaterelay.appleid.com',
  // Firefox Relay (Mozilla): `@mozmail.com`; the first aliases used `@relay.firefox.com`.
  'mozmail.com',
  'relay.firefox.com',
  // 33mail: per-user subdomains `anything@username.33mail.com`.
  '33mail.com',
  // erine.email: French open-source forwarding service.
  'erine.email',
  // Abine Blur "masked emails".
  'opayq.com',
];
