package io.tunctl.core.packet;

import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Linux stack as the judge of the socks engine's codecs: a namespace whose TUN leads to a "peer"
 * (10.77.0.2, 2001:db8:77::2) played by a Java loop built only from this package's codecs. Sockets in the
 * namespace must see what they would see from a real host: UDP echoed (kernel-fragmented datagrams reassembled
 * by {@link Ipv4Reassembler}, large answers cut by {@link Ipv4Fragmenter} and reassembled by Linux),
 * {@code ECONNREFUSED} from our port unreachables and resets, path MTUs learnt from our fragmentation-needed and
 * packet-too-big messages, ping answered by {@link IcmpReplies#echoReplyInPlace}, and the kernel's own MLD and
 * router solicitations recognised by {@link Icmp6Control}.
 */
class SocksCodecKernelIT {
    private static final int MTU = 1400;
    private static final int PEER4 = 0x0a4d0002;
    private static final long PEER6_HI = 0x20010db800770000L, PEER6_LO = 2;

    private static final String CLIENT = """
            import socket, sys, time
            A4, A6 = socket.AF_INET, socket.AF_INET6
            P4, P6 = "10.77.0.2", "2001:db8:77::2"
            def data(n):
                return bytes((i * 7 + n) % 256 for i in range(n))
            def echo(fam, host, size):
                s = socket.socket(fam, socket.SOCK_DGRAM)
                if fam == A4:
                    s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT: may fragment
                s.settimeout(5)
                s.sendto(data(size), (host, 7))
                d, _ = s.recvfrom(70000)
                return "ok" if d == data(size)[::-1] else "mismatch %d" % len(d)
            def refused_udp(fam, host):
                s = socket.socket(fam, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.connect((host, 9))
                s.send(b"anyone there?")
                try:
                    s.recv(100)
                    return "answered"
                except ConnectionRefusedError:
                    return "ok"
            def refused_tcp(fam, host):
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.settimeout(5)
                try:
                    s.connect((host, 80))
                    return "connected"
                except ConnectionRefusedError:
                    return "ok"
            def path_mtu(fam, host, size):
                s = socket.socket(fam, socket.SOCK_DGRAM)
                if fam == A4:
                    s.setsockopt(socket.IPPROTO_IP, 10, 2)  # IP_PMTUDISC_DO: DF set
                else:
                    s.setsockopt(socket.IPPROTO_IPV6, 23, 2)  # IPV6_MTU_DISCOVER = IPV6_PMTUDISC_DO
                s.connect((host, 8))
                s.send(data(size))
                for _ in range(50):
                    m = s.getsockopt(socket.IPPROTO_IP, 14) if fam == A4 else s.getsockopt(socket.IPPROTO_IPV6, 24)
                    if m != $MTU:
                        return str(m)
                    time.sleep(0.1)
                return "unchanged"
            tests = [("echo4-small", lambda: echo(A4, P4, 100)), ("echo4-frag", lambda: echo(A4, P4, 5000)),
                     ("echo6", lambda: echo(A6, P6, 1200)), ("udp4-refused", lambda: refused_udp(A4, P4)),
                     ("udp6-refused", lambda: refused_udp(A6, P6)), ("tcp4-refused", lambda: refused_tcp(A4, P4)),
                     ("tcp6-refused", lambda: refused_tcp(A6, P6)), ("pmtu4", lambda: path_mtu(A4, P4, 1300)),
                     ("pmtu6", lambda: path_mtu(A6, P6, 1350))]
            for name, t in tests:
                try:
                    print(name, t(), flush=True)
                except Exception as e:
                    print(name, "error:" + type(e).__name__ + ":" + str(e).replace(" ", "_"), flush=True)
            """.replace("$MTU", Integer.toString(MTU));

    private Netns ns;

    @BeforeEach
    void setUp() {
        Root.require();
        ns = Netns.create("tn-codec");
    }

    @AfterEach
    void tearDown() {
        if (ns != null) ns.close();
    }

    @Test
    void linuxAcceptsWhatThePeerBuiltFromTheCodecs() throws Exception {
        Root.ensureCommand("python3", "python3");
        Root.ensureCommand("ping", "iputils-ping");
        InterfaceSpec spec = InterfaceSpec.of("tncodec0", MTU,
                List.of(Cidr.parse("10.77.0.1/24"), Cidr.parse("2001:db8:77::1/64")));
        LinuxInterface tun = NetworkNamespace.named(ns.name()).call(() -> LinuxInterface.create(spec));
        Peer peer = new Peer(tun.device());
        Path script = Files.createTempFile("codec-client", ".py");
        Map<String, String> results = new HashMap<>();
        ProcessRunner.Result ping4, ping6;
        try {
            Files.writeString(script, CLIENT);
            ProcessRunner.Result r = ns.exec(Duration.ofSeconds(120), "python3", script.toString());
            for (String line : r.stdout().split("\n")) {
                String[] f = line.trim().split(" ", 2);
                if (f.length == 2) results.put(f[0], f[1]);
            }
            results.put("stderr", r.stderr());
            ping4 = ns.exec(Duration.ofSeconds(20), "ping", "-c", "2", "-i", "0.2", "-W", "3", "10.77.0.2");
            ping6 = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "2", "-i", "0.2", "-W", "3", "2001:db8:77::2");
        } finally {
            tun.close();
            peer.join();
            Files.deleteIfExists(script);
        }
        System.out.printf("peer: %s; results %s%n", peer.stats(), results);
        assertNull(peer.failure.get(), () -> "peer loop failed: " + peer.failure.get());
        for (String t : List.of("echo4-small", "echo4-frag", "echo6", "udp4-refused", "udp6-refused", "tcp4-refused",
                "tcp6-refused")) {
            assertEquals("ok", results.get(t), t + " in " + results);
        }
        assertEquals("1000", results.get("pmtu4"), "path MTU learnt from our fragmentation-needed");
        assertEquals("1280", results.get("pmtu6"), "path MTU learnt from our packet too big");
        assertTrue(ping4.ok(), ping4.stdout() + ping4.stderr());
        assertTrue(ping6.ok(), ping6.stdout() + ping6.stderr());
        assertTrue(peer.reassembled.get() >= 1, "the 5000-byte datagram came in fragments");
        assertTrue(peer.fragmentsOut.get() >= 4, "and went back in our fragments");
        assertEquals(0, peer.unclassified.get(), "kernel ICMPv6 control traffic not recognised: " + peer.firstOdd.get());
        assertEquals(0, peer.bad.get(), "packets the peer could not parse or answer: " + peer.firstOdd.get());
    }

    /** The peer: reads the TUN, answers with packets built by the codecs under test. */
    private static final class Peer {
        final AtomicLong reassembled = new AtomicLong(), fragmentsOut = new AtomicLong(), echoes = new AtomicLong(),
                control = new AtomicLong(), unclassified = new AtomicLong(), bad = new AtomicLong();
        final AtomicReference<String> firstOdd = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private int ipId = 1;

        Peer(PacketDevice tun) {
            thread = Thread.ofPlatform().name("codec peer").start(() -> run(tun));
        }

        String stats() {
            return "reassembled " + reassembled + ", fragments out " + fragmentsOut + ", echo replies " + echoes
                    + ", MLD/RS dropped " + control;
        }

        void join() throws InterruptedException { thread.join(5000); }

        private void run(PacketDevice tun) {
            try (Arena arena = Arena.ofConfined()) {
                PacketBatch in = PacketBatch.allocate(arena, 16, 2048);
                PacketBatch out = PacketBatch.allocate(arena, 64, 2048);
                MemorySegment scratch = arena.allocate(70_000);
                Ipv4Reassembler reassembler = new Ipv4Reassembler(arena, 8, 65535, 30_000_000_000L);
                Ipv4Fragmenter fragmenter = new Ipv4Fragmenter();
                while (true) {
                    in.clear();
                    if (tun.read(in) < 0) return;
                    out.clear();
                    for (int i = 0; i < in.size(); i++) {
                        MemorySegment s = in.buffer(i);
                        int len = in.length(i);
                        if (IpPacket.version(s, 0) == 4 && Ipv4.isFragment(s, 0)) {
                            int res = reassembler.offer(s, 0, len, System.nanoTime());
                            if (res < 0) odd("reassembly " + reassembler.lastDrop(), s, len);
                            if (res <= 0) continue;
                            reassembled.incrementAndGet();
                            MemorySegment.copy(reassembler.completed(), reassembler.completedOffset(), scratch, 0, res);
                            answer(scratch, res, out, scratch, fragmenter);
                        } else {
                            answer(s, len, out, scratch, fragmenter);
                        }
                    }
                    if (!out.isEmpty()) tun.write(out);
                }
            } catch (ClosedChannelException e) {
                // the test closed the TUN
            } catch (IOException | RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            }
        }

        private void odd(String what, MemorySegment s, int len) {
            bad.incrementAndGet();
            firstOdd.compareAndSet(null, what + " " + java.util.HexFormat.of().formatHex(
                    s.asSlice(0, Math.min(len, 96)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        }

        /** One whole packet from the kernel; {@code scratch} may hold it already (a reassembled datagram). */
        private void answer(MemorySegment s, int len, PacketBatch out, MemorySegment scratch, Ipv4Fragmenter fragmenter) {
            if (!IpPacket.validate(s, 0, len).isValid()) {
                odd("invalid", s, len);
                return;
            }
            int version = IpPacket.version(s, 0);
            if (version == 6 && (Icmp6Control.isMldReport(s, 0, len) || Icmp6Control.isRouterSolicitation(s, 0, len))) {
                control.incrementAndGet();
                return;
            }
            if (version == 6 && isIndependentlyControl(s, len)) {
                unclassified.incrementAndGet();
                odd("control", s, len);
                return;
            }
            if (version == 6 && Icmp6Control.icmpType(s, 0, len) == Icmp.V6_NEIGHBOR_SOLICITATION) return;
            if (version == 4 && Ipv4.protocol(s, 0) == 2) return; // IGMP, should the kernel send any
            if (!Checksum.verifyTransport(s, 0, len)) {
                odd("checksum", s, len);
                return;
            }
            long t = IpPacket.transportOffset(IpPacket.transport(s, 0, len));
            int proto = IpPacket.transportProtocol(IpPacket.transport(s, 0, len));
            MemorySegment o = out.buffer(out.size());
            int n;
            if (proto == IpPacket.PROTO_ICMP || proto == IpPacket.PROTO_ICMPV6) {
                MemorySegment.copy(s, 0, o, 0, len);
                if (!IcmpReplies.echoReplyInPlace(o, 0, len)) {
                    odd("icmp", s, len);
                    return;
                }
                echoes.incrementAndGet();
                n = len;
            } else if (proto == IpPacket.PROTO_TCP) {
                n = PacketBuilder.tcpReset(s, 0, len, o, 0, out.bufferSize());
            } else if (proto == IpPacket.PROTO_UDP) {
                int port = Udp.destinationPort(s, t);
                if (port == 7) {
                    udpEcho(s, len, t, out, scratch, fragmenter);
                    return;
                }
                if (port == 8) {
                    n = version == 4
                            ? IcmpReplies.fragmentationNeeded(o, 0, out.bufferSize(), 1000, s, 0, len, PEER4)
                            : IcmpReplies.packetTooBig6(o, 0, out.bufferSize(), 1280, s, 0, len, PEER6_HI, PEER6_LO);
                } else {
                    n = version == 4
                            ? IcmpReplies.destinationUnreachable(o, 0, out.bufferSize(), IcmpReplies.V4_PORT_UNREACHABLE,
                                    s, 0, len, PEER4)
                            : IcmpReplies.destinationUnreachable(o, 0, out.bufferSize(), IcmpReplies.V6_PORT_UNREACHABLE,
                                    s, 0, len, PEER6_HI, PEER6_LO);
                }
            } else {
                odd("protocol " + proto, s, len);
                return;
            }
            if (n <= 0) {
                odd("no answer built: " + n, s, len);
                return;
            }
            out.commit(n);
        }

        /** The UDP payload reversed, sent back; over IPv4 in fragments of the TUN's MTU when it is larger. */
        private void udpEcho(MemorySegment s, int len, long t, PacketBatch out, MemorySegment scratch,
                             Ipv4Fragmenter fragmenter) {
            int payload = Udp.length(s, t) - Udp.HEADER_LENGTH;
            byte[] data = s.asSlice(t + Udp.HEADER_LENGTH, payload).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            for (int i = 0, j = data.length - 1; i < j; i++, j--) {
                byte x = data[i];
                data[i] = data[j];
                data[j] = x;
            }
            int sport = Udp.sourcePort(s, t);
            int n;
            if (IpPacket.version(s, 0) == 4) {
                int client = Ipv4.source(s, 0);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, scratch, PacketBuilder.UDP4_HEADERS, payload);
                n = PacketBuilder.udp4Headers(scratch, 0, (int) scratch.byteSize(), PEER4, 7, client, sport, payload,
                        ipId++);
                int count = fragmenter.start(scratch, 0, n, MTU);
                if (count == Ipv4Fragmenter.FITS) {
                    out.add(scratch.asSlice(0, n));
                    return;
                }
                int k;
                while ((k = fragmenter.next(out.buffer(out.size()), 0, out.bufferSize())) > 0) {
                    out.commit(k);
                    fragmentsOut.incrementAndGet();
                }
            } else {
                long cHi = Ipv6.sourceHigh(s, 0), cLo = Ipv6.sourceLow(s, 0);
                MemorySegment o = out.buffer(out.size());
                n = PacketBuilder.udp6(o, 0, out.bufferSize(), PEER6_HI, PEER6_LO, 7, cHi, cLo, sport,
                        MemorySegment.ofArray(data), 0, payload);
                out.commit(n);
            }
        }

        /** MLD or router solicitation by a parse written apart from Icmp6Control: next headers walked by hand. */
        private static boolean isIndependentlyControl(MemorySegment s, int len) {
            byte[] p = s.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int next = p[6] & 0xff, pos = 40;
            if (next == 0 && len >= 48) {
                next = p[40] & 0xff;
                pos = 40 + ((p[41] & 0xff) + 1) * 8;
            }
            if (next != 58 || pos >= len) return false;
            int type = p[pos] & 0xff;
            return type == 131 || type == 132 || type == 133 || type == 143;
        }
    }
}
