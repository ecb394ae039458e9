// One hyperdht role for the NAT lab (io.tunctl.transport.p2p.nat.NatLab), run inside a lab namespace:
//   node nat-peer.js testnet '{"host":"198.51.100.1","port":49737,"size":6}'
//   node nat-peer.js relay   '{"bootstrap":["h:p"],"seed":hex,"open":true}'      a blind-relay server
//   node nat-peer.js server  '{"bootstrap":["h:p"],"seed":hex,"relayThrough":hex?}'   echoes every connection
//   node nat-peer.js client  '{"bootstrap":["h:p"],"key":hex,"bytes":n,"relayThrough":hex?,"relay":"h:p"?}'
// Every role reports JSON lines on stdout ({"event":..., "t":ms}); it exits when stdin closes, on "limitMs"
// (default 120 s, event "timeout") or, for the client, after its echo. Nothing here changes how hyperdht
// connects: the firewall types are observed by wrapping Holepuncher.analyze/punch, which hyperdht itself calls.
const HyperDHT = require('hyperdht')
const createTestnet = require('hyperdht/testnet')
const Holepuncher = require('hyperdht/lib/holepuncher')
const relay = require('blind-relay')
const { isPrivate } = require('bogon')
const crypto = require('crypto')

const FIREWALL = ['UNKNOWN', 'OPEN', 'CONSISTENT', 'RANDOM']
const mode = process.argv[2]
const opts = JSON.parse(process.argv[3] || '{}')
const start = Date.now()
const cleanups = []

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, t: Date.now() - start, ...fields }) + '\n')
}

const hex = (b) => (b ? Buffer.from(b).toString('hex') : null)
const fw = (n) => FIREWALL[n] || String(n)
const parse = (s) => {
  const i = s.lastIndexOf(':')
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) }
}
const addrs = (list) => (list || []).map((a) => a.host + ':' + a.port)

// Observe the NAT analysis of every holepuncher (client and server side) without changing it.
const analyze = Holepuncher.prototype.analyze
Holepuncher.prototype.analyze = async function (allowReopen) {
  const stable = await analyze.call(this, allowReopen)
  emit('nat', {
    initiator: this.isInitiator,
    local: fw(this.nat.firewall),
    remote: fw(this.remoteFirewall),
    localAddresses: addrs(this.nat.addresses),
    remoteAddresses: addrs(this.remoteAddresses),
    stable
  })
  return stable
}
const punch = Holepuncher.prototype.punch
Holepuncher.prototype.punch = function () {
  if (!this._punching) {
    emit('punch', {
      initiator: this.isInitiator,
      local: fw(this.nat.firewall),
      remote: fw(this.remoteFirewall),
      remoteAddresses: this.remoteAddresses.map((a) => a.host + ':' + a.port + (a.verified ? '(verified)' : ''))
    })
  }
  return punch.call(this)
}

function dhtInfo(dht) {
  return {
    firewalled: dht.firewalled,
    ephemeral: dht.ephemeral,
    randomized: dht.randomized,
    host: dht.host,
    port: dht.port,
    local: dht.localAddress()
  }
}

function remoteOf(socket) {
  const raw = socket.rawStream
  return raw ? raw.remoteHost + ':' + raw.remotePort : null
}

function punches(dht) {
  return { ...dht.stats.punches, relaying: { ...dht.stats.relaying } }
}

// How the stream came up. A holepunched stream runs on one of the holepuncher's own sockets (lib/holepuncher.js
// takes them from the socket pool); a direct one (the OPEN path of lib/connect.js and lib/server.js) and a relayed
// one run on the DHT's own socket, the relayed one towards the relay. The punch counters of dht.stats.punches
// tell which punch strategy ran; none ran when the first probe already got through (the "fast open" of a
// CONSISTENT server answering the client's openSession).
function via(dht, socket) {
  const raw = socket.rawStream
  if (!raw || !raw.socket) return { via: 'none' }
  const remote = remoteOf(socket)
  const p = dht.stats.punches
  const own = raw.socket === dht.io.clientSocket || raw.socket === dht.io.serverSocket
  if (!own) {
    const strategy = p.random > 0 ? 'random' : p.consistent > 0 ? 'consistent' : 'fast-open'
    return { via: 'holepunch', strategy }
  }
  // the client is told the relay's address; the server counts the pairings it made through a relay
  if ((opts.relay && remote === opts.relay) || dht.stats.relaying.successes > 0) return { via: 'relay' }
  if (isPrivate(raw.remoteHost)) return { via: 'lan' } // the same-network shortcut pings a private address
  // the OPEN path: a NATed side sends first to an open one (which keeps no counter when it is the client)
  if (p.open > 0 || !dht.firewalled) return { via: 'direct' }
  return { via: 'other' }
}

async function shutdown(code) {
  for (const c of cleanups.reverse()) {
    try {
      await c()
    } catch {}
  }
  process.exit(code)
}

const limit = setTimeout(() => {
  emit('timeout', { limitMs: opts.limitMs || 120000 })
  shutdown(3)
}, opts.limitMs || 120000)
process.stdin.on('end', () => shutdown(0))
process.stdin.on('error', () => shutdown(0))
process.stdin.resume()

async function newDht() {
  // "open": a host with a public address, said up front as hyperdht/testnet does for its nodes: dht-rpc's quick
  // firewall probe races the bootstrap query and on a sub-millisecond lab link usually loses, and the adaptive
  // re-check only comes ~20 min later, so the node would otherwise act firewalled (it still punches fine).
  const dht = new HyperDHT({
    bootstrap: opts.bootstrap.map(parse),
    port: opts.port || 0,
    ...(opts.open ? { firewalled: false } : {})
  })
  cleanups.push(() => dht.destroy({ force: true }))
  await dht.fullyBootstrapped()
  return dht
}

async function testnet() {
  const tn = await createTestnet(opts.size || 6, { host: opts.host, port: opts.port })
  cleanups.push(() => tn.destroy())
  emit('ready', {
    bootstrap: tn.bootstrap.map((b) => b.host + ':' + b.port),
    nodes: tn.nodes.map((n) => ({ port: n.address().port, ...dhtInfo(n) }))
  })
}

async function relayServer() {
  const dht = await newDht()
  const blind = new relay.Server({
    createStream: (o) => dht.createRawStream({ ...o, framed: true })
  })
  cleanups.unshift(() => blind.close())
  const server = dht.createServer({ shareLocalAddress: false }, (socket) => {
    const session = blind.accept(socket, { id: socket.remotePublicKey })
    session.on('error', (err) => emit('relay-error', { message: err.message }))
    emit('relay-session', { remote: remoteOf(socket) })
  })
  await server.listen(HyperDHT.keyPair(Buffer.from(opts.seed, 'hex')))
  emit('listening', { publicKey: hex(server.publicKey), dht: dhtInfo(dht) })
}

async function server() {
  const dht = await newDht()
  const server = dht.createServer({
    relayThrough: opts.relayThrough ? Buffer.from(opts.relayThrough, 'hex') : null,
    holepunch(remoteFirewall, localFirewall, remoteAddresses, localAddresses) {
      emit('holepunch', {
        local: fw(localFirewall),
        remote: fw(remoteFirewall),
        localAddresses: addrs(localAddresses),
        remoteAddresses: addrs(remoteAddresses)
      })
      return true
    }
  })
  server.on('connection', (socket) => {
    emit('connection', {
      remote: remoteOf(socket),
      remotePublicKey: hex(socket.remotePublicKey),
      ...via(dht, socket),
      punches: punches(dht)
    })
    let bytes = 0
    socket.on('data', (d) => {
      bytes += d.byteLength
      if (!socket.write(d)) socket.pause()
    })
    socket.on('drain', () => socket.resume())
    socket.on('end', () => socket.end())
    socket.on('error', (err) => emit('stream-error', { code: err.code, message: err.message }))
    socket.on('close', () => emit('closed', { bytes, remote: remoteOf(socket) }))
  })
  await server.listen(HyperDHT.keyPair(Buffer.from(opts.seed, 'hex')))
  emit('listening', { publicKey: hex(server.publicKey), dht: dhtInfo(dht) })
}

async function client() {
  const dht = await newDht()
  emit('ready', { dht: dhtInfo(dht) })
  const began = Date.now()
  const socket = dht.connect(Buffer.from(opts.key, 'hex'), {
    relayThrough: opts.relayThrough ? Buffer.from(opts.relayThrough, 'hex') : null,
    holepunch(remoteFirewall, localFirewall, remoteAddresses, localAddresses) {
      emit('holepunch', {
        local: fw(localFirewall),
        remote: fw(remoteFirewall),
        localAddresses: addrs(localAddresses),
        remoteAddresses: addrs(remoteAddresses)
      })
      return true
    }
  })
  socket.on('error', (err) => {
    emit('error', { code: err.code, message: err.message, ms: Date.now() - began, punches: punches(dht) })
    shutdown(0)
  })
  socket.on('open', () => {
    const openMs = Date.now() - began
    emit('open', { ms: openMs, remote: remoteOf(socket), ...via(dht, socket), punches: punches(dht) })
    echo(socket, opts.bytes || 1 << 20, () => {
      emit('echoed', { openMs, remote: remoteOf(socket), ...via(dht, socket), punches: punches(dht) })
    })
  })
}

// Sends n random bytes in 64 KiB writes (respecting backpressure) and hashes what comes back.
function echo(socket, n, done) {
  const sent = crypto.createHash('sha256')
  const got = crypto.createHash('sha256')
  const began = Date.now()
  let written = 0
  let received = 0
  const write = () => {
    while (written < n) {
      const chunk = crypto.randomBytes(Math.min(65536, n - written))
      sent.update(chunk)
      written += chunk.byteLength
      if (!socket.write(chunk)) return socket.once('drain', write)
    }
  }
  socket.on('data', (d) => {
    got.update(d)
    received += d.byteLength
    if (received >= n) {
      emit('received', {
        bytes: received,
        sha256Sent: sent.digest('hex'),
        sha256Received: got.digest('hex'),
        ms: Date.now() - began
      })
      done()
      socket.end()
      socket.once('close', () => shutdown(0))
    }
  })
  write()
}

const roles = { testnet, relay: relayServer, server, client }
if (!roles[mode]) {
  emit('error', { message: 'unknown mode ' + mode })
  process.exit(2)
}
roles[mode]().catch((err) => {
  emit('error', { code: err.code, message: err.stack || String(err) })
  shutdown(1)
})
