import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../src/verify/classify.js';
import type { MailRoute } from '../../src/verify/dns/mail-route.js';
import type { SmtpVerdict } from '../../src/verify/smtp/smtp-verdict.js';

const unroutable: SmtpVerdict = {
  outcome: 'unroutable_mx',
  catchAll: null,
  provider: null,
  smtp: {
    checked: false,
    mxHost: 'mx1.split.test',
    code: null,
    enhancedCode: null,
    message: 'refused: private address',
    tls: false,
    attempts: 1,
  },
};

test('unroutable_mx while another MX host failed to resolve is unknown/dns_error, retryable', () => {
  const route: MailRoute = {
    kind: 'mx',
    hosts: [
      { exchange: 'mx1.split.test', preference: 10, addresses: ['10.0.0.1'] },
      { exchange: 'mx2.split.test', preference: 20, addresses: [], addressError: 'error' },
    ],
  };
  const v = classify({ syntaxValid: true, lists: null, route, smtp: unroutable });
  assert.equal(v.status, 'unknown');
  assert.equal(v.reason, 'dns_error');
  assert.equal(v.retryable, true);
});

test('unroutable_mx with every host resolved (or definitively absent) stays undeliverable', () => {
  const route: MailRoute = {
    kind: 'mx',
    hosts: [
      { exchange: 'mx1.split.test', preference: 10, addresses: ['10.0.0.1'] },
      { exchange: 'mx2.split.test', preference: 20, addresses: [], addressError: 'nxdomain' },
    ],
  };
  const v = classify({ syntaxValid: true, lists: null, route, smtp: unroutable });
  assert.equal(v.status, 'undeliverable');
  assert.equal(v.reason, 'unroutable_mx');
});
