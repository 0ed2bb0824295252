import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRange, isPublicAddress } from '../../../src/verify/smtp/address-policy.js';

function expectRange(cases: Array<[ip: string, range: string]>): void {
  for (const [ip, range] of cases) {
    assert.equal(addressRange(ip), range, `${ip} should be ${range}`);
    assert.equal(isPublicAddress(ip), range === 'public', `isPublicAddress(${ip})`);
  }
}

test('public IPv4 and IPv6 unicast addresses are allowed', () => {
  expectRange([
    ['8.8.8.8', 'public'],
    ['142.250.102.26', 'public'], // a Google MX
    ['1.1.1.1', 'public'],
    ['100.63.255.255', 'public'], // just below CGNAT
    ['100.128.0.0', 'public'], // just above CGNAT
    ['172.15.255.255', 'public'], // just below 172.16/12
    ['172.32.0.0', 'public'], // just above 172.16/12
    ['198.17.255.255', 'public'], // just below benchmarking
    ['198.20.0.0', 'public'], // just above benchmarking
    ['223.255.255.255', 'public'], // last before multicast
    ['2a00:1450:400c:c0b::1a', 'public'], // a Google MX over IPv6
    ['2606:4700:4700::1111', 'public'],
  ]);
});

test('loopback, private and link-local ranges are refused', () => {
  expectRange([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fdff:ffff::1', 'uniqueLocal'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['febf::1', 'linkLocal'],
    ['fec0::1', 'siteLocal'],
  ]);
});

test('CGNAT, multicast, unspecified, broadcast and reserved ranges are refused', () => {
  expectRange([
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['2001:10::1', 'reserved'], // ORCHID, inside 2001::/23
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'], // outside 2000::/3: unallocated
    ['100::1', 'discard'],
  ]);
});

test('documentation and benchmarking ranges are refused', () => {
  expectRange([
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.255', 'documentation'],
    ['2001:db8::25', 'documentation'],
    ['3fff::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
  ]);
});

test('cloud metadata endpoints are named as such', () => {
  expectRange([
    ['169.254.169.254', 'cloudMetadata'],
    ['169.254.170.2', 'cloudMetadata'],
    ['100.100.100.200', 'cloudMetadata'],
    ['192.0.0.192', 'cloudMetadata'],
    ['fd00:ec2::254', 'cloudMetadata'],
    ['::ffff:169.254.169.254', 'cloudMetadata'],
  ]);
});

test('IPv4-mapped IPv6 is judged by the IPv4 inside', () => {
  expectRange([
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'], // same address in hex words
    ['::ffff:8.8.8.8', 'public'],
  ]);
});

test('NAT64, 6to4 and Teredo are judged by their embedded IPv4', () => {
  expectRange([
    ['64:ff9b::a00:1', 'private'], // 10.0.0.1 through the NAT64 well-known prefix
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::808:808', 'public'], // 8.8.8.8
    ['64:ff9b:1::a00:1', 'nat64LocalUse'],
    ['2002:c0a8:101::1', 'private'], // 6to4 of 192.168.1.1
    ['2002:a9fe:a9fe::1', 'cloudMetadata'], // 6to4 of 169.254.169.254
    ['2002:808:808::1', 'public'], // 6to4 of 8.8.8.8
    // Teredo: server 65.54.227.120, client obfuscated 0x3fff:fdd2 → 192.0.2.45
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'documentation'],
    // Teredo: server 8.8.8.8, client ~(0xf5ff:fffe) = 10.0.0.1
    ['2001:0:808:808::f5ff:fffe', 'private'],
    // Teredo: server 10.0.0.1 (private) is refused even with a public client
    ['2001:0:a00:1::f7f7:f7f7', 'private'],
    // Teredo with public server 8.8.8.8 and public client 8.8.8.8
    ['2001:0:808:808::f7f7:f7f7', 'public'],
  ]);
});

test('deprecated IPv4-compatible and translated forms are never public', () => {
  expectRange([
    ['::10.0.0.1', 'private'],
    ['::8.8.8.8', 'reserved'],
    ['::ffff:0:a00:1', 'private'],
    ['::ffff:0:808:808', 'reserved'],
  ]);
});

test('anything that is not a canonical IP literal is invalid, never public', () => {
  expectRange([
    ['', 'invalid'],
    ['localhost', 'invalid'],
    ['mx.example.com', 'invalid'],
    ['127.1', 'invalid'], // inet_aton shorthand
    ['2130706433', 'invalid'], // 127.0.0.1 as one number
    ['0x7f.0.0.1', 'invalid'],
    ['010.0.0.1', 'invalid'], // octal-looking
    ['1.2.3.4.5', 'invalid'],
    ['8.8.8.8 ', 'invalid'],
    ['[::1]', 'invalid'],
    ['10.0.0.0/8', 'invalid'],
  ]);
  assert.equal(addressRange(undefined as unknown as string), 'invalid');
});
