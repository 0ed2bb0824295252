/**
 * Reply-text evidence used by the reply classifier. Texts are matched
 * case-insensitively against the whole (joined) reply message. Every pattern
 * comes from replies real servers send; see docs/smtp-session.md for examples.
 */

/**
 * Strong "this mailbox does not exist" phrases: enough on a 5xx on their own
 * (once SENDER, RATE, DOMAIN_NOT_HERE and POLICY had their say). Includes
 * Yahoo's "doesn't have a yahoo.com account", Exim's "Unrouteable address",
 * qmail's "no mailbox here", Mimecast's "Invalid Recipient", and a few common
 * non-English phrasings. RFC 5321's generic "mailbox unavailable" is not here:
 * see MAILBOX_UNAVAILABLE.
 */
export const USER_UNKNOWN =
  /no such (user|mailbox|recipient|account)|(user|recipient|mailbox|account|address)( name)? (is )?(unknown|not found|does not exist|doesn'?t exist|not exist)|unknown (user|recipient|mailbox|local[- ]part)|(invalid|unknown) (recipient|mailbox|user)\b|user invalid|does not exist|doesn'?t exist|doesn'?t have an? [\w.-]{1,64} account|recipientnotfound|not a valid (mailbox|recipient|user|address)|no mailbox (here|by that name)|unrouteable address|unknown or illegal alias|not our customer|non-?existent (user|mailbox|account|address|recipient)|benutzer (ist )?unbekannt|unbekannte[rn]? (empf[aä]nger|benutzer)|utilisateur inconnu|adresse inconnue|usuario desconocido|destinatario (inexistente|sconosciuto|desconocido)|utente (sconosciuto|inesistente)/i;

/**
 * RFC 5321 §4.2.2's own text for 550: "Requested action not taken: mailbox
 * unavailable (e.g., mailbox not found, no access, or command rejected for
 * policy reasons)". Hotmail/Outlook.com and GMX send it bare for unknown
 * users, but GMX/IONOS and MailEnable also send it with a second reason about
 * our sender's DNS or relaying. Weak evidence: it only counts when nothing in
 * NOT_ABOUT_THE_USER appears beside it.
 */
export const MAILBOX_UNAVAILABLE = /mailbox (is )?unavailable/i;

/**
 * Weak user evidence: Postfix prefixes every recipient restriction with
 * "Recipient address rejected:", so it only counts when nothing in
 * NOT_ABOUT_THE_USER points elsewhere.
 */
export const RECIPIENT_REJECTED = /recipient (address )?rejected|address rejected/i;

/**
 * Texts showing a rejection is about the domain, our sender, our IP, DNS,
 * address syntax or the moment, not the mailbox. Only gates weak evidence.
 */
export const NOT_ABOUT_THE_USER =
  /\bdomain\b|\bsender\b|\brate\b|too many|\bspf\b|\bdmarc\b|\bdkim\b|\brelay|\bnot local\b|not allowed|not permitted|\bdns\b|\bmx\b|resource record|\bip\b|\bhelo\b|\behlo\b|reverse|\bptr\b|syntax|fully[- ]qualified|\bfqdn\b|gr[ae]y-?list|tempor|try again|later|connection/i;

/**
 * The refusal is about our envelope sender (MAIL FROM), not the recipient:
 * sender verification, unknown sender domain, "Sender address rejected".
 * Outranks every user code: `550 5.1.1 Sender address rejected: mailbox does
 * not exist` is about our probe address.
 */
export const SENDER =
  /\bsender('s)?\b|\bmail from\b|envelope[- ]from|return[- ]path|\bfrom address\b|\boriginator\b/i;

/**
 * Rate and volume limits: the mailbox (or we) receive too much right now.
 * Gmail's `550 5.2.1 The user you are trying to contact is receiving mail at
 * a rate that prevents additional messages from being delivered` proves the
 * mailbox exists; "too many invalid recipients" is anti-harvesting.
 */
export const RATE =
  /\brate\b|rate[- ]?limit|ratelimit|too many (messages|mails?|e-?mails|connections|requests|recipients|invalid|unknown|errors|attempts)|\bvolume\b|throttl/i;

/**
 * Block-list and reputation words strong enough to outrank even a 5.1.1 or
 * 5.2.1 code (a reply naming both is contradictory, so it is not definitive).
 * Narrower than POLICY: Postfix's genuine "User unknown in relay recipient
 * table" must stay a missing mailbox.
 */
export const STRONG_POLICY =
  /spamhaus|spamcop|barracuda|sorbs|spamrats|\bsurbl\b|\brbl\b|\bdnsbl\b|block ?list|black ?list|deny ?list|blocked using|\bbanned\b|\bspam\b|reputation|unsolicited/i;

/**
 * The server says it does not host or cannot find the recipient DOMAIN. We
 * reached it through that domain's MX, so this is misconfiguration or a
 * routing problem, never proof about a mailbox.
 */
export const DOMAIN_NOT_HERE =
  /domain (name )?(is )?(unknown|not found|does not exist|doesn'?t exist|not (hosted|served|handled|local|allowed))|unknown domain|no such domain|host (or domain name )?(not found|unknown)|unknown host|we weren'?t able to find the recipient domain/i;

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
  /spamhaus|spamcop|barracuda|sorbs|spamrats|\bsurbl\b|\brbl\b|\bdnsbl\b|block ?list|black ?list|deny ?list|\bblocked\b|\blisted\b|\bpolic(y|ies)\b|reputation|\bspam\b|unsolicited|\brelay|rcpthosts|client host|sender address rejected|not authori[sz]ed|\bbanned\b|reverse dns|\brdns\b|\bptr\b|\bhelo\b|your hostname|\bdmarc\b|\bspf\b|\bdkim\b|unauthenticated|authentication required|\babuse\b|complaints?\b|prohibit|access denied|sender verify|\bdenied\b/i;

/** qmail-style trailing enhanced code: `(#5.1.1)`. */
export const QMAIL_ENHANCED = /\(#([245])\.([0-9]{1,3})\.([0-9]{1,3})\)/;

/** Exchange Online directory-based edge blocking (DBEB) text under 5.4.1. */
export const DBEB = /recipient address rejected: access denied/i;
