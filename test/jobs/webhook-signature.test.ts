import assert from 'node:assert/strict';
import { it } from 'node:test';
import { signWebhook } from '../../src/jobs/webhook-signature.js';
// Through the package entry, as a receiver's code would import it.
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/index.js';

/*
 * The webhook signature check as the package exports it: what docs/jobs.md
 * tells receivers to use. (Deliveries themselves are tested against a real
 * receiver in test/server/jobs.test.ts.)
 */

const SECRET = 'whsec_test_only';
const BODY = '{"event":"job.completed","job":{"id":"job_x","state":"completed"}}';
const now = () => Math.floor(Date.now() / 1000);

it('accepts its own signature over the raw body, names the header', () => {
  assert.equal(SIGNATURE_HEADER, 'mailvet-signature');
  assert.equal(verifyWebhookSignature(SECRET, signWebhook(SECRET, BODY, now()), BODY, now()), true);
});

it('refuses another secret, an altered body, a malformed header and a replay', () => {
  const header = signWebhook(SECRET, BODY, now());
  assert.equal(verifyWebhookSignature('whsec_other', header, BODY, now()), false);
  assert.equal(
    verifyWebhookSignature(SECRET, header, BODY.replace('completed', 'failed'), now()),
    false,
  );
  assert.equal(verifyWebhookSignature(SECRET, 't=1,v1=zz', BODY, now()), false);
  assert.equal(verifyWebhookSignature(SECRET, '', BODY, now()), false);
  const old = signWebhook(SECRET, BODY, now() - 3600);
  assert.equal(verifyWebhookSignature(SECRET, old, BODY, now()), false, 'outside the 300 s window');
});
