import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_PROVIDERS, recogniseProvider } from '../../../src/verify/smtp/providers.js';

function idOf(...hosts: string[]): string | null {
  return recogniseProvider(hosts)?.id ?? null;
}

test('real MX host names map to their provider', () => {
  const cases: Array<[host: string, id: string]> = [
    ['aspmx.l.google.com', 'google'],
    ['alt4.aspmx.l.google.com', 'google'],
    ['gmail-smtp-in.l.google.com', 'google'],
    ['smtp.google.com', 'google'],
    ['aspmx3.googlemail.com', 'google'],
    ['contoso-com.mail.protection.outlook.com', 'microsoft'],
    ['outlook-com.olc.protection.outlook.com', 'microsoft'],
    ['mx1.hotmail.com', 'microsoft'],
    ['mta7.am0.yahoodns.net', 'yahoo'],
    ['mx-aol.mail.gm0.yahoodns.net', 'yahoo'],
    ['mx01.mail.icloud.com', 'icloud'],
    ['mx.zoho.com', 'zoho'],
    ['mx2.zoho.eu', 'zoho'],
    ['mx.zoho.com.au', 'zoho'],
    ['mx0a-001b2d01.pphosted.com', 'proofpoint'],
    ['mx1-us1.ppe-hosted.com', 'proofpoint'],
    ['us-smtp-inbound-1.mimecast.com', 'mimecast'],
    ['d123456a.ess.barracudanetworks.com', 'barracuda'],
    ['in1-smtp.messagingengine.com', 'fastmail'],
    ['mail.protonmail.ch', 'protonmail'],
    ['mx.yandex.net', 'yandex'],
    ['mxs.mail.ru', 'mailru'],
    ['mx00.gmx.net', 'gmx'],
    ['mx-ha03.web.de', 'webde'],
    ['mx00.ionos.de', 'ionos'],
    ['mx1.mail.ovh.net', 'ovh'],
    ['mx1.emailsrvr.com', 'rackspace'],
    ['mx0.secureserver.net', 'godaddy'],
    ['mxbiz1.qq.com', 'qq'],
    ['route1.mx.cloudflare.net', 'cloudflare'],
  ];
  for (const [host, id] of cases) assert.equal(idOf(host), id, host);
});

test('matching is case-insensitive and ignores a trailing dot', () => {
  assert.equal(idOf('ASPMX.L.GOOGLE.COM.'), 'google');
  assert.equal(idOf('MX01.Mail.iCloud.com'), 'icloud');
});

test('only whole labels match', () => {
  assert.equal(idOf('notgoogle.com'), null);
  assert.equal(idOf('mx.evilgoogle.com'), null);
  assert.equal(idOf('google.com.attacker.example'), null);
  assert.equal(idOf('icloud.com'), null); // only mail.icloud.com hosts are iCloud Mail
  assert.equal(idOf('cloudflare.net'), null);
});

test('unknown, empty and malformed input give null', () => {
  assert.equal(recogniseProvider([]), null);
  assert.equal(idOf('mx.example.com'), null);
  assert.equal(idOf(''), null);
  assert.equal(idOf('.'), null);
  assert.equal(idOf('a'.repeat(300) + '.google.com'), null);
  assert.equal(recogniseProvider([undefined as unknown as string, 'mx.zoho.com'])?.id, 'zoho');
});

test('the first recognised host in preference order decides', () => {
  assert.equal(
    idOf('mx.example.com', 'eu-smtp-inbound-1.mimecast.com', 'aspmx.l.google.com'),
    'mimecast',
  );
  assert.equal(idOf('aspmx.l.google.com', 'mx.example.com'), 'google');
});

test('only Yahoo/AOL is marked as accepting every recipient', () => {
  const yahoo = recogniseProvider(['mta5.am0.yahoodns.net']);
  assert.equal(yahoo?.acceptsAllRcpt, true);
  assert.equal(yahoo?.name, 'Yahoo / AOL');
  assert.deepEqual(
    KNOWN_PROVIDERS.filter((p) => p.acceptsAllRcpt).map((p) => p.id),
    ['yahoo'],
  );
});

test('every provider has an id, a name and notes, and ids are unique', () => {
  const ids = KNOWN_PROVIDERS.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const p of KNOWN_PROVIDERS) {
    assert.ok(p.name.length > 0 && p.notes.length > 0, p.id);
    assert.ok(Object.isFrozen(p), `${p.id} is frozen`);
  }
});
