import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeBatch, type RecipientRequest } from '../../../src/verify/smtp/recipient-batch.js';

function req(recipient: string, smtputf8 = false): RecipientRequest {
  const domain = recipient.slice(recipient.indexOf('@') + 1);
  return { domain, recipient, smtputf8, enqueuedAt: 0, requeues: 0, resolve: () => {} };
}

test('takes up to m recipients of the head domain, keeping the rest in order', () => {
  const queue = [
    req('a@x.test'),
    req('b@y.test'),
    req('c@x.test'),
    req('d@x.test'),
    req('e@y.test'),
  ];
  const batch = takeBatch(queue, 2);
  assert.deepEqual(
    batch.map((r) => r.recipient),
    ['a@x.test', 'c@x.test'],
  );
  assert.deepEqual(
    queue.map((r) => r.recipient),
    ['b@y.test', 'd@x.test', 'e@y.test'],
  );
});

test('never mixes SMTPUTF8 and plain recipients in one transaction', () => {
  const queue = [req('a@x.test'), req('ü@x.test', true), req('b@x.test')];
  const batch = takeBatch(queue, 10);
  assert.deepEqual(
    batch.map((r) => r.recipient),
    ['a@x.test', 'b@x.test'],
  );
  assert.equal(queue.length, 1);
  assert.deepEqual(takeBatch([], 5), []);
});
