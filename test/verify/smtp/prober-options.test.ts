import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSmtpProber } from '../../../src/verify/smtp/prober.js';
import { createSocketFactory } from '../../../src/verify/smtp/connect.js';

const connect = createSocketFactory();

test('a prober refuses an unsafe HELO name or sender before any connection', () => {
  assert.throws(
    () => createSmtpProber({ heloName: 'a\r\nRCPT TO:<x@y>', mailFrom: 'p@mailvet.test', connect }),
    {
      code: 'MV_ERR_INVALID_ARGUMENT',
    },
  );
  assert.throws(
    () => createSmtpProber({ heloName: 'verify.mailvet.test', mailFrom: 'p@x>\r\nDATA', connect }),
    {
      code: 'MV_ERR_INVALID_ARGUMENT',
    },
  );
});

test('a well-formed HELO name and sender are accepted', async () => {
  const prober = createSmtpProber({
    heloName: 'verify.mailvet.test',
    mailFrom: 'probe@mailvet.test',
    connect,
  });
  await prober.close();
});
