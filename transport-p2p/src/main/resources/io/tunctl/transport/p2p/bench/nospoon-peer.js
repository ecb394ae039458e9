// A nospoon-framing peer on Node hyperdht (from npm), for NospoonNetnsIT and the p2p-node bench row: what nospoon
// 0.4.0 puts on the wire (a 4-byte big-endian length, then one raw IP packet; length 0 is a keep-alive every 25 s;
// one frame per write), without its TUN code: packets come from and go to a UDP socket on 127.0.0.1, one datagram
// per packet, which a `tunctl up` with the udp transport turns into a kernel TUN.
//   node nospoon-peer.js CONFIG.json
//   server: {"mode":"server","seed":hex,"peers":{"<key hex>":"10.0.0.2"}?,"bootstrap":["h:p"],"udpListen":p,"udpPeer":p}
//   client: {"mode":"client","seed":hex,"server":hex,"bootstrap":["h:p"],"udpListen":p,"udpPeer":p}
//   either may add "modules": "<dir>", the node_modules folder hyperdht is installed in (default: Node's lookup)
// Prints one line per event on stdout: "listening <key>", "connected <key>", "closed <key>", "firewalled <key>".
const dgram = require('dgram')
const fs = require('fs')
const path = require('path')

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const HyperDHT = require(cfg.modules ? path.join(cfg.modules, 'hyperdht') : 'hyperdht')
const say = (s) => process.stdout.write(s + '\n')
const parse = (s) => { const i = s.lastIndexOf(':'); return { host: s.slice(0, i), port: Number(s.slice(i + 1)) } }
const dht = new HyperDHT({ bootstrap: cfg.bootstrap.map(parse) })
const keyPair = HyperDHT.keyPair(Buffer.from(cfg.seed, 'hex'))
const udp = dgram.createSocket('udp4')
udp.bind(cfg.udpListen, '127.0.0.1')

function frame(packet) {
  const f = Buffer.allocUnsafe(4 + packet.length)
  f.writeUInt32BE(packet.length, 0)
  packet.copy(f, 4)
  return f
}

// nospoon's receiver: reassemble across chunks; a length above 65535 (or 256 KiB buffered) discards the buffer
function decoder(onPacket) {
  let buf = Buffer.alloc(0)
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
    if (buf.length > 256 * 1024) { buf = Buffer.alloc(0); return }
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0)
      if (n > 65535) { buf = Buffer.alloc(0); return }
      if (buf.length < 4 + n) break
      if (n > 0) onPacket(buf.subarray(4, 4 + n))
      buf = buf.subarray(4 + n)
    }
    if (buf.length) buf = Buffer.from(buf)
  }
}

const toUdp = (p) => udp.send(p, cfg.udpPeer, '127.0.0.1')

function attach(socket, key, onClose) {
  socket.setKeepAlive(5000)
  const keepAlive = setInterval(() => { if (!socket.destroyed) socket.write(Buffer.alloc(4)) }, 25000)
  socket.on('data', decoder(toUdp))
  socket.on('error', (e) => say('error ' + key + ' ' + e.message))
  socket.on('close', () => { clearInterval(keepAlive); say('closed ' + key); onClose() })
}

const ipv4Dst = (p) => (p.length >= 20 && p[0] >> 4 === 4) ? p[16] + '.' + p[17] + '.' + p[18] + '.' + p[19] : null
const ipv4Src = (p) => (p.length >= 20 && p[0] >> 4 === 4) ? p[12] + '.' + p[13] + '.' + p[14] + '.' + p[15] : null

if (cfg.mode === 'server') {
  const peers = cfg.peers || {}
  const auth = Object.keys(peers).length > 0
  const routes = new Map() // ip -> socket
  const server = dht.createServer({
    firewall: (remotePublicKey) => {
      const k = remotePublicKey.toString('hex')
      if (auth && !(k in peers)) { say('firewalled ' + k); return true }
      return false
    }
  }, (socket) => {
    const k = socket.remotePublicKey.toString('hex')
    let ip = auth ? peers[k] : null
    if (ip) routes.set(ip, socket)
    say('connected ' + k)
    const learn = decoder((p) => {
      const src = ipv4Src(p)
      if (!ip && src) { ip = src; routes.set(ip, socket) }
      if (src && src !== ip) return
      toUdp(p)
    })
    socket.setKeepAlive(5000)
    const keepAlive = setInterval(() => { if (!socket.destroyed) socket.write(Buffer.alloc(4)) }, 25000)
    socket.on('data', learn)
    socket.on('error', (e) => say('error ' + k + ' ' + e.message))
    socket.on('close', () => {
      clearInterval(keepAlive)
      say('closed ' + k)
      if (ip && routes.get(ip) === socket) routes.delete(ip)
    })
  })
  udp.on('message', (p) => {
    const s = routes.get(ipv4Dst(p))
    if (s && !s.destroyed) s.write(frame(p))
  })
  server.listen(keyPair).then(() => say('listening ' + keyPair.publicKey.toString('hex')))
} else {
  let current = null
  let delay = 1000
  const connect = () => {
    const s = dht.connect(Buffer.from(cfg.server, 'hex'), { keyPair })
    s.on('open', () => { current = s; delay = 1000; say('connected ' + cfg.server) })
    attach(s, cfg.server, () => {
      if (current === s) current = null
      setTimeout(connect, delay)
      delay = Math.min(delay * 2, 30000)
    })
  }
  udp.on('message', (p) => { if (current && !current.destroyed) current.write(frame(p)) })
  dht.fullyBootstrapped().then(() => { say('client ' + keyPair.publicKey.toString('hex')); connect() })
}

const stop = () => { udp.close(); dht.destroy({ force: true }).finally(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
