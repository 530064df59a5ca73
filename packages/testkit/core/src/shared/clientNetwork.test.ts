import test from 'ava';
import { canonicalIp, clientNetwork } from './clientNetwork.js';

test('canonicalIp spells an address one way, and refuses what is not one', (t) => {
  t.is(canonicalIp('192.0.2.7'), '192.0.2.7');
  t.is(canonicalIp('::ffff:192.0.2.7'), '192.0.2.7');
  t.is(canonicalIp('::FFFF:192.0.2.7'), '192.0.2.7');
  t.is(canonicalIp('2001:DB8::1'), '2001:db8::1');
  t.is(canonicalIp('fe80::1%eth0'), 'fe80::1');
  t.is(canonicalIp(' ::1 '), '::1');
  for (const garbage of ['', 'unknown', '1.2.3', '999.1.1.1', '1.2.3.4:80', 'a, b']) {
    t.is(canonicalIp(garbage), undefined, garbage);
  }
});

test('clientNetwork keeps IPv4 addresses and groups IPv6 addresses by /64', (t) => {
  t.is(clientNetwork('::ffff:10.0.0.1'), '10.0.0.1');
  t.is(clientNetwork('2001:db8:1:2:aa::1'), '2001:db8:1:2::/64');
  t.is(clientNetwork('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  t.is(clientNetwork('2001:db8::1'), '2001:db8:0:0::/64');
  t.is(clientNetwork('::1'), '0:0:0:0::/64');
  t.is(clientNetwork('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  t.is(clientNetwork('nope'), undefined);
});
