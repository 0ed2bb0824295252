/**
 * Reply-text evidence used by the reply classifier. Texts are matched
 * case-insensitively against the whole (joined) reply message. Every pattern
 * comes from replies real servers send; see docs/smtp-session.md for examples.
 */

/**
 * Strong "this mailbox does not exist" phrases: enough on a 5xx on their own.
 * Includes Hotmail's/GMX's "mailbox unavailable", Yahoo's "doesn't have a
 * yahoo.com account", Exim's "Unrouteable address", qmail's "no mailbox here",
 * Mimecast's "Invalid Recipient", and a few common non-English phrasings.
 */
export const USER_UNKNOWN =
  /no such (user|mailbox|recipient|account)|(user|recipient|mailbox|account|address)( name)? (is )?(unknown|not found|does not exist|doesn'?t exist|not exist)|unknown (user|recipient|mailbox|local[- ]part)|(invalid|unknown) (recipient|mailbox|user)\b|user invalid|does not exist|doesn'?t exist|doesn'?t have an? [\w.-]{1,64} account|recipientnotfound|not a valid (mailbox|recipient|user|address)|no mailbox (here|by that name)|unrouteable address|mailbox (is )?unavailable|unknown or illegal alias|not our customer|non-?existent (user|mailbox|account|address|recipient)|benutzer (ist )?unbekannt|unbekannte[rn]? (empf[aä]nger|benutzer)|utilisateur inconnu|adresse inconnue|usuario desconocido|destinatario (inexistente|sconosciuto|desconocido)|utente (sconosciuto|inesistente)/i;

/**
 * Weak user evidence: Postfix prefixes every recipient restriction with
 * "Recipient address rejected:", so it only counts when nothing in
 * NOT_ABOUT_THE_USER points elsewhere.
 */
export const RECIPIENT_REJECTED = /recipient (address )?rejected|address rejected/i;

/** Texts showing a recipient rejection is about the domain or the sender, not the mailbox. */
export const NOT_ABOUT_THE_USER =
  /domain (not found|unknown|does not exist)|unknown domain|sender|rate|too many|spf|dmarc|dkim|relay|tempor|try again|later/i;

/** The mailbox exists but is switched off. */
export const DISABLED =
  /disabled|deactivated|inactive|suspended|account (has been |is )?(closed|locked|terminated|blocked by (its )?owner)|no longer (active|in use)|mailbox (is )?(frozen|expired)/i;

/** The mailbox exists but cannot take more mail. */
export const MAILBOX_FULL =
  /mailbox (is )?full|over ?quota|quota (exceeded|full)|exceeded (its|the|their) (storage|quota)|insufficient (system )?storage|out of storage|mailbox size limit/i;

/** Explicit greylisting (Postgrey, Postfix postscreen, greylistd, rspamd…). */
export const GREYLIST = /gr[ae]y-?list/i;

/** "Come back later" wording that, on a 450/451, is greylisting in practice. */
export const RETRY_LATER =
  /try (again )?later|retry (again )?later|please (try again|retry)|come back later|temporarily (deferred|delayed|rejected)|deferred/i;

/**
 * Our IP, HELO or sender refused by policy: block lists, reputation,
 * authentication, relay denial, reverse DNS. These make the answer about us,
 * never about the mailbox.
 */
export const POLICY =
  /spamhaus|spamcop|barracuda|sorbs|spamrats|\bsurbl\b|\brbl\b|\bdnsbl\b|block ?list|black ?list|deny ?list|\bblocked\b|\blisted\b|\bpolic(y|ies)\b|reputation|\bspam\b|unsolicited|\brelay|rcpthosts|client host|sender address rejected|not authori[sz]ed|\bbanned\b|reverse dns|\brdns\b|\bptr\b|\bhelo\b|your hostname|\bdmarc\b|\bspf\b|\bdkim\b|unauthenticated|authentication required|\babuse\b|complaints?\b|prohibit|access denied|sender verify|callout|\bdenied\b/i;

/** qmail-style trailing enhanced code: `(#5.1.1)`. */
export const QMAIL_ENHANCED = /\(#([245])\.([0-9]{1,3})\.([0-9]{1,3})\)/;

/** Exchange Online directory-based edge blocking (DBEB) text under 5.4.1. */
export const DBEB = /recipient address rejected: access denied/i;
