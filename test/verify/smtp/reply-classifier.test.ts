import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyRcptReply,
  classifySessionReply,
  explainRcptReply,
  isTooManyRecipients,
} from '../../../src/verify/smtp/reply-classifier.js';
import { parseReply } from '../../../src/verify/smtp/reply-parser.js';
import type { SmtpOutcome } from '../../../src/verify/smtp/smtp-verdict.js';

/** Real-world RCPT replies (texts are facts; host-specific tokens shortened). */
const RCPT_CASES: Array<[string, SmtpOutcome, string]> = [
  ['accepted', 'accepted', '250 2.1.5 OK x-y.z - gsmtp'],
  ['will forward', 'accepted', '251 2.1.5 User not local; will forward'],
  [
    'Gmail no such user (multi-line)',
    'mailbox_not_found',
    [
      '550-5.1.1 The email account that you tried to reach does not exist. Please try',
      "550-5.1.1 double-checking the recipient's email address for typos or",
      '550-5.1.1 unnecessary spaces. For more information, go to',
      '550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-2.3 - gsmtp',
    ].join('\r\n'),
  ],
  [
    'Gmail disabled',
    'mailbox_disabled',
    '550-5.2.1 The email account that you tried to reach is disabled.\r\n550 5.2.1 https://support.google.com/mail/?p=DisabledUser x - gsmtp',
  ],
  [
    'Gmail over quota 4xx',
    'mailbox_full',
    '452-4.2.2 The email account that you tried to reach is over quota. Please direct\r\n452 4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp x - gsmtp',
  ],
  [
    'Gmail over quota 5xx',
    'mailbox_full',
    '552-5.2.2 The email account that you tried to reach is over quota.\r\n552 5.2.2 https://support.google.com/mail/?p=OverQuotaPerm x - gsmtp',
  ],
  [
    'Gmail unsolicited',
    'blocked',
    '550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail.\r\n550 5.7.1 To reduce the amount of spam sent to Gmail, this message has been blocked. x - gsmtp',
  ],
  [
    'Gmail rate 4.2.1',
    'temporary_error',
    '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n450-4.2.1 prevents additional messages from being delivered. Please resend your\r\n450 4.2.1 message at a later time. If the user is able to receive mail at that time, please try again later. x - gsmtp',
  ],
  [
    'Gmail unauthenticated',
    'blocked',
    '550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n550 5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. x - gsmtp',
  ],
  [
    'Outlook 5.1.10',
    'mailbox_not_found',
    '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
  ],
  [
    'Exchange Online DBEB',
    'mailbox_not_found',
    '550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM0PR02MB1234.eurprd02.prod.outlook.com]',
  ],
  [
    'Outlook.com consumer',
    'mailbox_not_found',
    '550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [DM6NAM11FT012.eop-nam11.prod.protection.outlook.com]',
  ],
  [
    'Hotmail legacy no enhanced code',
    'mailbox_not_found',
    '550 Requested action not taken: mailbox unavailable (3154252068:3312:-2147467259)',
  ],
  [
    'Outlook banned IP',
    'blocked',
    '550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/',
  ],
  [
    'Outlook block list',
    'blocked',
    "550 SC-001 (BAY004-MC1F18) Unfortunately, messages from 192.0.2.1 weren't sent. Please contact your Internet service provider since part of their network is on our block list.",
  ],
  [
    'Outlook server busy',
    'greylisted',
    '451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) [x.prod.protection.outlook.com]',
  ],
  [
    'Yahoo no account',
    'mailbox_not_found',
    "554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
  ],
  [
    'Yahoo disabled',
    'mailbox_disabled',
    '554 30 Sorry, your message to nobody@aol.com cannot be delivered. This mailbox is disabled (554.30)',
  ],
  [
    'Yahoo Spamhaus',
    'blocked',
    "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see https://senders.yahooinc.com/error-codes",
  ],
  [
    'Spamhaus via Postfix',
    'blocked',
    '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1',
  ],
  [
    'Spamhaus no enhanced code',
    'blocked',
    '554 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
  ],
  [
    'Postfix user unknown',
    'mailbox_not_found',
    '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
  ],
  [
    'Postfix local table',
    'mailbox_not_found',
    '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table',
  ],
  [
    'Postfix greylisted',
    'greylisted',
    '450 4.2.0 <a@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
  ],
  ['Postfix relay denied', 'blocked', '554 5.7.1 <a@elsewhere.test>: Relay access denied'],
  [
    'Postfix unverified (soft)',
    'temporary_error',
    '450 4.1.1 <a@example.com>: Recipient address rejected: unverified address: host mx.example.com said: 450 try later',
  ],
  [
    'Postfix soft user unknown',
    'temporary_error',
    '450 4.1.1 <a@example.com>: Recipient address rejected: User unknown in local recipient table',
  ],
  [
    'Postfix no hostname',
    'blocked',
    '450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]',
  ],
  [
    'Postfix domain not found (5xx)',
    'temporary_error',
    '550 5.1.2 <a@nowhere.test>: Recipient address rejected: Domain not found',
  ],
  [
    'Postfix check_recipient_access',
    'blocked',
    '554 5.7.1 <a@example.com>: Recipient address rejected: Access denied',
  ],
  ['Exim unrouteable', 'mailbox_not_found', '550 Unrouteable address'],
  ['Exim greylistd', 'greylisted', '451 4.7.1 Please try again later'],
  ['Exim admin prohibition', 'blocked', '550 Administrative prohibition'],
  ['qmail no mailbox', 'mailbox_not_found', '550 sorry, no mailbox here by that name. (#5.1.1)'],
  [
    'qmail rcpthosts',
    'blocked',
    "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
  ],
  [
    'iCloud does not exist',
    'mailbox_not_found',
    '550 5.1.1 <nobody@icloud.com>: user does not exist',
  ],
  [
    'iCloud policy',
    'blocked',
    '554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137',
  ],
  ['Proofpoint user unknown', 'mailbox_not_found', '550 5.1.1 User Unknown'],
  [
    'Proofpoint blocked',
    'blocked',
    '554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1',
  ],
  [
    'Mimecast invalid recipient',
    'mailbox_not_found',
    '550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [abc.us123]',
  ],
  [
    'Mimecast security policy',
    'blocked',
    '554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [abc.us123]',
  ],
  [
    'Mimecast resource unavailable',
    'temporary_error',
    '451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451',
  ],
  ['Barracuda no such user', 'mailbox_not_found', '550 No such user (nobody@example.com)'],
  [
    'Barracuda reputation',
    'blocked',
    '554 Service unavailable; Client host [192.0.2.1] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.1',
  ],
  ['Zoho does not exist', 'mailbox_not_found', '550 5.1.1 User does not exist - <nobody@zoho.com>'],
  [
    'Comcast not our customer',
    'mailbox_not_found',
    '550 5.1.1 <nobody@comcast.net> Not our Customer',
  ],
  [
    'GMX mailbox unavailable',
    'mailbox_not_found',
    '550 Requested action not taken: mailbox unavailable',
  ],
  ['German user unknown', 'mailbox_not_found', '550 Benutzer unbekannt'],
  ['mailbox full no code', 'mailbox_full', '552 Mailbox full'],
  ['quota 4xx', 'mailbox_full', '452 4.2.2 Mailbox over quota'],
  ['bare 550 rejected', 'temporary_error', '550 Rejected'],
  ['bare 554 no evidence', 'blocked', '554 Transaction failed'],
  [
    '5.1.0 with user text',
    'mailbox_not_found',
    '550 5.1.0 Address rejected. nobody@example.com: user unknown',
  ],
  ['5.1.0 without user text', 'temporary_error', '550 5.1.0 Rejected'],
  ['hop count', 'temporary_error', '554 5.4.14 Hop count exceeded - possible mail loop'],
  ['421 mid-transaction', 'temporary_error', '421 4.7.0 Too many connections, try again later'],
  ['generic 4xx', 'temporary_error', '451 4.3.0 Mail server temporarily rejected message'],
  ['suspended account', 'mailbox_disabled', '550 Account suspended'],
  [
    'suspended for spam is policy',
    'blocked',
    '550 Your sending account has been suspended for spam',
  ],
  [
    'mailbox unavailable but blocked',
    'blocked',
    '550 Requested action not taken: mailbox unavailable; blocked by policy',
  ],
  [
    'recipient rejected about rate',
    'temporary_error',
    '550 Recipient address rejected: rate limit exceeded, try again',
  ],
];

describe('classifyRcptReply on real-world replies', () => {
  for (const [name, expected, text] of RCPT_CASES) {
    it(`${name} → ${expected}`, () => {
      const reply = parseReply(text);
      const got = explainRcptReply(reply);
      assert.equal(got.outcome, expected, `rule ${got.rule} for ${JSON.stringify(reply.message)}`);
      assert.equal(classifyRcptReply(reply), expected);
    });
  }

  it('never reports a missing or disabled mailbox for a 4xx reply', () => {
    for (const [, , text] of RCPT_CASES) {
      const reply = parseReply(text);
      if (reply.code >= 500) continue;
      const outcome = classifyRcptReply(reply);
      assert.ok(outcome !== 'mailbox_not_found' && outcome !== 'mailbox_disabled', text);
    }
  });
});

/**
 * Regressions from the correctness review: replies that used to become
 * undeliverable (or stay unknown) against design.md §3. Each name is the case.
 */
const REVIEW_CASES: Array<[string, SmtpOutcome, string]> = [
  [
    'Gmail 550 5.2.1 receiving rate (mailbox exists) is not disabled',
    'temporary_error',
    [
      '550-5.2.1 The user you are trying to contact is receiving mail at a rate that',
      '550-5.2.1 prevents additional messages from being delivered. For more',
      '550 5.2.1 information, go to https://support.google.com/mail/?p=ReceivingRatePerm x - gsmtp',
    ].join('\r\n'),
  ],
  [
    '5.2.1 with rate limit text is not disabled',
    'temporary_error',
    '550 5.2.1 Rate limit exceeded for this recipient',
  ],
  [
    '5.1.1 with rate limit text is not definitive',
    'temporary_error',
    '550 5.1.1 Too many invalid recipients',
  ],
  [
    'anti-harvest too many invalid recipients',
    'temporary_error',
    '550 Too many invalid recipients',
  ],
  [
    '5.2.1 disabled for spam is a block, not a disabled mailbox',
    'blocked',
    '550 5.2.1 Mailbox disabled for spam',
  ],
  ['5.1.8 sender address does not exist', 'blocked', '550 5.1.8 Sender address does not exist'],
  ['5.1.7 invalid sender', 'blocked', '550 5.1.7 Invalid sender address: user does not exist'],
  [
    '5.1.1 about our sender',
    'blocked',
    '550 5.1.1 <probe@verifier.test>: Sender address rejected: mailbox does not exist',
  ],
  ['bare sender does not exist', 'blocked', '550 Sender does not exist'],
  [
    'Comcast-style sender rejected',
    'blocked',
    '550 5.1.0 <probe@verifier.test> sender rejected : invalid sender domain',
  ],
  [
    'Postfix unknown sender domain',
    'blocked',
    '553 5.1.8 <probe@verifier.test>: Sender address rejected: Domain not found',
  ],
  ['5.1.2 domain does not exist', 'temporary_error', '550 5.1.2 Domain does not exist'],
  ['bare domain does not exist', 'temporary_error', '550 Domain does not exist'],
  ['no such domain at its own MX', 'temporary_error', '550 No such domain'],
  [
    'Gmail 553 5.1.2 recipient domain',
    'temporary_error',
    "553-5.1.2 We weren't able to find the recipient domain. Please check for any\r\n553 5.1.2 spelling errors, and make sure you didn't enter any spaces x - gsmtp",
  ],
  [
    'Gmail 553 5.1.3 not RFC 5321 (syntax disagreement)',
    'temporary_error',
    '553-5.1.3 The recipient address <a@b.test> is not a valid RFC-5321\r\n553 5.1.3 address. x - gsmtp',
  ],
  ['5.1.3 invalid recipient syntax', 'temporary_error', '550 5.1.3 Invalid recipient syntax'],
  [
    'Postfix non-FQDN 5.5.2',
    'temporary_error',
    '504 5.5.2 <a>: Recipient address rejected: need fully-qualified address',
  ],
  [
    '5xx greylisting text',
    'temporary_error',
    '550 Recipient rejected: greylisted, try again in 5 minutes',
  ],
  [
    'GMX mailbox unavailable for our sender DNS',
    'temporary_error',
    '550-Requested action not taken: mailbox unavailable\r\n550 invalid DNS MX or A/AAAA resource record',
  ],
  [
    'IONOS mailbox unavailable sender not allowed',
    'blocked',
    '550-Requested action not taken: mailbox unavailable\r\n550 Sender address is not allowed.',
  ],
  [
    'MailEnable mailbox unavailable or not local (relay)',
    'temporary_error',
    '550 Requested action not taken: mailbox unavailable or not local',
  ],
  [
    'mailbox unavailable because of our IP',
    'blocked',
    '550 Requested action not taken: mailbox unavailable; IP blocked',
  ],
  [
    '5.4.1 relay access denied (Microsoft, not DBEB)',
    'temporary_error',
    '550 5.4.1 Relay Access Denied ATTR35',
  ],
  ['block list text beats 5.1.1', 'blocked', '550 5.1.1 Rejected: your IP is on our block list'],
  [
    'Postfix relay recipient table stays a missing mailbox',
    'mailbox_not_found',
    '550 5.1.1 <a@b.test>: Recipient address rejected: User unknown in relay recipient table',
  ],
  ['No such user here', 'mailbox_not_found', '550 No such user here'],
  [
    'Exim recipient callout',
    'mailbox_not_found',
    '550-Callout verification failed:\r\n550 550 5.1.1 User unknown',
  ],
  [
    'Exim sender callout',
    'blocked',
    '550-Verification failed for <probe@verifier.test>\r\n550-Unrouteable address\r\n550 Sender verify failed',
  ],
  ['IronPort LDAP reject', 'mailbox_not_found', '550 #5.1.0 Address rejected.'],
  [
    'Mail.ru user not found',
    'mailbox_not_found',
    '550 Message was not accepted -- invalid mailbox. Local mailbox a@mail.ru is unavailable: user not found',
  ],
  [
    'Yahoo TSS04 complaints is never undeliverable',
    'temporary_error',
    '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
  ],
  ['4xx user unknown try later', 'temporary_error', '451 4.1.1 User unknown; try later'],
];

describe('classifyRcptReply review regressions', () => {
  for (const [name, expected, text] of REVIEW_CASES) {
    it(`${name} → ${expected}`, () => {
      const reply = parseReply(text);
      const got = explainRcptReply(reply);
      assert.equal(got.outcome, expected, `rule ${got.rule} for ${JSON.stringify(reply.message)}`);
    });
  }

  it('no 4xx anywhere in the tables becomes a missing or disabled mailbox', () => {
    for (const [, , text] of [...RCPT_CASES, ...REVIEW_CASES]) {
      const reply = parseReply(text);
      if (reply.code >= 500) continue;
      const outcome = classifyRcptReply(reply);
      assert.ok(outcome !== 'mailbox_not_found' && outcome !== 'mailbox_disabled', text);
    }
  });
});

describe('isTooManyRecipients', () => {
  it('detects 452 4.5.3 and the pre-RFC 5321 forms', () => {
    assert.equal(isTooManyRecipients(parseReply('452 4.5.3 Error: too many recipients')), true);
    assert.equal(
      isTooManyRecipients(parseReply('452 Too many recipients received this hour')),
      true,
    );
    assert.equal(isTooManyRecipients(parseReply('552 5.5.3 Too many recipients')), true);
    assert.equal(isTooManyRecipients(parseReply('452 4.2.2 Mailbox full')), false);
    assert.equal(isTooManyRecipients(parseReply('550 5.1.1 User unknown')), false);
    assert.equal(
      classifyRcptReply(parseReply('452 4.5.3 Error: too many recipients')),
      'temporary_error',
    );
  });
});

describe('classifySessionReply (banner, EHLO, MAIL FROM)', () => {
  const cases: Array<[string, SmtpOutcome]> = [
    ['554 5.7.1 No SMTP service here', 'blocked'],
    [
      '554-gmx.net (mxgmx114) Nemesis ESMTP Service not available\r\n554-No SMTP service\r\n554 Bad DNS PTR resource record.',
      'blocked',
    ],
    ['550 5.7.1 Sender address rejected: not owned by user', 'blocked'],
    ['421 4.7.0 mx.test Error: too many connections', 'temporary_error'],
    ['451 4.7.1 Greylisted, please try again in 300 seconds', 'greylisted'],
    ['450 4.7.1 Client host rejected: cannot find your reverse hostname', 'blocked'],
    ['451 4.3.0 Temporary lookup failure', 'temporary_error'],
    ['553 5.1.8 <probe@bad.test>: Sender address rejected: Domain not found', 'blocked'],
  ];
  for (const [text, expected] of cases) {
    it(`${text.split('\r\n')[0]} → ${expected}`, () => {
      assert.equal(classifySessionReply(parseReply(text)), expected);
    });
  }
});
