package io.tunctl.transport.socks.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for tests, UDP and TCP on one loopback port. By name: {@code never.test} is never answered,
 * {@code slow.test} is answered from its second arrival on, {@code big.test} has 100 records, {@code huge.test}
 * 3500 (about 56 KB), anything else one. TCP connections take any number of pipelined queries.
 */
final class TinyDns implements AutoCloseable {
    final DatagramSocket udp;
    final ServerSocket tcp;
    final AtomicInteger udpQueries = new AtomicInteger(), tcpQueries = new AtomicInteger();
    /** The IDs the server saw, in arrival order. */
    final List<Integer> ids = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    TinyDns() throws IOException {
        DatagramSocket[] u = new DatagramSocket[1];
        ServerSocket t = bindBoth(u);
        udp = u[0];
        tcp = t;
        Thread.ofPlatform().daemon().name("tinydns-udp").start(this::serveUdp);
        Thread.ofPlatform().daemon().name("tinydns-tcp").start(this::acceptTcp);
    }

    /** A UDP socket and a TCP listener on the same free loopback port. */
    private static ServerSocket bindBoth(DatagramSocket[] udpOut) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket u = new DatagramSocket(new InetSocketAddress(lo, 0));
            ServerSocket t = new ServerSocket();
            try {
                t.bind(new InetSocketAddress(lo, u.getLocalPort()));
                udpOut[0] = u;
                return t;
            } catch (IOException e) {
                u.close();
                t.close();
                last = e;
            }
        }
        throw last;
    }

    InetSocketAddress address() { return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()); }

    private byte[] respond(byte[] q) {
        ids.add(Wire.id(q));
        String name = Wire.qname(q);
        int n = seen.computeIfAbsent(name + "/" + Wire.qtype(q), k -> new AtomicInteger()).incrementAndGet();
        if (name.equals("never.test") || name.equals("slow.test") && n == 1) return null;
        int count = switch (name) {
            case "big.test" -> 100;
            case "huge.test" -> 3500;
            default -> 1;
        };
        return Wire.answer(q, count, 0);
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udpQueries.incrementAndGet();
                byte[] a = respond(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                if (a != null) udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void acceptTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                connections.add(s);
                Thread.ofPlatform().daemon().name("tinydns-conn").start(() -> serveTcp(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                int len = in.readUnsignedShort();
                byte[] q = in.readNBytes(len);
                if (q.length < len) return;
                tcpQueries.incrementAndGet();
                byte[] a = respond(q);
                if (a == null) continue;
                synchronized (out) {
                    out.writeShort(a.length);
                    out.write(a);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the relay closed its connection
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
        for (Socket s : connections) s.close();
    }
}
