package io.tunctl.transport.p2p.udx;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Java UDX peer (and optional reordering relays) for ITs that run it in a child JVM inside a network
 * namespace. Arguments are {@code key=value}; prints one JSON object per line, like udx-peer.js.
 *
 * <pre>
 * mode=relay relay=... hold=PERCENT          only the relays (to measure two udx-native peers through them)
 * mode=sink|source|pair port=P id=I peerPort=Q peerId=J bytes=N [relay=listen:target,...] [hold=PERCENT]
 * pair: two sockets in this JVM, port P (id I) sends N bytes to port Q (id J) through peerPort2=R / peerPort1=S
 * </pre>
 */
public final class UdxPeerMain {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private UdxPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(Long.parseLong(a.getOrDefault("limitMs", "170000")));
            } catch (InterruptedException e) {
                return;
            }
            out("{\"event\":\"timeout\"}");
            Runtime.getRuntime().halt(3);
        });
        List<ImpairmentRelay> relays = new ArrayList<>();
        int hold = Integer.parseInt(a.getOrDefault("hold", "0"));
        if (a.containsKey("relay")) {
            for (String r : a.get("relay").split(",")) {
                String[] p = r.split(":");
                relays.add(new ImpairmentRelay(new InetSocketAddress(LO, Integer.parseInt(p[0])),
                        new InetSocketAddress(LO, Integer.parseInt(p[1])), hold));
            }
        }
        if ("relay".equals(a.get("mode"))) { // relays only, for measuring two other peers through them
            out("{\"event\":\"ready\"}");
            Thread.sleep(Long.parseLong(a.getOrDefault("limitMs", "170000")));
            System.exit(0);
        }
        long bytes = Long.parseLong(a.getOrDefault("bytes", "0"));
        int port = Integer.parseInt(a.get("port"));
        int id = Integer.parseUnsignedInt(a.get("id"));
        int peerPort = Integer.parseInt(a.get("peerPort"));
        int peerId = Integer.parseUnsignedInt(a.get("peerId"));
        String mode = a.get("mode");
        try (UdxSocket socket = UdxSocket.bind(new InetSocketAddress(LO, port))) {
            UdxStream s = socket.createStream(id);
            s.connect(peerId, new InetSocketAddress(LO, peerPort));
            out("{\"event\":\"ready\",\"port\":" + port + "}");
            long t0 = System.nanoTime();
            switch (mode) {
                case "source" -> {
                    String sha = Transfer.sendRandom(s, bytes, 99);
                    out("{\"event\":\"sent\",\"bytes\":" + bytes + ",\"sha256\":\"" + sha + "\"}");
                    Transfer.receiveAll(s);
                }
                case "sink" -> {
                    Object[] got = Transfer.receiveAll(s);
                    // from the first byte, as udx-peer.js measures (the peer may start later than this one)
                    long from = (long) got[2] == 0 ? t0 : (long) got[2];
                    out("{\"event\":\"received\",\"bytes\":" + got[0] + ",\"sha256\":\"" + got[1] + "\",\"ms\":"
                            + (System.nanoTime() - from) / 1_000_000 + "}");
                    s.end();
                }
                case "pair" -> {
                    int port2 = Integer.parseInt(a.get("port2"));
                    int peerPort2 = Integer.parseInt(a.get("peerPort2"));
                    try (UdxSocket socket2 = UdxSocket.bind(new InetSocketAddress(LO, port2))) {
                        UdxStream s2 = socket2.createStream(peerId);
                        s2.connect(id, new InetSocketAddress(LO, peerPort2));
                        CompletableFuture<Object[]> got = Transfer.async(() -> {
                            Object[] r = Transfer.receiveAll(s2);
                            s2.end();
                            return r;
                        });
                        String sha = Transfer.sendRandom(s, bytes, 99);
                        out("{\"event\":\"sent\",\"bytes\":" + bytes + ",\"sha256\":\"" + sha + "\"}");
                        Object[] r = got.get(160, TimeUnit.SECONDS);
                        out("{\"event\":\"received\",\"bytes\":" + r[0] + ",\"sha256\":\"" + r[1] + "\",\"ms\":"
                                + (System.nanoTime() - t0) / 1_000_000 + "}");
                        s2.closeFuture().get(30, TimeUnit.SECONDS);
                        out("{\"event\":\"streams\",\"count\":" + (socket.streamCount() + socket2.streamCount())
                                + ",\"receiver\":" + json(s2.counters()) + "}");
                    }
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
            String closeError = "null";
            try {
                s.closeFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // reported, not thrown: the IT decides which close errors the peer explains
                closeError = "\"" + (e.getCause() instanceof UdxStreamException u ? u.code() : "other") + "\"";
                System.err.println("stream closed with " + e.getCause());
            }
            out("{\"event\":\"close\",\"closeError\":" + closeError + ",\"stats\":\"" + s.stats()
                    + "\",\"counters\":" + json(s.counters())
                    + ",\"forwarded\":"
                    + relays.stream().mapToLong(ImpairmentRelay::forwarded).sum() + ",\"reordered\":"
                    + relays.stream().mapToLong(ImpairmentRelay::reordered).sum() + ",\"relays\":"
                    + relays.stream().map(UdxPeerMain::json).collect(java.util.stream.Collectors.joining(",", "[", "]"))
                    + "}");
        } finally {
            for (ImpairmentRelay r : relays) {
                r.close();
            }
        }
        System.exit(0);
    }

    private static String json(ImpairmentRelay r) {
        return String.format("{\"target\":%d,\"forwarded\":%d,\"reordered\":%d,\"data\":%d,\"repeats\":%d}",
                r.target().getPort(), r.forwarded(), r.reordered(), r.dataForwarded(), r.repeats());
    }

    private static String json(UdxStream.Counters c) {
        return String.format("{\"packetsSent\":%d,\"packetsRetransmitted\":%d,\"bytesRetransmitted\":%d,"
                        + "\"spuriousRetransmits\":%d,\"spuriousLossMarks\":%d,\"undoneRecoveries\":%d,"
                        + "\"packetsReceived\":%d,\"duplicatesReceived\":%d}",
                c.packetsSent(), c.packetsRetransmitted(), c.bytesRetransmitted(), c.spuriousRetransmits(),
                c.spuriousLossMarks(), c.undoneRecoveries(), c.packetsReceived(), c.duplicatesReceived());
    }

    private static synchronized void out(String json) {
        System.out.println(json);
        System.out.flush();
    }
}
