// Node dht-rpc / hyperdht peers for DhtRpcInteropIT, driven by JSON lines on stdin:
//   {"id":1,"op":"testnet","size":5}  -> {"id":1,"ok":true,"bootstrap":port,"nodes":[{node,host,port,id}]}
//   {"id":2,"op":"node","kind":"dht-rpc"|"hyperdht","bootstrap":["127.0.0.1:p"],"port":p?,"ephemeral":b?,
//    "firewalled":b?}
//                                                 -> {"ok":true,"node":n,"port":p,"nodeId":hex|null}
//   {"op":"ping","node":n,"host":h,"port":p}      -> {"ok":true,"error":0,"to":"h:p","fromId":hex|null}
//   {"op":"request","node":n,"host","port","command":c,"target":hex?,"value":hex?,"token":hex?}
//                                                 -> a user command, {"error","value","token","closer"}
//   {"op":"delayedPing","node":n,"host","port","delay":ms} -> {"error","elapsed"}
//   {"op":"findNodeRequest","node":n,"host","port","target":hex} -> one internal FIND_NODE, {"closer":["h:p"],...}
//   {"op":"findNode","node":n,"target":hex,"nodes":["h:p"]?,"concurrency":c?} -> iterative query, {"closest":[{host,port,id}],"replies":k}
//   {"op":"table","node":n}                       -> {"nodes":["h:p"],"nodeId":hex|null,"firewalled":b,"ephemeral":b}
// Every reply is bounded by a 20 s timer in the script; errors come back as {"ok":false,"error":"..."}.
const DHT = require('dht-rpc')
const HyperDHT = require('hyperdht')
const readline = require('readline')

const nodes = []
const hex = (b) => (b ? Buffer.from(b).toString('hex') : null)
const addr = (n) => n.host + ':' + n.port
const parse = (s) => { const [host, port] = s.split(':'); return { host, port: Number(port) } }

function withTimeout(p, ms, what) {
  let t
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(what + ' timed out')), ms) })])
    .finally(() => clearTimeout(t))
}

async function handle(m) {
  switch (m.op) {
    case 'testnet': {
      // as hyperdht/testnet builds one, but from dht-rpc nodes on random ports: a first node that stays
      // ephemeral (nothing to sample its address from), then persistent nodes joining through it
      const first = new DHT({ ephemeral: false, firewalled: false, bootstrap: [], host: '127.0.0.1' })
      await first.fullyBootstrapped()
      const bootstrap = [{ host: '127.0.0.1', port: first.address().port }]
      const net = [first]
      while (net.length < m.size) {
        const n = new DHT({ ephemeral: false, firewalled: false, bootstrap, host: '127.0.0.1' })
        await n.fullyBootstrapped()
        net.push(n)
      }
      const start = nodes.length
      for (const n of net) nodes.push(n)
      return {
        bootstrap: bootstrap[0].port,
        nodes: net.map((n, i) => ({ node: start + i, host: '127.0.0.1', port: n.address().port, id: hex(n.id) }))
      }
    }
    case 'node': {
      const opts = { bootstrap: m.bootstrap, host: '127.0.0.1' }
      if (typeof m.ephemeral === 'boolean') opts.ephemeral = m.ephemeral
      if (typeof m.firewalled === 'boolean') opts.firewalled = m.firewalled
      if (m.port) opts.port = m.port // hyperdht would take its fixed default port 49737 otherwise
      const node = m.kind === 'hyperdht' ? new HyperDHT(opts) : new DHT(opts)
      await node.fullyBootstrapped()
      nodes.push(node)
      return { node: nodes.length - 1, port: node.address().port, nodeId: hex(node.id) }
    }
    case 'ping': {
      const res = await nodes[m.node].ping({ host: m.host, port: m.port })
      return { error: res.error, to: addr(res.to), fromId: hex(res.from.id) }
    }
    case 'request': {
      // a user command (internal = false), with the token of an earlier reply if given
      const res = await nodes[m.node].request({
        command: m.command,
        target: m.target ? Buffer.from(m.target, 'hex') : null,
        value: m.value ? Buffer.from(m.value, 'hex') : null,
        token: m.token ? Buffer.from(m.token, 'hex') : null
      }, { host: m.host, port: m.port })
      return { error: res.error, value: hex(res.value), token: hex(res.token), closer: (res.closerNodes || []).map(addr) }
    }
    case 'delayedPing': {
      const start = Date.now()
      const res = await nodes[m.node].delayedPing({ host: m.host, port: m.port }, m.delay)
      return { error: res.error, elapsed: Date.now() - start }
    }
    case 'findNodeRequest': {
      const node = nodes[m.node]
      const res = await new Promise((resolve, reject) => {
        node._request({ id: null, host: m.host, port: m.port }, false, true, 2, Buffer.from(m.target, 'hex'),
          null, null, resolve, reject)
      })
      return { error: res.error, closer: (res.closerNodes || []).map(addr), fromId: hex(res.from.id), token: !!res.token }
    }
    case 'findNode': {
      const opts = {}
      if (m.nodes) opts.nodes = m.nodes.map(parse)
      if (m.concurrency) opts.concurrency = m.concurrency
      const q = nodes[m.node].findNode(Buffer.from(m.target, 'hex'), opts)
      const order = []
      for await (const r of q) order.push(addr(r.from))
      return { replies: order.length, order, closest: q.closestReplies.map((r) => ({ host: r.from.host, port: r.from.port, id: hex(r.from.id) })) }
    }
    case 'table': {
      const node = nodes[m.node]
      return { nodes: node.toArray().map(addr), nodeId: hex(node.id), firewalled: node.firewalled, ephemeral: node.ephemeral }
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
    const r = await withTimeout(handle(m), 20000, m.op)
    process.stdout.write(JSON.stringify({ id: m.id, ok: true, ...r }) + '\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: m.id, ok: false, error: String(e && e.stack || e) }) + '\n')
  }
})
rl.on('close', async () => {
  for (const n of nodes.reverse()) { try { await n.destroy() } catch {} }
  process.exit(0)
})
