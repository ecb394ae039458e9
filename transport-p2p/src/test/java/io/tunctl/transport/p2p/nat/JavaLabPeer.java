package io.tunctl.transport.p2p.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.dht.rpc.DhtNode;
import io.tunctl.transport.p2p.dht.rpc.DhtNodeOptions;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.hyperdht.HyperDhtException;
import io.tunctl.transport.p2p.hyperdht.HyperDhtServer;
import io.tunctl.transport.p2p.stream.SecureStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Java side of the NAT lab: a {@link HyperDht} server or client in a lab namespace speaking {@link LabPeer}'s
 * JSON-line events, as {@code node/nat-peer.js} does for Node (same options: {@code bootstrap}, {@code seed},
 * {@code key}, {@code bytes}, {@code open}, {@code limitMs}). Run as {@code java ... JavaLabPeer server|client
 * '<json>'}; it exits when stdin closes, at its time limit, or (client) after its echo. The INFO line of
 * {@link HyperDhtConnection} (how the peer was reached) goes to stderr, which {@link LabPeer} keeps in its log.
 */
public final class JavaLabPeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START = System.nanoTime();

    private JavaLabPeer() {
    }

    /** A {@link LabPeer.Launcher} that starts this main in a child JVM in the lab host. */
    public static final LabPeer.Launcher JAVA = new LabPeer.Launcher() {
        @Override
        public LabPeer server(NatLab.Host host, List<String> bootstrap, byte[] seed, String relayThrough,
                Duration limit) {
            if (relayThrough != null) {
                throw new UnsupportedOperationException("the Java peer has no blind relay yet");
            }
            ObjectNode o = options(host, bootstrap, limit).put("seed", HexFormat.of().formatHex(seed));
            return LabPeer.attach(host, "java-server", host.spawn(null, NatLab.javaCommand(JavaLabPeer.class,
                    "server", o.toString())), "listening");
        }

        @Override
        public LabPeer client(NatLab.Host host, List<String> bootstrap, String publicKey, long bytes, LabPeer relay,
                Duration limit) {
            if (relay != null) {
                throw new UnsupportedOperationException("the Java peer has no blind relay yet");
            }
            ObjectNode o = options(host, bootstrap, limit).put("key", publicKey).put("bytes", bytes);
            return LabPeer.attach(host, "java-client", host.spawn(null, NatLab.javaCommand(JavaLabPeer.class,
                    "client", o.toString())), "ready");
        }

        @Override
        public String toString() {
            return "java";
        }
    };

    private static ObjectNode options(NatLab.Host host, List<String> bootstrap, Duration limit) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("bootstrap").addAll(bootstrap.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (host.router() == null) {
            o.put("open", true);
        }
        return o.put("limitMs", limit.toMillis());
    }

    public static void main(String[] args) throws Exception {
        JsonNode opts = JSON.readTree(args.length > 1 ? args[1] : "{}");
        long limit = opts.path("limitMs").asLong(120_000);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // only the end matters
                }
            } catch (IOException ignored) {
                // closed
            }
            System.exit(0);
        });
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(limit);
            } catch (InterruptedException e) {
                return;
            }
            emit("timeout", JSON.createObjectNode().put("limitMs", limit));
            System.exit(3);
        });
        try {
            switch (args[0]) {
                case "server" -> server(opts);
                case "client" -> client(opts);
                default -> throw new IllegalArgumentException("unknown role " + args[0]);
            }
        } catch (Throwable t) {
            emit("error", JSON.createObjectNode().put("message", String.valueOf(t)));
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static HyperDht dht(JsonNode opts) throws Exception {
        List<String> bootstrap = new ArrayList<>();
        opts.path("bootstrap").forEach(b -> bootstrap.add(b.asText()));
        DhtNodeOptions o = DhtNodeOptions.defaults().withBootstrapText(bootstrap);
        if (opts.path("open").asBoolean()) {
            o = o.withFirewalled(false); // a public host, said up front as nat-peer.js does for Node
        }
        HyperDht d = HyperDht.bind(o);
        d.fullyBootstrapped().get(30, TimeUnit.SECONDS);
        return d;
    }

    private static ObjectNode dhtInfo(HyperDht d) {
        DhtNode n = d.node();
        ObjectNode o = JSON.createObjectNode().put("firewalled", n.isFirewalled()).put("ephemeral", n.isEphemeral())
                .put("randomized", n.host() != null && n.port() == 0).put("port", n.port())
                .put("local", d.localAddress().toString());
        if (n.host() != null) {
            o.put("host", n.host());
        } else {
            o.putNull("host");
        }
        return o;
    }

    private static void server(JsonNode opts) throws Exception {
        HyperDht d = dht(opts);
        Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(opts.path("seed").asText()));
        HyperDhtServer server = d.createServer(kp, null, c -> {
            emit("connection", connectionInfo(c).put("remotePublicKey", HexFormat.of().formatHex(
                    c.remotePublicKey())));
            emitNat(c);
            echo(c);
        });
        server.listen().get(60, TimeUnit.SECONDS);
        emit("listening", JSON.createObjectNode().put("publicKey", HexFormat.of().formatHex(kp.publicKey()))
                .set("dht", dhtInfo(d)));
        Thread.sleep(Long.MAX_VALUE);
    }

    private static ObjectNode connectionInfo(HyperDhtConnection c) {
        ObjectNode o = JSON.createObjectNode()
                .put("remote", c.remoteAddress().getAddress().getHostAddress() + ":" + c.remoteAddress().getPort())
                .put("via", switch (c.path()) {
                    case DIRECT -> "direct";
                    case LAN -> "lan";
                    case HOLEPUNCH -> "holepunch";
                });
        if (c.punch() != null) {
            o.put("strategy", switch (c.punch().strategy()) {
                case "none" -> "fast-open";
                case "birthday" -> "random";
                default -> c.punch().strategy();
            });
            o.put("javaStrategy", c.punch().strategy());
        }
        return o;
    }

    /** The NAT analysis behind a punched connection, as nat-peer.js reports its holepuncher's. */
    private static void emitNat(HyperDhtConnection c) {
        if (c.punch() != null) {
            emit("nat", JSON.createObjectNode().put("initiator", c.isInitiator())
                    .put("local", c.punch().localFirewall()).put("remote", c.punch().remoteFirewall())
                    .put("stable", true));
        }
    }

    /** Writes every message back, pausing reads while the stream is not writable. */
    private static void echo(HyperDhtConnection c) {
        long[] bytes = {0};
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                bytes[0] += len;
                try {
                    s.write(buf, off, len);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (!s.isWritable()) {
                    s.pauseReading();
                    resumeWhenWritable(s);
                }
            }

            @Override
            public void onEnd(SecureStream s) {
                s.end();
            }

            @Override
            public void onClose(SecureStream s, Throwable cause) {
                emit("closed", JSON.createObjectNode().put("bytes", bytes[0]));
            }
        });
    }

    private static void resumeWhenWritable(SecureStream s) {
        s.eventLoop().schedule(() -> {
            if (s.isWritable()) {
                s.resumeReading();
            } else {
                resumeWhenWritable(s);
            }
        }, 1, TimeUnit.MILLISECONDS);
    }

    private static void client(JsonNode opts) throws Exception {
        HyperDht d = dht(opts);
        emit("ready", JSON.createObjectNode().set("dht", dhtInfo(d)));
        long began = System.nanoTime();
        HyperDhtConnection c;
        try {
            c = d.connect(HexFormat.of().parseHex(opts.path("key").asText())).get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            ObjectNode o = JSON.createObjectNode().put("message", String.valueOf(cause.getMessage()))
                    .put("ms", (System.nanoTime() - began) / 1_000_000);
            o.put("code", cause instanceof HyperDhtException h ? h.error().name() : cause.getClass().getSimpleName());
            emit("error", o);
            d.close();
            System.exit(0);
            return;
        }
        long openMs = (System.nanoTime() - began) / 1_000_000;
        emit("open", connectionInfo(c).put("ms", openMs));
        emitNat(c);
        long n = opts.path("bytes").asLong(1 << 20);
        MessageDigest sent = sha256();
        MessageDigest got = sha256();
        long[] received = {0};
        CompletableFuture<Long> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                got.update(buf, off, len);
                received[0] += len;
                if (received[0] >= n) {
                    done.complete(received[0]);
                }
            }

            @Override
            public void onClose(SecureStream s, Throwable cause) {
                done.completeExceptionally(cause != null ? cause : new IOException("closed after " + received[0]));
            }
        });
        SecureRandom rnd = new SecureRandom();
        byte[] chunk = new byte[65_536];
        long written = 0;
        while (written < n) {
            if (!c.stream().isWritable()) {
                Thread.sleep(1);
                continue;
            }
            int k = (int) Math.min(chunk.length, n - written);
            rnd.nextBytes(chunk);
            sent.update(chunk, 0, k);
            c.write(chunk, 0, k);
            written += k;
        }
        done.get(300, TimeUnit.SECONDS);
        emit("received", JSON.createObjectNode().put("bytes", received[0])
                .put("sha256Sent", HexFormat.of().formatHex(sent.digest()))
                .put("sha256Received", HexFormat.of().formatHex(got.digest()))
                .put("ms", (System.nanoTime() - t0) / 1_000_000));
        emit("echoed", connectionInfo(c).put("openMs", openMs));
        c.end().get(10, TimeUnit.SECONDS);
        c.destroy();
        d.close();
        System.exit(0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized void emit(String event, ObjectNode fields) {
        ObjectNode o = JSON.createObjectNode().put("event", event).put("t", (System.nanoTime() - START) / 1_000_000);
        o.setAll(fields);
        System.out.println(o);
        System.out.flush();
    }
}
