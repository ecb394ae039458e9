// Node hyperdht 6.34.0 peers for HyperDhtInteropIT and the tunctl p2p ITs, driven by JSON lines on stdin:
//   {"id":1,"op":"testnet","size":3}                  -> {"bootstrap":["127.0.0.1:p"]} (hyperdht/testnet)
//   {"op":"node","bootstrap":["h:p"]}                 -> {"node":n}  a HyperDHT client/server node
//   {"op":"server","node":n,"seed":hex,"mode":"echo"|"hash","allow":[hex]?}
//        -> {"server":s,"publicKey":hex}; echo: writes every chunk back; hash: SHA-256 of everything received,
//           sent back as hex when the client ends, then ends. "allow": the firewall rejects every other key.
//   {"op":"events","server":s}                        -> {"connections":k,"rejected":[hex]}
//   {"op":"echo","node":n,"publicKey":hex,"data":hex,"seed":hex?} -> connects, writes data, reads it back,
//        ends: {"data":hex,"connectMs":t}
//   {"op":"connectTimes","node":n,"publicKey":hex,"count":k} -> k sequential connects (each until the stream
//        opens), {"ms":[t...]}
//   {"op":"lookup","node":n,"publicKey":hex}          -> findPeer: {"nodes":["h:p"]}
//   {"op":"sendHash","node":n,"publicKey":hex,"size":bytes} -> connects, sends that many random bytes, ends, waits
//        for the server's end: {"sha256":hex,"ms":t}
// Every reply is bounded by a 180 s timer; errors come back as {"ok":false,"error":"..."}.
const HyperDHT = require('hyperdht')
const createTestnet = require('hyperdht/testnet')
const crypto = require('crypto')
const readline = require('readline')

const nodes = []
const servers = []
let testnet = null
const parse = (s) => { const [host, port] = s.split(':'); return { host, port: Number(port) } }

function withTimeout(p, ms, what) {
  let t
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(what + ' timed out')), ms) })])
    .finally(() => clearTimeout(t))
}

function connectOpen(node, publicKey, keyPair) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const s = node.connect(Buffer.from(publicKey, 'hex'), keyPair ? { keyPair } : {})
    s.on('error', reject)
    s.on('open', () => resolve({ socket: s, ms: Number(process.hrtime.bigint() - start) / 1e6 }))
  })
}

async function handle(m) {
  switch (m.op) {
    case 'testnet': {
      testnet = await createTestnet(m.size || 3, { host: '127.0.0.1' })
      return { bootstrap: testnet.bootstrap.map((b) => b.host + ':' + b.port) }
    }
    case 'node': {
      const node = new HyperDHT({ bootstrap: m.bootstrap.map(parse), host: '127.0.0.1' })
      await node.fullyBootstrapped()
      nodes.push(node)
      return { node: nodes.length - 1, port: node.address().port }
    }
    case 'server': {
      const keyPair = HyperDHT.keyPair(Buffer.from(m.seed, 'hex'))
      const state = { connections: 0, rejected: [] }
      const allow = m.allow ? new Set(m.allow) : null
      const server = nodes[m.node].createServer({
        firewall: (remotePublicKey) => {
          const k = remotePublicKey.toString('hex')
          if (allow && !allow.has(k)) { state.rejected.push(k); return true }
          return false
        }
      }, (socket) => {
        state.connections++
        socket.on('error', () => {})
        if (m.mode === 'hash') {
          const h = crypto.createHash('sha256')
          socket.on('data', (d) => h.update(d))
          socket.on('end', () => { socket.end(h.digest('hex')) })
        } else {
          socket.on('data', (d) => socket.write(d))
          socket.on('end', () => socket.end())
        }
      })
      await server.listen(keyPair)
      servers.push({ server, state })
      return { server: servers.length - 1, publicKey: keyPair.publicKey.toString('hex') }
    }
    case 'events': {
      const st = servers[m.server].state
      return { connections: st.connections, rejected: st.rejected }
    }
    case 'echo': {
      const keyPair = m.seed ? HyperDHT.keyPair(Buffer.from(m.seed, 'hex')) : null
      const { socket, ms } = await connectOpen(nodes[m.node], m.publicKey, keyPair)
      const want = Buffer.from(m.data, 'hex')
      const got = await new Promise((resolve, reject) => {
        const parts = []
        let n = 0
        socket.on('data', (d) => { parts.push(d); n += d.length; if (n >= want.length) resolve(Buffer.concat(parts)) })
        socket.on('error', reject)
        socket.on('close', () => resolve(Buffer.concat(parts)))
        socket.write(want)
      })
      socket.end()
      socket.destroy()
      return { data: got.toString('hex'), connectMs: ms }
    }
    case 'connectTimes': {
      const ms = []
      for (let i = 0; i < m.count; i++) {
        const { socket, ms: t } = await connectOpen(nodes[m.node], m.publicKey)
        ms.push(t)
        socket.destroy()
      }
      return { ms }
    }
    case 'sendHash': {
      const { socket } = await connectOpen(nodes[m.node], m.publicKey)
      const h = crypto.createHash('sha256')
      const start = Date.now()
      let left = m.size
      while (left > 0) {
        const chunk = crypto.randomBytes(Math.min(65536, left))
        h.update(chunk)
        left -= chunk.length
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve))
      }
      socket.end()
      await new Promise((resolve, reject) => {
        socket.on('data', () => {})
        socket.on('end', resolve)
        socket.on('close', resolve)
        socket.on('error', reject)
      })
      return { sha256: h.digest('hex'), ms: Date.now() - start }
    }
    case 'lookup': {
      const out = []
      for await (const r of nodes[m.node].findPeer(Buffer.from(m.publicKey, 'hex'))) {
        if (r.peer) out.push(r.from.host + ':' + r.from.port)
      }
      return { nodes: out }
    }
    default:
      throw new Error('unknown op ' + m.op)
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  let m
  try { m = JSON.parse(line) } catch { return }
  try {
    const r = await withTimeout(handle(m), 180000, m.op)
    process.stdout.write(JSON.stringify({ id: m.id, ok: true, ...r }) + '\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: m.id, ok: false, error: String(e && e.stack || e) }) + '\n')
  }
})
rl.on('close', async () => {
  for (const { server } of servers) { try { await server.close() } catch {} }
  for (const n of nodes.reverse()) { try { await n.destroy() } catch {} }
  if (testnet) { try { await testnet.destroy() } catch {} }
  process.exit(0)
})
