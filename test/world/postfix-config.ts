/**
 * The private Postfix configuration of the test world: a main.cf and master.cf
 * that make one real MTA answer RCPT like the three kinds of domain mailvet
 * must tell apart. Nothing is ever delivered (no DATA is sent by the tests;
 * if something is, it is discarded).
 */

export interface PostfixDomains {
  /** Only `knownUsers` exist; any other local part is 550 5.1.1. */
  accept: string;
  /** Every local part is accepted. */
  catchAll: string;
  /** Every recipient is answered 450 4.2.0 "Greylisted". */
  greylist: string;
}

export interface PostfixConfigInput {
  /** The instance root: etc/ (config + maps), queue/, data/, maillog. */
  dir: string;
  host: string;
  port: number;
  myhostname: string;
  domains: PostfixDomains;
  knownUsers: readonly string[];
}

/** The text that the greylist domain answers, after Postfix's own prefix. */
export const GREYLIST_TEXT = 'Greylisted, try again later';

/** Where main.cf, master.cf and the maps live; `postfix -c` takes this. */
export function configDir(dir: string): string {
  return `${dir}/etc`;
}

/**
 * main.cf. Every path is inside `dir`, so this instance shares nothing with a
 * system Postfix (own queue, data directory, pid and lock files). The queue is
 * kept outside the config directory because `postfix check` expects config
 * files owned by root and queue files owned by postfix.
 */
export function mainCf(input: PostfixConfigInput): string {
  const { dir, domains } = input;
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    'command_directory = /usr/sbin',
    'daemon_directory = /usr/lib/postfix/sbin',
    'meta_directory = /etc/postfix',
    'shlib_directory = /usr/lib/postfix',
    'mail_owner = postfix',
    'setgid_group = postdrop',
    // Logs go to a file in the instance dir: CI containers have no syslog.
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${dir}/maillog`,
    // Postfix only accepts addresses configured on an interface here, and
    // 127.0.0.25 is not; master.cf names the exact listen address instead.
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    `myhostname = ${input.myhostname}`,
    'mydomain = mailvet.test',
    'myorigin = $myhostname',
    // No local delivery and no relaying: the only domains are the virtual test domains.
    'mydestination =',
    'relay_domains =',
    'local_recipient_maps =',
    'alias_maps =',
    'alias_database =',
    // Only the instance's own address is "trusted", so loopback test clients
    // are strangers and the server behaves as it would on the internet.
    `mynetworks = ${input.host}/32`,
    `virtual_mailbox_domains = ${domains.accept}, ${domains.catchAll}, ${domains.greylist}`,
    `virtual_mailbox_maps = hash:${configDir(dir)}/virtual_mailbox`,
    'virtual_transport = discard:',
    'smtpd_reject_unlisted_recipient = yes',
    'smtpd_helo_required = yes',
    'smtpd_client_restrictions =',
    'smtpd_helo_restrictions =',
    'smtpd_sender_restrictions =',
    'smtpd_relay_restrictions = reject_unauth_destination',
    `smtpd_recipient_restrictions = check_recipient_access hash:${configDir(dir)}/recipient_access, reject_unlisted_recipient`,
    'disable_vrfy_command = yes',
    // Postfix sleeps after rejected commands to slow down harvesters; the test
    // world wants answers, not tarpitting (the scripted peers model that).
    'smtpd_error_sleep_time = 0',
    'smtpd_soft_error_limit = 1000',
    'smtpd_hard_error_limit = 1000',
    // No reverse DNS on clients: the test world has no resolver for 127.0.0.x.
    'smtpd_peername_lookup = no',
    'smtp_host_lookup = native',
    'smtpd_banner = $myhostname ESMTP mailvet-test-postfix',
    'smtpd_tls_security_level = none',
    'biff = no',
    'smtputf8_enable = yes',
    '',
  ].join('\n');
}

/**
 * master.cf: the one SMTP listener on the test address, plus the internal
 * services smtpd needs to answer RCPT (cleanup opens a queue file at MAIL
 * FROM; trivial-rewrite classifies recipient domains). No delivery agents
 * other than discard, no pickup, no chroot.
 */
export function masterCf(input: PostfixConfigInput): string {
  return [
    `${input.host}:${input.port} inet n - n - - smtpd`,
    'cleanup   unix n - n - 0 cleanup',
    'qmgr      unix n - n 300 1 qmgr',
    'rewrite   unix - - n - - trivial-rewrite',
    'bounce    unix - - n - 0 bounce',
    'defer     unix - - n - 0 bounce',
    'trace     unix - - n - 0 bounce',
    'verify    unix - - n - 1 verify',
    'proxymap  unix - - n - - proxymap',
    'anvil     unix - - n - 1 anvil',
    'scache    unix - - n - 1 scache',
    'discard   unix - - n - - discard',
    'error     unix - - n - - error',
    'retry     unix - - n - - error',
    'postlog   unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n');
}

/** virtual_mailbox_maps source: known users, plus the catch-all wildcard. */
export function virtualMailboxMap(input: PostfixConfigInput): string {
  const { domains } = input;
  const lines = input.knownUsers.map(
    (user) => `${user}@${domains.accept} ${domains.accept}/${user}/`,
  );
  lines.push(`@${domains.catchAll} ${domains.catchAll}/catchall/`);
  return `${lines.join('\n')}\n`;
}

/** check_recipient_access source: the greylist domain always defers. */
export function recipientAccessMap(input: PostfixConfigInput): string {
  return `${input.domains.greylist} 450 4.2.0 ${GREYLIST_TEXT}\n`;
}
