/**
 * Mailbox domains that typo suggestions point to, most used first (ties go to
 * the earlier entry). Only names of at least nine characters are here on
 * purpose: one edit away from a short name like `aol.com` or `me.com` lies a
 * crowd of real, unrelated domains (`ao.com`, `mc.com`), so suggesting for
 * them would be wrong too often. Sources: the providers' own sign-up domains.
 */
export const POPULAR_DOMAINS: readonly string[] = [
  // Google
  'gmail.com',
  'googlemail.com',
  // Yahoo
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.co.jp',
  'rocketmail.com',
  // Microsoft
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  // Apple
  'icloud.com',
  // Proton
  'protonmail.com',
  // US / Canada ISPs
  'comcast.net',
  'verizon.net',
  'sbcglobal.net',
  'bellsouth.net',
  'earthlink.net',
  'charter.net',
  'sympatico.ca',
  // UK / Europe / elsewhere
  'btinternet.com',
  'virginmedia.com',
  'ntlworld.com',
  'talktalk.net',
  'orange.fr',
  'wanadoo.fr',
  'laposte.net',
  'libero.it',
  't-online.de',
  'yandex.ru',
  'yandex.com',
  'rambler.ru',
  'bigpond.com',
  'optusnet.com.au',
  'rediffmail.com',
  'fastmail.com',
];
