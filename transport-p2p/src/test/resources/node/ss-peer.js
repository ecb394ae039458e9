'use strict'
// A @hyperswarm/secret-stream peer over a udx-native stream, driven by the Java ITs (one JSON object per stdout line).
// usage: node ss-peer.js '<json>' with {mode, javaPort, host, localId, remoteId, isInitiator, tx, rx, hash (hex),
//   keepAlive, timeout (ms, 0 = off), filterZero (default true), limitMs}
//   echo       answer each message with "echo:" + message; on the peer's end, write "after-end:<n>" then end
//   end-first  write "hello" and end at once; then only read (and report) what the peer still writes
//   idle       write nothing (keep-alive / timeout tests)
// Events: ready{port}, message{text}, end, finish, close{error}, stats{keepAlives, frames, rawBytesRead} every 250 ms.
const UDX = require('udx-native')
const NoiseSecretStream = require('@hyperswarm/secret-stream')

const cfg = JSON.parse(process.argv[2])
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
setTimeout(() => { out({ event: 'timeout' }); process.exit(3) }, cfg.limitMs || 60000).unref()

const udx = new UDX()
const socket = udx.createSocket()
socket.bind(0, cfg.host)
const raw = udx.createStream(cfg.localId)
raw.connect(socket, cfg.remoteId, cfg.javaPort, cfg.host)

const hex = (s) => Buffer.from(s, 'hex')
const s = new NoiseSecretStream(cfg.isInitiator, raw, {
  handshake: {
    tx: hex(cfg.tx), rx: hex(cfg.rx), hash: hex(cfg.hash),
    publicKey: Buffer.alloc(32), remotePublicKey: Buffer.alloc(32)
  },
  keepAlive: cfg.keepAlive || 0,
  // as under hyperdht (keep-alive always on): empty messages are dropped, not delivered
  filterZeroByteMessages: cfg.filterZero !== false
})
if (cfg.timeout) s.setTimeout(cfg.timeout)

// count the frames the peer sends, keep-alives (17-byte bodies: an empty message) apart, from the raw bytes
let frames = 0
let keepAlives = 0
let need = 3
let len = -1
let lenBytes = []
raw.on('data', (d) => {
  let i = 0
  while (i < d.length) {
    if (len < 0) {
      lenBytes.push(d[i++])
      if (lenBytes.length === 3) {
        len = lenBytes[0] | (lenBytes[1] << 8) | (lenBytes[2] << 16)
        need = len
        lenBytes = []
        if (need === 0) { frames++; len = -1 }
      }
    } else {
      const take = Math.min(need, d.length - i)
      i += take
      need -= take
      if (need === 0) {
        frames++
        if (len === 17) keepAlives++
        len = -1
      }
    }
  }
})
const stats = () => out({ event: 'stats', keepAlives, frames, rawBytesRead: s.rawBytesRead })
setInterval(stats, 250).unref()

let received = 0
s.on('data', (m) => {
  received++
  const text = m.toString()
  out({ event: 'message', text })
  if (cfg.mode === 'echo') s.write(Buffer.from('echo:' + text))
})
s.on('end', () => {
  out({ event: 'end', received })
  if (cfg.mode === 'echo') {
    for (let i = 0; i < 3; i++) s.write(Buffer.from('after-end:' + i))
    s.end()
  }
})
s.on('finish', () => out({ event: 'finish' }))
s.on('error', (e) => out({ event: 'error', message: e.message }))
s.on('close', () => {
  stats()
  out({ event: 'close', error: null })
  socket.close().then(() => process.exit(0))
})
out({ event: 'ready', port: socket.address().port })
if (cfg.mode === 'end-first') {
  s.write(Buffer.from('hello'))
  s.end()
}
