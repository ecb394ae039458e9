// Line-oriented JSON oracle for the I/O-free hyperdht core (HyperdhtCoreInteropIT): drives hyperdht's own
// internal modules (persistent.js, router.js, noise-wrap.js, secure-payload.js, nat.js, messages.js) with fake
// DHT objects, so Java and Node decisions and bytes can be compared. One request per stdin line, one reply per
// stdout line; bytes are hex, addresses "host:port".
'use strict'
const readline = require('readline')
const b4a = require('b4a')
const c = require('compact-encoding')
const HyperDHT = require('hyperdht')
const NoiseWrap = require('hyperdht/lib/noise-wrap')
const SecurePayload = require('hyperdht/lib/secure-payload')
const Persistent = require('hyperdht/lib/persistent')
const Router = require('hyperdht/lib/router')
const Nat = require('hyperdht/lib/nat')
const m = require('hyperdht/lib/messages')
const { FIREWALL, ERROR } = require('hyperdht/lib/constants')

const hex = (b) => (b ? b4a.toString(b, 'hex') : null)
const buf = (h) => (h === null || h === undefined ? null : b4a.from(h, 'hex'))
const addr = (s) => { if (!s) return null; const i = s.lastIndexOf(':'); return { host: s.slice(0, i), port: Number(s.slice(i + 1)) } }
const str = (a) => (a ? a.host + ':' + a.port : null)

const wraps = new Map()

function fakeRequest (r) {
  const out = { actions: [] }
  const req = {
    target: buf(r.target),
    token: buf(r.token),
    value: buf(r.value),
    from: addr(r.from),
    reply (value, opts = {}) {
      out.actions.push({ kind: 'reply', value: hex(value), to: str(opts.to || null), token: opts.token !== false, closerNodes: opts.closerNodes !== false })
    },
    relay (value, to) { out.actions.push({ kind: 'relay', value: hex(value), to: str(to) }) }
  }
  return { req, out }
}

const ops = {
  keyPair ({ seed }) {
    const kp = HyperDHT.keyPair(buf(seed))
    return { publicKey: hex(kp.publicKey) }
  },
  // Persistent.signAnnounce / signUnannounce for a server's own record
  signAnnounce ({ seed, target, nodeId, token, unannounce }) {
    const keyPair = HyperDHT.keyPair(buf(seed))
    const ann = { peer: { publicKey: keyPair.publicKey, relayAddresses: [] }, refresh: null, signature: null }
    const sign = unannounce ? Persistent.signUnannounce : Persistent.signAnnounce
    ann.signature = sign(buf(target), buf(token), buf(nodeId), ann, keyPair)
    return { value: hex(c.encode(m.announce, ann)), signature: hex(ann.signature) }
  },
  // a real storage node's onannounce / onunannounce with a fake dht: did it accept, what did it store
  storage ({ nodeId, requests }) {
    const forwards = new Map()
    const dht = {
      id: buf(nodeId),
      _router: {
        set (k, v) { forwards.set(typeof k === 'string' ? k : hex(k), v) },
        get (k) { return forwards.get(typeof k === 'string' ? k : hex(k)) },
        delete (k) { forwards.delete(typeof k === 'string' ? k : hex(k)) }
      }
    }
    const o = { maxSize: 100, maxAge: 0 }
    const p = new Persistent(dht, { records: o, refreshes: o, bumps: o, mutables: o, immutables: o })
    const results = []
    for (const r of requests) {
      const { req, out } = fakeRequest(r)
      p['on' + r.command](req)
      results.push(out.actions)
    }
    const fwd = []
    for (const [k, v] of forwards) fwd.push({ target: k, relay: str(v.relay), record: hex(v.record) })
    p.destroy()
    return { results, forwards: fwd }
  },
  // hyperdht's Router deciding one PEER_HANDSHAKE / PEER_HOLEPUNCH with a forward or a listening server
  route ({ command, target, value, from, forward, server, serverReply }) {
    const router = new Router({}, { forwards: { maxSize: 10, maxAge: 0 } })
    if (forward) router.set(buf(target), { relay: addr(forward), record: b4a.alloc(33) })
    if (server) {
      router.set(buf(target), {
        relay: null,
        record: b4a.alloc(33),
        onpeerhandshake: async () => ({ noise: buf(serverReply), socket: null }),
        onpeerholepunch: async () => ({ payload: buf(serverReply), socket: null })
      })
    }
    const { req, out } = fakeRequest({ target, value, from })
    const p = command === 'handshake' ? router.onpeerhandshake(req) : router.onpeerholepunch(req)
    return Promise.resolve(p).then(() => { router.destroy(); return out })
  },
  // the client side of connect.js: NoiseWrap as initiator with the payload connectThroughNode builds
  clientStart ({ name, seed, serverPublicKey, firewall, addresses4, udxId }) {
    const w = new NoiseWrap(HyperDHT.keyPair(buf(seed)), buf(serverPublicKey))
    wraps.set(name, w)
    const noise = w.send({
      error: ERROR.NONE,
      firewall,
      holepunch: null,
      addresses4: addresses4.map(addr),
      addresses6: [],
      udx: { reusableSocket: false, id: udxId, seq: 0 },
      secretStream: {},
      relayThrough: null
    })
    return { value: hex(c.encode(m.handshake, { mode: 0, noise, peerAddress: null, relayAddress: null })) }
  },
  // Router.peerHandshake's reply checks and connectThroughNode's payload checks on the relay's response
  clientFinish ({ name, value, from, contacted }) {
    const w = wraps.get(name)
    const hs = c.decode(m.handshake, buf(value))
    const to = addr(contacted)
    const src = addr(from)
    if (!hs || hs.mode !== 4 || to.host !== src.host || to.port !== src.port || !hs.noise) throw new Error('BAD_HANDSHAKE_REPLY')
    const payload = w.recv(hs.noise)
    if (payload.version !== 1) throw new Error('SERVER_INCOMPATIBLE')
    if (payload.error !== ERROR.NONE) throw new Error('SERVER_ERROR')
    if (!payload.udx) throw new Error('SERVER_ERROR no udx')
    const f = w.final()
    return {
      serverAddress: str(hs.peerAddress || to),
      relayed: !!hs.peerAddress,
      firewall: payload.firewall,
      udxId: payload.udx.id,
      holepunchId: payload.holepunch ? payload.holepunch.id : null,
      relays: payload.holepunch ? payload.holepunch.relays.map((r) => [str(r.relayAddress), str(r.peerAddress)]) : null,
      addresses4: payload.addresses4.map(str),
      relayAddresses: payload.relayAddresses ? payload.relayAddresses.map(str) : null,
      remotePublicKey: hex(f.remotePublicKey),
      hash: hex(f.hash),
      tx: hex(f.tx),
      rx: hex(f.rx),
      holepunchSecret: hex(f.holepunchSecret)
    }
  },
  // the server side of Server._addHandshake's Noise part, answering a (Java) client's message 1
  serverReply ({ seed, noise, udxId, relays, relayAddresses }) {
    const w = new NoiseWrap(HyperDHT.keyPair(buf(seed)), null)
    const remote = w.recv(buf(noise))
    const error = remote.version === 1 ? (remote.udx ? ERROR.NONE : ERROR.ABORTED) : ERROR.VERSION_MISMATCH
    const reply = w.send({
      error,
      firewall: FIREWALL.UNKNOWN,
      holepunch: { id: 0, relays: relays.map(([r, p]) => ({ relayAddress: addr(r), peerAddress: addr(p) })) },
      addresses4: [],
      addresses6: null,
      udx: { reusableSocket: false, id: udxId, seq: 0 },
      secretStream: {},
      relayThrough: null,
      relayAddresses: relayAddresses.map(addr)
    })
    const f = w.final()
    return {
      reply: hex(reply),
      clientPublicKey: hex(f.remotePublicKey),
      clientFirewall: remote.firewall,
      clientUdxId: remote.udx ? remote.udx.id : null,
      clientAddresses4: remote.addresses4.map(str),
      hash: hex(f.hash),
      tx: hex(f.tx)
    }
  },
  hpEncrypt ({ secret, localSecret, payload }) {
    const sp = new SecurePayload(buf(secret))
    const p = Object.assign({}, payload, {
      addresses: payload.addresses ? payload.addresses.map(addr) : null,
      remoteAddress: addr(payload.remoteAddress),
      token: buf(payload.token),
      remoteToken: buf(payload.remoteToken)
    })
    if (localSecret) sp._localSecret = buf(localSecret)
    return { wire: hex(sp.encrypt(p)), token: payload.tokenFor ? hex(sp.token(addr(payload.tokenFor))) : null }
  },
  hpDecrypt ({ secret, wire }) {
    const p = new SecurePayload(buf(secret)).decrypt(buf(wire))
    if (p === null) return { payload: null }
    return {
      payload: {
        connected: p.connected,
        punching: p.punching,
        error: p.error,
        firewall: p.firewall,
        round: p.round,
        addresses: p.addresses ? p.addresses.map(str) : null,
        remoteAddress: str(p.remoteAddress),
        token: hex(p.token),
        remoteToken: hex(p.remoteToken)
      }
    }
  },
  // lib/nat.js fed with samples [seenAs, from]: firewall and addresses after each
  nat ({ firewalled, samples }) {
    const n = new Nat({ firewalled }, null, null)
    const steps = []
    for (const [seen, from] of samples) {
      n.add(addr(seen), addr(from))
      steps.push({ firewall: n.firewall, addresses: n.addresses ? n.addresses.map(str) : null })
    }
    return { steps }
  }
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
