'use strict'
// A udx-native peer driven by the Java ITs. One JSON object per stdout line.
// usage: [UDX_LOCAL_PORT=p] node udx-peer.js <mode> <peerPort> <localId> <remoteId> [bytes] [host] [timeLimitMs]
//   sink         read until END, report byte count + sha256, then end our side
//   source       write <bytes> random bytes + END, report sha256, read until the peer's END
//   drain        like sink without hashing (benchmarks)
//   blast        like source, repeating one 64 KiB buffer without hashing (benchmarks)
//   echo-message answer each stream message with "echo:" + message, socket messages likewise
//   destroy      read <bytes> bytes, then destroy the stream
//   await-close  write 1 MiB, report how the stream closed (Java destroys it)
//   report       report every chunk of data (hex) and the end, write nothing, never end
const UDX = require('udx-native')
const crypto = require('crypto')

const [mode, javaPortArg, localIdArg, remoteIdArg, bytesArg, hostArg, limitArg] = process.argv.slice(2)
const host = hostArg || '127.0.0.1'
const javaPort = Number(javaPortArg)
const localId = Number(localIdArg)
const remoteId = Number(remoteIdArg)
const total = Number(bytesArg || 0)
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
setTimeout(() => { out({ event: 'timeout' }); process.exit(3) }, Number(limitArg || 120000)).unref()

const udx = new UDX()
const socket = udx.createSocket()
socket.bind(Number(process.env.UDX_LOCAL_PORT || 0), host)
const stream = udx.createStream(localId)
stream.connect(socket, remoteId, javaPort, host)
stream.on('error', (e) => out({ event: 'error', code: e.code }))
stream.on('close', () => {
  // packetsReceived counts every packet for this stream, duplicates included; retransmits is a 16-bit counter
  out({ event: 'close', packetsReceived: stream.packetsReceived, packetsTransmitted: stream.packetsTransmitted, retransmits: stream.retransmits })
  socket.close().then(() => process.exit(0))
})
out({ event: 'ready', port: socket.address().port })

if (mode === 'sink') {
  const hash = crypto.createHash('sha256')
  let n = 0
  let start = 0
  stream.on('data', (d) => { start = start || Date.now(); n += d.length; hash.update(d) })
  stream.on('end', () => {
    out({ event: 'received', bytes: n, sha256: hash.digest('hex'), ms: Date.now() - start })
    stream.end()
  })
} else if (mode === 'source') {
  const hash = crypto.createHash('sha256')
  stream.on('data', () => {})
  stream.on('end', () => out({ event: 'peer-end' }))
  const start = Date.now()
  ;(async () => {
    for (let sent = 0; sent < total;) {
      const chunk = crypto.randomBytes(Math.min(65536, total - sent))
      hash.update(chunk)
      sent += chunk.length
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve))
    }
    stream.end()
    out({ event: 'sent', bytes: total, sha256: hash.digest('hex') })
    stream.once('finish', () => out({ event: 'finished', ms: Date.now() - start }))
  })()
} else if (mode === 'drain') {
  let n = 0
  let start = 0
  stream.on('data', (d) => { start = start || Date.now(); n += d.length })
  stream.on('end', () => {
    out({ event: 'received', bytes: n, ms: Date.now() - start, mbps: n / 1e3 / (Date.now() - start) })
    stream.end()
  })
} else if (mode === 'blast') {
  stream.on('data', () => {})
  stream.on('end', () => out({ event: 'peer-end' }))
  const chunk = Buffer.alloc(65536, 0x61)
  ;(async () => {
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve))
    }
    stream.end()
    out({ event: 'sent', bytes: total })
  })()
} else if (mode === 'echo-message') {
  stream.on('data', () => {})
  stream.on('message', (m) => {
    out({ event: 'message', text: m.toString() })
    stream.trySend(Buffer.concat([Buffer.from('echo:'), m]))
  })
  stream.on('end', () => stream.end())
  socket.on('message', (m, rinfo) => {
    out({ event: 'socket-message', hex: m.toString('hex') })
    socket.trySend(Buffer.concat([Buffer.from('echo:'), m]), rinfo.port, rinfo.address)
  })
} else if (mode === 'destroy') {
  let n = 0
  stream.on('data', (d) => {
    n += d.length
    if (n >= total) { out({ event: 'destroying', bytes: n }); stream.destroy() }
  })
} else if (mode === 'await-close') {
  stream.on('data', () => {})
  stream.write(Buffer.alloc(1 << 20, 0x61))
} else if (mode === 'report') {
  stream.on('data', (d) => out({ event: 'data', hex: d.toString('hex') }))
  stream.on('end', () => out({ event: 'end' }))
} else {
  console.error('unknown mode ' + mode)
  process.exit(2)
}
