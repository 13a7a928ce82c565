/** Known answers for the webhook address rule (security/webhook-address.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressAllowed, classifyAddress, ipLiteral } from '../src/security/webhook-address.ts';

describe('webhook addresses', () => {
  it('public unicast is public; loopback, RFC 1918, unique-local and CGNAT are private', () => {
    for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) assert.equal(classifyAddress(ip), 'public', ip);
    for (const ip of ['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '::1', 'fd12:3456::1', '100.64.0.1', '::ffff:10.0.0.1'])
      assert.equal(classifyAddress(ip), 'private', ip);
  });

  it('metadata, link-local and non-host addresses are forbidden, even with WEBHOOK_ALLOW_PRIVATE', () => {
    for (const ip of [
      '169.254.169.254',
      '169.254.170.2',
      'fe80::1',
      '100.100.100.200',
      'fd00:ec2::254',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      '255.255.255.255',
      '::ffff:169.254.169.254',
      '2002:a00:1::1',
      'nonsense',
    ]) {
      assert.equal(classifyAddress(ip), 'forbidden', ip);
      assert.equal(addressAllowed(ip, true), false, ip);
    }
  });

  it('private addresses are allowed only with WEBHOOK_ALLOW_PRIVATE', () => {
    assert.equal(addressAllowed('127.0.0.1', false), false);
    assert.equal(addressAllowed('127.0.0.1', true), true);
    assert.equal(addressAllowed('8.8.8.8', false), true);
  });

  it('ipLiteral finds IP hosts, bracketed IPv6 too, and not names', () => {
    assert.equal(ipLiteral('127.0.0.1'), '127.0.0.1');
    assert.equal(ipLiteral('[::1]'), '::1');
    assert.equal(ipLiteral('hooks.example.com'), null);
  });
});
