import t from 'tap'
import { peerAddress } from '../../src/grpc/peer-address.js'

t.test('grpc-js 1.14 host:port peers, IPv6 unbracketed', async (t) => {
  t.equal(peerAddress('127.0.0.1:1234'), '127.0.0.1')
  t.equal(peerAddress('10.20.30.40:65535'), '10.20.30.40')
  t.equal(peerAddress('::1:1234'), '::1')
  t.equal(peerAddress('::ffff:127.0.0.1:1234'), '::ffff:127.0.0.1', 'IPv4-mapped: the rate limiter folds it into 127.0.0.1')
  t.equal(peerAddress('fe80::1:5000'), 'fe80::1', 'the last number is the port')
})

t.test('bracketed IPv6 and the ipv4:/ipv6: URI form', async (t) => {
  t.equal(peerAddress('[::1]:1234'), '::1')
  t.equal(peerAddress('[2001:db8::7]'), '2001:db8::7')
  t.equal(peerAddress('ipv4:127.0.0.1:1234'), '127.0.0.1')
  t.equal(peerAddress('ipv6:[::1]:1234'), '::1')
  t.equal(peerAddress('ipv6:[fe80::1]:5000'), 'fe80::1')
})

t.test('a socket without a port gives the bare address', async (t) => {
  t.equal(peerAddress('192.168.0.9'), '192.168.0.9')
  t.equal(peerAddress('::1'), '::1')
})

t.test('anything that is not an IP address gives undefined', async (t) => {
  for (const peer of ['unknown', '', 'unix:/tmp/driber.sock', 'unix:/tmp/sock:123', 'localhost:1234', '[not-an-ip]:1', 'ipv4:999.1.1.1:80', '127.0.0.1:']) {
    t.equal(peerAddress(peer), undefined, JSON.stringify(peer))
  }
})
