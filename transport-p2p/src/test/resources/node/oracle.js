// Line-oriented JSON oracle over the real npm packages, driven by the Java interop tests.
// Each stdin line is {"op": ..., ...}; each reply is one stdout line {"ok": true, ...} or {"ok": false, "error": "..."}.
// Byte strings travel as lowercase hex.
'use strict'
const readline = require('readline')
const sodium = require('sodium-universal')
const b4a = require('b4a')
const c = require('compact-encoding')
const z32 = require('z32')
const hcrypto = require('hypercore-crypto')
const curve = require('noise-curve-ed')
const { hkdf } = require('noise-handshake/hkdf')
const SymmetricState = require('noise-handshake/symmetric-state')
const NoiseSecretStream = require('@hyperswarm/secret-stream')
const { Duplex } = require('streamx')
const HyperDHT = require('hyperdht')
const NoiseWrap = require('hyperdht/lib/noise-wrap')
const m = require('hyperdht/lib/messages')
const { NS } = require('hyperdht/lib/constants')
const Persistent = require('hyperdht/lib/persistent')
const peer = require('dht-rpc/lib/peer')

const hex = (b) => b4a.toString(b, 'hex')
const buf = (h) => b4a.from(h || '', 'hex')

// Record symmetric-state steps per instance; a handshake's digest object identifies it.
let tracing = null
for (const name of ['mixHash', 'mixKey', 'encryptAndHash', 'decryptAndHash']) {
  const orig = SymmetricState.prototype[name]
  SymmetricState.prototype[name] = function (...args) {
    const r = orig.apply(this, args)
    const t = this._tunctlTrace
    if (t) {
      if (name === 'mixHash') t.push(['mixHash', hex(this.digest)])
      if (name === 'mixKey') { t.push(['mixKey.ck', hex(this.chainingKey)]); t.push(['mixKey.k', hex(this.key)]) }
      // these update the digest directly, not through mixHash
      if (name === 'encryptAndHash') { t.push(['encryptAndHash', hex(r)]); t.push(['mixHash', hex(this.digest)]) }
      if (name === 'decryptAndHash') { t.push(['decryptAndHash', hex(r)]); t.push(['mixHash', hex(this.digest)]) }
    }
    return r
  }
}

const handshakes = new Map()
const states = new Map()
const streams = new Map()

function keyPairFromSeed (seed) {
  return HyperDHT.keyPair(buf(seed))
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

async function settle () {
  for (let i = 0; i < 5; i++) await tick()
}

const ops = {
  keyPair ({ seed }) {
    const kp = keyPairFromSeed(seed)
    return { publicKey: hex(kp.publicKey), secretKey: hex(kp.secretKey), z32: z32.encode(kp.publicKey), target: hex(HyperDHT.hash(kp.publicKey)) }
  },
  z32Decode ({ text }) { return { hex: hex(z32.decode(text)) } },
  idDecode ({ text }) { return { hex: hex(require('hypercore-id-encoding').decode(text)) } },
  hash ({ out, key, parts }) {
    const o = b4a.alloc(out)
    const input = parts.map(buf)
    if (key) sodium.crypto_generichash_batch(o, input, buf(key))
    else sodium.crypto_generichash_batch(o, input)
    return { hex: hex(o) }
  },
  namespaces () {
    const ss = hcrypto.namespace('hyperswarm/secret-stream', 3)
    const base = b4a.alloc(32)
    sodium.crypto_generichash(base, b4a.from('hyperswarm/dht'))
    const out = { base: hex(base), NS_INITIATOR: hex(ss[0]), NS_RESPONDER: hex(ss[1]), NS_SEND: hex(ss[2]) }
    for (const k of Object.keys(NS)) out[k] = hex(NS[k])
    return out
  },
  nodeId ({ host, port }) { return { hex: hex(peer.id(host, port)) } },
  sign ({ secretKey, msg }) {
    const sig = b4a.alloc(64)
    sodium.crypto_sign_detached(sig, buf(msg), buf(secretKey))
    return { hex: hex(sig) }
  },
  verify ({ publicKey, msg, sig }) {
    return { valid: sodium.crypto_sign_verify_detached(buf(sig), buf(msg), buf(publicKey)) }
  },
  dh ({ publicKey, seed }) { return { hex: hex(curve.dh(buf(publicKey), curve.generateKeyPair(buf(seed)))) } },
  scalarMultNoClamp ({ n, p }) {
    const o = b4a.alloc(32)
    sodium.crypto_scalarmult_ed25519_noclamp(o, buf(n), buf(p))
    return { hex: hex(o) }
  },
  hkdf ({ salt, ikm }) { return { out: hkdf(buf(salt), buf(ikm)).map(hex) } },
  secretbox ({ msg, nonce, key }) {
    const o = b4a.alloc(buf(msg).length + 16)
    sodium.crypto_secretbox_easy(o, buf(msg), buf(nonce), buf(key))
    return { hex: hex(o) }
  },
  secretboxOpen ({ box, nonce, key }) {
    const b = buf(box)
    const o = b4a.alloc(b.length - 16)
    if (!sodium.crypto_secretbox_open_easy(o, b, buf(nonce), buf(key))) throw new Error('secretbox open failed')
    return { hex: hex(o) }
  },
  compactSamples () {
    const e = (enc, v) => hex(c.encode(enc, v))
    return {
      samples: [
        ['uint', 0, e(c.uint, 0)], ['uint', 252, e(c.uint, 252)], ['uint', 253, e(c.uint, 253)],
        ['uint', 65535, e(c.uint, 65535)], ['uint', 65536, e(c.uint, 65536)],
        ['uint', 4294967295, e(c.uint, 4294967295)], ['uint', 4294967296, e(c.uint, 4294967296)],
        ['uint16', 0x1234, e(c.uint16, 0x1234)], ['uint24', 0x123456, e(c.uint24, 0x123456)],
        ['uint32', 0x12345678, e(c.uint32, 0x12345678)],
        ['buffer', '010203', e(c.buffer, buf('010203'))], ['optionalBuffer', null, e(c.optionalBuffer, null)],
        ['string', 'abc', e(c.string, 'abc')], ['string', 'grüße', e(c.string, 'grüße')],
        ['ipv4Address', '1.2.3.4:49737', e(c.ipv4Address, { host: '1.2.3.4', port: 49737 })],
        ['ipv6Address', '[::1]:49737', e(require('compact-encoding-net').ipv6Address, { host: '::1', port: 49737 })],
        ['ipv6Address', '[2001:db8::ff00:42:8329]:443',
          e(require('compact-encoding-net').ipv6Address, { host: '2001:db8::ff00:42:8329', port: 443 })]
      ]
    }
  },
  signAnnounce ({ seed, target, token, id, relays, refresh, unannounce }) {
    const kp = keyPairFromSeed(seed)
    const ann = { peer: { publicKey: kp.publicKey, relayAddresses: relays || [] }, refresh: refresh ? buf(refresh) : null }
    const f = unannounce ? Persistent.signUnannounce : Persistent.signAnnounce
    return { hex: hex(f(buf(target), buf(token), buf(id), ann, kp)), peer: hex(c.encode(m.peer, ann.peer)) }
  },

  // --- hyperdht NoiseWrap with fixed static and ephemeral keys ---
  noiseNew ({ name, seed, remotePublicKey, ephemeralSeed }) {
    const w = new NoiseWrap(keyPairFromSeed(seed), remotePublicKey ? buf(remotePublicKey) : null)
    w.handshake._tunctlTrace = []
    if (ephemeralSeed) w.handshake.e = curve.generateKeyPair(buf(ephemeralSeed))
    handshakes.set(name, w)
    return {}
  },
  noiseSend ({ name, payload }) {
    const w = handshakes.get(name)
    const msg = w.send(c.decode(m.noisePayload, buf(payload)))
    return { message: hex(msg), trace: w.handshake._tunctlTrace.splice(0) }
  },
  noiseRecv ({ name, message }) {
    const w = handshakes.get(name)
    const p = w.recv(buf(message))
    return { payload: hex(c.encode(m.noisePayload, p)), trace: w.handshake._tunctlTrace.splice(0) }
  },
  noiseFinal ({ name }) {
    const f = handshakes.get(name).final()
    handshakes.delete(name)
    return {
      isInitiator: f.isInitiator, hash: hex(f.hash), tx: hex(f.tx), rx: hex(f.rx),
      remotePublicKey: hex(f.remotePublicKey), remoteId: hex(f.remoteId),
      streamId: hex(NoiseSecretStream.id(f.hash, f.isInitiator)), holepunchSecret: hex(f.holepunchSecret)
    }
  },

  // --- raw crypto_secretstream_xchacha20poly1305 states (libsodium) ---
  ssInit ({ name, key, header }) {
    // init_pull with a chosen header yields the same state init_push would have with that header
    const st = b4a.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES)
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(st, buf(header), buf(key))
    states.set(name, st)
    return {}
  },
  ssPush ({ name, msg, tag }) {
    const mm = buf(msg)
    const o = b4a.alloc(mm.length + 17)
    sodium.crypto_secretstream_xchacha20poly1305_push(states.get(name), o, mm, null, tag)
    return { hex: hex(o) }
  },
  ssPull ({ name, cipher }) {
    const cc = buf(cipher)
    const o = b4a.alloc(cc.length - 17)
    const tag = b4a.alloc(1)
    sodium.crypto_secretstream_xchacha20poly1305_pull(states.get(name), o, tag, cc, null)
    return { hex: hex(o), tag: tag[0] }
  },
  ssRekey ({ name }) { sodium.crypto_secretstream_xchacha20poly1305_rekey(states.get(name)); return {} },
  ssSetCounter ({ name, counter }) {
    // libsodium state layout: k(32) || nonce(12) = counter uint32 LE || inonce(8) || pad(8)
    const st = states.get(name)
    st.writeUInt32LE(counter >>> 0, 32)
    return {}
  },

  // --- a real NoiseSecretStream on an in-memory raw stream ---
  nssNew ({ name, isInitiator, tx, rx, hash, publicKey, remotePublicKey, keepAlive }) {
    const s = { out: [], messages: [], error: null, ended: false }
    s.raw = new Duplex({
      write (data, cb) { s.out.push(b4a.from(data)); cb(null) },
      final (cb) { s.rawEnded = true; cb(null) }
    })
    s.nss = new NoiseSecretStream(isInitiator, s.raw, {
      handshake: { tx: buf(tx), rx: buf(rx), hash: buf(hash), publicKey: buf(publicKey), remotePublicKey: buf(remotePublicKey) },
      keepAlive: keepAlive || 0
    })
    s.nss.on('data', (d) => s.messages.push(hex(d)))
    s.nss.on('end', () => { s.ended = true })
    s.nss.on('error', (e) => { s.error = e.message })
    s.nss.on('close', () => { s.closed = true })
    streams.set(name, s)
    return settle().then(() => drain(s))
  },
  nssFeed ({ name, data }) {
    const s = streams.get(name)
    s.raw.push(buf(data))
    return settle().then(() => drain(s))
  },
  nssWrite ({ name, msgs }) {
    const s = streams.get(name)
    for (const x of msgs) s.nss.write(buf(x))
    return settle().then(() => drain(s))
  },
  nssKeepAlive ({ name }) {
    const s = streams.get(name)
    s.nss.sendKeepAlive()
    return settle().then(() => drain(s))
  },
  nssEnd ({ name }) {
    const s = streams.get(name)
    s.nss.end()
    return settle().then(() => drain(s))
  },
  nssRemoteEnd ({ name }) {
    const s = streams.get(name)
    s.raw.push(null)
    return settle().then(() => drain(s))
  },
  nssDestroy ({ name }) {
    const s = streams.get(name)
    s.nss.destroy()
    streams.delete(name)
    return {}
  }
}

// --- dht-rpc and hyperdht message codecs (the real dht-rpc Request class and hyperdht lib/messages) ---
const DhtIO = require('dht-rpc/lib/io')
let dhtRig = null

// One dht-rpc IO over a fake UDX and socket: its Request class encodes and decodes, trySend records the datagram.
function rig () {
  if (dhtRig) return dhtRig
  const sent = []
  const socket = { trySend (b) { sent.push(b4a.from(b)) } }
  const table = { id: null, closer: [], closest () { return this.closer } }
  const io = new DhtIO(table, { watchNetworkInterfaces: () => ({ on () {}, destroy () {} }) }, { onrequest () {} })
  io.serverSocket = io.clientSocket = socket
  io.firewalled = false
  const probe = io.createRequest({ host: '127.0.0.1', port: 1 }, null, true, 0, null, null)
  io.inflight = []
  dhtRig = { io, table, socket, sent, Request: probe.constructor }
  return dhtRig
}

const B = (x) => (x === null || x === undefined ? null : buf(x))
const addr = (a) => (a ? { host: a.host, port: a.port } : null)
const addrs = (l) => (l ? l.map(addr) : null)
const H = (b) => (b ? hex(b) : null)
const peerIn = (p) => ({ publicKey: buf(p.publicKey), relayAddresses: addrs(p.relayAddresses) })
const peerOut = (p) => (p ? { publicKey: hex(p.publicKey), relayAddresses: addrs(p.relayAddresses) } : null)

const dhtCodecs = {
  peer: { enc: peerIn, dec: peerOut, codec: m.peer },
  announce: {
    enc: (x) => ({ peer: x.peer ? peerIn(x.peer) : null, refresh: B(x.refresh), signature: B(x.signature), bump: x.bump }),
    dec: (x) => ({ peer: peerOut(x.peer), refresh: H(x.refresh), signature: H(x.signature), bump: x.bump }),
    codec: m.announce
  },
  lookup: {
    // hyperdht's storage node hands lookupRawReply the already-encoded peer records
    enc: (x) => ({ peers: x.peers.map((p) => c.encode(m.peer, peerIn(p))), bump: x.bump }),
    dec: (x) => ({ peers: x.peers.map(peerOut), bump: x.bump }),
    codec: m.lookupRawReply
  },
  handshake: {
    enc: (x) => ({ mode: x.mode, noise: buf(x.noise), peerAddress: addr(x.peerAddress), relayAddress: addr(x.relayAddress) }),
    dec: (x) => ({ mode: x.mode, noise: hex(x.noise), peerAddress: addr(x.peerAddress), relayAddress: addr(x.relayAddress) }),
    codec: m.handshake
  },
  holepunch: {
    enc: (x) => ({ mode: x.mode, id: x.id, payload: buf(x.payload), peerAddress: addr(x.peerAddress) }),
    dec: (x) => ({ mode: x.mode, id: x.id, payload: hex(x.payload), peerAddress: addr(x.peerAddress) }),
    codec: m.holepunch
  },
  holepunchPayload: {
    enc: (x) => ({
      connected: x.connected, punching: x.punching, error: x.error, firewall: x.firewall, round: x.round,
      addresses: addrs(x.addresses), remoteAddress: addr(x.remoteAddress), token: B(x.token), remoteToken: B(x.remoteToken)
    }),
    dec: (x) => ({
      connected: x.connected, punching: x.punching, error: x.error, firewall: x.firewall, round: x.round,
      addresses: addrs(x.addresses), remoteAddress: addr(x.remoteAddress), token: H(x.token), remoteToken: H(x.remoteToken)
    }),
    codec: m.holepunchPayload
  }
}

function dhtEncodeRequest (x) {
  const r = rig()
  r.io.ephemeral = !x.id
  r.table.id = B(x.id)
  const req = new r.Request(r.io, r.socket, x.tid, null, addr(x.to), B(x.token), x.internal, x.command,
    B(x.target), B(x.value), null, 0)
  return req._encodeRequest(req.token, req.value, req.to, r.socket)
}

function dhtEncodeResponse (x, from) {
  const r = rig()
  r.io.ephemeral = !x.id
  r.table.id = B(x.id)
  r.table.closer = addrs(x.closerNodes) || []
  const token = B(x.token)
  r.io.token = () => token
  // closer nodes are only sent in answer to a request with a target
  const req = new r.Request(r.io, r.socket, x.tid, addr(x.to), from, null, false, 0,
    r.table.closer.length ? b4a.alloc(32) : null, null, null, 0)
  r.sent.length = 0
  req._sendReply(x.error, B(x.value), token !== null, r.table.closer.length > 0, addr(x.to), r.socket)
  return r.sent.pop()
}

Object.assign(ops, {
  dhtEncode ({ kind, msg }) {
    if (kind === 'request') return { hex: hex(dhtEncodeRequest(msg)) }
    if (kind === 'response') return { hex: hex(dhtEncodeResponse(msg, { host: '127.0.0.1', port: 1 })) }
    const k = dhtCodecs[kind]
    if (!k) throw new Error('unknown kind ' + kind)
    return { hex: hex(c.encode(k.codec, k.enc(msg))) }
  },
  // `from` is the UDP source the datagram is taken to come from: dht-rpc keeps a sent id only if it is that address's id
  dhtDecode ({ kind, hex: h, from }) {
    const b = buf(h)
    const src = { id: null, host: from ? from.host : '127.0.0.1', port: from ? from.port : 1 }
    if (kind === 'request') {
      if (b[0] !== 0x03) throw new Error('not a request')
      const q = rig().Request.decode(rig().io, rig().socket, src, { start: 1, end: b.length, buffer: b })
      if (q === null) throw new Error('dht-rpc dropped the request')
      return {
        msg: {
          tid: q.tid, to: addr(q.to), id: H(src.id), token: H(q.token), internal: q.internal, command: q.command,
          target: H(q.target), value: H(q.value)
        }
      }
    }
    if (kind === 'response') {
      // decodeReply is private: deliver the datagram to an IO with a request of that tid in flight
      const r = rig()
      const tid = b.length >= 4 ? b.readUInt16LE(2) : 0
      r.io._tid = tid
      const req = r.io.createRequest({ host: '127.0.0.1', port: 1 }, null, false, 0, null, null)
      let got = null
      req.onresponse = (res) => { got = res }
      r.io.onmessage(r.socket, b, { host: src.host, port: src.port })
      r.io.inflight = []
      if (got === null) throw new Error('dht-rpc dropped the response')
      return {
        msg: {
          tid: got.tid, to: addr(got.to), id: H(got.from.id), token: H(got.token), closerNodes: addrs(got.closerNodes),
          error: got.error, value: H(got.value)
        }
      }
    }
    const k = dhtCodecs[kind]
    if (!k) throw new Error('unknown kind ' + kind)
    return { msg: k.dec(c.decode(k.codec, b)) }
  },
  nodeId ({ host, port }) { return { hex: hex(peer.id(host, port)) } }
})

function drain (s) {
  const out = hex(b4a.concat(s.out.splice(0)))
  return { out, messages: s.messages.splice(0), error: s.error, ended: s.ended, rawEnded: !!s.rawEnded }
}

const rl = readline.createInterface({ input: process.stdin })
let chain = Promise.resolve()
rl.on('line', (line) => {
  chain = chain.then(async () => {
    let reply
    try {
      const req = JSON.parse(line)
      const fn = ops[req.op]
      if (!fn) throw new Error('unknown op ' + req.op)
      reply = Object.assign({ ok: true }, await fn(req))
    } catch (err) {
      reply = { ok: false, error: String(err && err.message ? err.message : err) }
    }
    process.stdout.write(JSON.stringify(reply) + '\n')
  })
})
rl.on('close', () => { chain.then(() => process.exit(0)) })
