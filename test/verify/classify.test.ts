import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, DEFAULT_RISK_POLICY, type Evidence } from '../../src/verify/classify.js';
import type { ListVerdict } from '../../src/verify/lists/list-verdict.js';
import type { MailRoute } from '../../src/verify/dns/mail-route.js';
import type { SmtpOutcome, SmtpVerdict } from '../../src/verify/smtp/smtp-verdict.js';

const clean: ListVerdict = {
  allowed: false,
  denied: false,
  disposable: false,
  relay: false,
  free: false,
  role: false,
  suggestion: null,
};
const mx: MailRoute = {
  kind: 'mx',
  hosts: [{ exchange: 'mx.example.com', preference: 10, addresses: ['192.0.2.1'] }],
};

function smtp(outcome: SmtpOutcome, extra: Partial<SmtpVerdict> = {}): SmtpVerdict {
  return {
    outcome,
    catchAll: false,
    provider: null,
    smtp: {
      checked: true,
      mxHost: 'mx.example.com',
      code: 250,
      enhancedCode: null,
      message: 'ok',
      tls: false,
      attempts: 1,
    },
    ...extra,
  };
}
function ev(partial: Partial<Evidence>): Evidence {
  return { syntaxValid: true, lists: clean, route: mx, smtp: null, ...partial };
}

test('reasons reachable without SMTP', () => {
  const cases: [Partial<Evidence>, string, string][] = [
    [{ syntaxValid: false, lists: null, route: null }, 'undeliverable', 'invalid_syntax'],
    [{ route: { kind: 'nxdomain' } }, 'undeliverable', 'no_such_domain'],
    [{ route: { kind: 'no_mail_server' } }, 'undeliverable', 'no_mail_server'],
    [{ route: { kind: 'null_mx' } }, 'undeliverable', 'null_mx'],
    [{ route: { kind: 'error', error: 'servfail', message: 'SERVFAIL' } }, 'unknown', 'dns_error'],
    [{}, 'unknown', 'smtp_skipped'],
    [{ lists: { ...clean, disposable: true } }, 'risky', 'disposable'],
    [{ lists: { ...clean, suggestion: 'a@gmail.com' } }, 'risky', 'possible_typo'],
  ];
  for (const [e, status, reason] of cases) {
    const v = classify(ev(e));
    assert.deepEqual([v.status, v.reason], [status, reason], JSON.stringify(e));
  }
});

test('dns_error is retryable and never undeliverable', () => {
  const v = classify(ev({ route: { kind: 'error', error: 'timeout', message: 't' } }));
  assert.equal(v.status, 'unknown');
  assert.equal(v.retryable, true);
});

test('role accounts are risky only when the policy says so', () => {
  const e = ev({ lists: { ...clean, role: true }, smtp: smtp('accepted') });
  assert.equal(classify(e).reason, 'accepted');
  const v = classify(e, { ...DEFAULT_RISK_POLICY, roleIsRisky: true });
  assert.deepEqual([v.status, v.reason], ['risky', 'role_account']);
});

test('undeliverable evidence outranks risky flags', () => {
  const lists = { ...clean, role: true, disposable: true, suggestion: 'x@y.z' };
  const policy = { ...DEFAULT_RISK_POLICY, roleIsRisky: true };
  assert.equal(
    classify(ev({ lists, smtp: smtp('mailbox_not_found') }), policy).reason,
    'mailbox_not_found',
  );
  assert.equal(classify(ev({ lists, route: { kind: 'null_mx' } }), policy).reason, 'null_mx');
});

test('SMTP outcomes map to the contract', () => {
  const cases: [SmtpOutcome, string, string, boolean][] = [
    ['accepted', 'deliverable', 'accepted', false],
    ['mailbox_not_found', 'undeliverable', 'mailbox_not_found', false],
    ['mailbox_disabled', 'undeliverable', 'mailbox_disabled', false],
    ['unroutable_mx', 'undeliverable', 'unroutable_mx', false],
    ['mailbox_full', 'risky', 'mailbox_full', true],
    ['greylisted', 'unknown', 'greylisted', true],
    ['timeout', 'unknown', 'timeout', true],
    ['connection_failed', 'unknown', 'connection_failed', true],
    ['temporary_error', 'unknown', 'smtp_temporary_error', true],
    ['blocked', 'unknown', 'blocked', true],
    ['mx_unavailable', 'unknown', 'mx_unavailable', true],
    ['provider_unverifiable', 'unknown', 'provider_unverifiable', false],
  ];
  for (const [outcome, status, reason, retryable] of cases) {
    const v = classify(ev({ smtp: smtp(outcome) }));
    assert.deepEqual([v.status, v.reason, v.retryable], [status, reason, retryable], outcome);
  }
});

test('catch-all acceptance is risky by default and deliverable when the policy allows', () => {
  const e = ev({ smtp: smtp('accepted', { catchAll: true }) });
  assert.equal(classify(e).reason, 'catch_all');
  assert.equal(classify(e, { ...DEFAULT_RISK_POLICY, catchAllIsRisky: false }).reason, 'accepted');
});

test('retryAfterSeconds is passed through for greylisting', () => {
  const v = classify(ev({ smtp: smtp('greylisted', { retryAfterSeconds: 300 }) }));
  assert.equal(v.retryAfterSeconds, 300);
});

test('scores stay within 0..100 and order good above bad', () => {
  const good = classify(ev({ smtp: smtp('accepted') })).score;
  const bad = classify(ev({ smtp: smtp('mailbox_not_found') })).score;
  assert.ok(good > bad);
  const freeRisky = classify(ev({ lists: { ...clean, free: true }, smtp: smtp('accepted') }), {
    ...DEFAULT_RISK_POLICY,
    freeIsRisky: true,
  });
  assert.ok(freeRisky.score < good);
  assert.equal(freeRisky.status, 'deliverable');
});
