package io.tunctl.core.packet;

import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.Offload;
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

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel as the independent implementation: two namespaces, a vnet_hdr TUN with TSO in each, and a Java loop
 * that takes every GSO super-packet Linux hands over apart with {@link GsoSegmenter} (checking each segment's
 * headers and checksums), merges the segments again with {@link GsoCoalescer} and writes the super-packets into
 * the other TUN. A TCP stream of known bytes crosses it over IPv4 and IPv6 and the receiver's hash must match.
 * Every packet Linux hands over must also pass {@link OffloadCheck}, the check a peer's metadata goes through.
 */
class GsoKernelIT {
    private static final String PEER = """
            import hashlib, random, socket, struct, sys, time
            if sys.argv[1] == "udpserver":
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 24)
                s.bind(("::", int(sys.argv[2])))
                print("ready", flush=True)
                ok = bad = 0
                s.settimeout(60)
                while True:
                    try:
                        d = s.recv(65535)
                    except socket.timeout:
                        break
                    s.settimeout(2)
                    i = struct.unpack("!I", d[:4])[0]
                    if len(d) == 1200 and d[4:] == bytes([i % 251]) * 1196:
                        ok += 1
                    else:
                        bad += 1
                print("result %d %d" % (ok, bad), flush=True)
            elif sys.argv[1] == "udpclient":
                host, port, sends = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
                fam = socket.AF_INET6 if ":" in host else socket.AF_INET
                s = socket.socket(fam, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_UDP, 103, 1200)  # UDP_SEGMENT: one send, 40 datagrams
                for k in range(sends):
                    buf = b"".join(struct.pack("!I", k * 40 + j) + bytes([(k * 40 + j) % 251]) * 1196
                                   for j in range(40))
                    s.sendto(buf, (host, port))
                    time.sleep(0.002)
            elif sys.argv[1] == "server":
                s = socket.socket(socket.AF_INET6)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(("::", int(sys.argv[2])))
                s.listen(4)
                s.settimeout(120)
                while True:
                    c, _ = s.accept()
                    c.settimeout(30)
                    h = hashlib.sha256()
                    n = 0
                    while True:
                        d = c.recv(1 << 20)
                        if not d:
                            break
                        h.update(d)
                        n += len(d)
                    c.sendall(("%d %s" % (n, h.hexdigest())).encode())
                    c.close()
            else:
                host, port, total = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
                fam = socket.AF_INET6 if ":" in host else socket.AF_INET
                deadline = time.time() + 10
                while True:
                    try:
                        c = socket.create_connection((host, port), timeout=5)
                        break
                    except OSError:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.1)
                c.settimeout(30)
                rnd = random.Random(7)
                h = hashlib.sha256()
                sent = 0
                while sent < total:
                    chunk = rnd.randbytes(min(1 << 18, total - sent))
                    c.sendall(chunk)
                    h.update(chunk)
                    sent += len(chunk)
                c.shutdown(socket.SHUT_WR)
                reply = b""
                while True:
                    d = c.recv(4096)
                    if not d:
                        break
                    reply += d
                print("%d %s|%s" % (sent, h.hexdigest(), reply.decode()))
            """;

    private Netns a;
    private Netns b;

    @BeforeEach
    void setUp() {
        Root.require();
        a = Netns.create("tn-pkt");
        b = Netns.create("tn-pkt");
    }

    @AfterEach
    void tearDown() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private LinuxInterface create(Netns ns, String name, String v4, String v6) throws IOException {
        InterfaceSpec spec = InterfaceSpec.of(name, 1420, List.of(Cidr.parse(v4), Cidr.parse(v6))).withOffload(true);
        return NetworkNamespace.named(ns.name()).call(() -> LinuxInterface.create(spec));
    }

    @Test
    void kernelSuperPacketsSegmentAndCoalesceIntoAnIntactTcpStream() throws Exception {
        Root.ensureCommand("python3", "python3");
        LinuxInterface ta = create(a, "tnpkta0", "192.0.2.1/24", "2001:db8::1/64");
        LinuxInterface tb = create(b, "tnpktb0", "192.0.2.2/24", "2001:db8::2/64");
        assertTrue(ta.device().acceptsGso() && tb.device().acceptsGso());
        Path script = Files.createTempFile("gso-peer", ".py");
        File log = File.createTempFile("gso-peer", ".log");
        Pump ab = new Pump(ta.device(), tb.device());
        Pump ba = new Pump(tb.device(), ta.device());
        try {
            Files.writeString(script, PEER);
            b.start(log, "python3", script.toString(), "server", "5300");
            int total = 24 << 20;
            for (String server : new String[] {"192.0.2.2", "2001:db8::2"}) {
                ProcessRunner.Result r = a.exec(Duration.ofSeconds(90), "python3", script.toString(), "client",
                        server, "5300", Integer.toString(total));
                assertTrue(r.ok(), r.stdout() + r.stderr() + Files.readString(log.toPath()));
                String[] sentAndReceived = r.stdout().strip().split("\\|");
                assertEquals(sentAndReceived[0], sentAndReceived[1], "bytes and hash seen by the receiver via " + server);
                assertEquals(total + "", sentAndReceived[0].split(" ")[0]);
            }
        } finally {
            ta.close();
            tb.close();
            ab.join();
            ba.join();
            Files.deleteIfExists(script);
            Files.deleteIfExists(log.toPath());
        }
        System.out.printf("a->b: %d super-packets in (largest %d B), %d segments checked, %d super-packets out; "
                        + "b->a: %d in, %d segments, %d out%n", ab.superIn.get(), ab.largest.get(), ab.segments.get(),
                ab.superOut.get(), ba.superIn.get(), ba.segments.get(), ba.superOut.get());
        assertNull(ab.failure.get());
        assertNull(ba.failure.get());
        assertEquals(0, ab.bad.get(), "segments with bad headers or checksums: " + ab.firstBad.get());
        assertEquals(0, ba.bad.get(), "segments with bad headers or checksums: " + ba.firstBad.get());
        assertTrue(ab.superIn.get() > 0, "Linux handed over GSO super-packets");
        assertTrue(ab.superOut.get() > 0, "the coalescer produced super-packets");
        assertOffloadChecked(ab, ba, ta, tb);
    }

    /** UDP GSO (UDP_SEGMENT) from the kernel: GSO_UDP_L4 super-packets, segmented and checked, datagrams intact. */
    @Test
    void kernelUdpGsoSuperPacketsSegmentIntoIntactDatagrams() throws Exception {
        Root.ensureCommand("python3", "python3");
        LinuxInterface ta = create(a, "tnpkta0", "192.0.2.1/24", "2001:db8::1/64");
        LinuxInterface tb = create(b, "tnpktb0", "192.0.2.2/24", "2001:db8::2/64");
        Path script = Files.createTempFile("gso-peer", ".py");
        Pump ab = new Pump(ta.device(), tb.device());
        Pump ba = new Pump(tb.device(), ta.device());
        try {
            Files.writeString(script, PEER);
            int sends = 100;
            for (String server : new String[] {"192.0.2.2", "2001:db8::2"}) {
                File log = File.createTempFile("gso-udp", ".log");
                try {
                    b.start(log, "python3", script.toString(), "udpserver", "5301");
                    waitFor(log, "ready");
                    a.exec(Duration.ofSeconds(60), "python3", script.toString(), "udpclient", server, "5301",
                            Integer.toString(sends)).orThrow();
                    String result = waitFor(log, "result");
                    String[] f = result.trim().split(" ");
                    int ok = Integer.parseInt(f[1]);
                    int bad = Integer.parseInt(f[2]);
                    System.out.printf("UDP GSO via %s: %d of %d datagrams intact, %d damaged%n", server, ok,
                            sends * 40, bad);
                    assertEquals(0, bad, "damaged datagrams via " + server);
                    assertTrue(ok >= sends * 40 * 9 / 10, ok + " of " + sends * 40 + " datagrams arrived via " + server);
                } finally {
                    Files.deleteIfExists(log.toPath());
                }
            }
        } finally {
            ta.close();
            tb.close();
            ab.join();
            ba.join();
            Files.deleteIfExists(script);
        }
        System.out.printf("a->b: %d GSO_UDP_L4 super-packets, %d segments checked%n", ab.udpIn.get(), ab.segments.get());
        assertNull(ab.failure.get());
        assertEquals(0, ab.bad.get(), "bad segments: " + ab.firstBad.get());
        assertTrue(ab.udpIn.get() > 0, "Linux handed over GSO_UDP_L4 super-packets");
        assertOffloadChecked(ab, ba, ta, tb);
    }

    /** Waits up to 70 s for a line starting with {@code prefix} in a log file and returns it. */
    private static String waitFor(File log, String prefix) throws Exception {
        long end = System.nanoTime() + 70_000_000_000L;
        while (System.nanoTime() < end) {
            for (String line : Files.readAllLines(log.toPath())) if (line.startsWith(prefix)) return line;
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + prefix + "' in " + Files.readString(log.toPath()));
    }

    /**
     * The coalescer's partial checksums checked by Linux: namespace B forwards the super-packets it gets from the
     * TUN out of a veth with checksum offload and GSO switched off, so B's kernel segments them and completes
     * every checksum in software from the pseudo-header sum the coalescer stored. Namespace C receives plain
     * packets and verifies them; a wrong partial sum would show up as TCP checksum errors in C.
     */
    @Test
    void forwardedSuperPacketsGetRightChecksumsFromTheKernel() throws Exception {
        Root.ensureCommand("python3", "python3");
        Root.ensureCommand("ethtool", "ethtool");
        try (Netns c = Netns.create("tn-pkt")) {
            LinuxInterface ta = create(a, "tnpkta0", "192.0.2.1/24", "2001:db8::1/64");
            LinuxInterface tb = create(b, "tnpktb0", "192.0.2.2/24", "2001:db8::2/64");
            Netns.veth(b, "tnpktbc", "198.51.100.1/24", c, "tnpktcb", "198.51.100.2/24");
            b.ip("-6", "addr", "add", "2001:db8:1::1/64", "dev", "tnpktbc", "nodad");
            c.ip("-6", "addr", "add", "2001:db8:1::2/64", "dev", "tnpktcb", "nodad");
            b.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            b.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow();
            b.exec("ethtool", "-K", "tnpktbc", "tx", "off", "tso", "off", "gso", "off").orThrow();
            a.ip("route", "add", "198.51.100.0/24", "dev", "tnpkta0");
            a.ip("-6", "route", "add", "2001:db8:1::/64", "dev", "tnpkta0");
            c.ip("route", "add", "default", "via", "198.51.100.1");
            c.ip("-6", "route", "add", "default", "via", "2001:db8:1::1");
            Path script = Files.createTempFile("gso-peer", ".py");
            File log = File.createTempFile("gso-peer", ".log");
            Pump ab = new Pump(ta.device(), tb.device());
            Pump ba = new Pump(tb.device(), ta.device());
            long csumErrors;
            try {
                Files.writeString(script, PEER);
                c.start(log, "python3", script.toString(), "server", "5300");
                int total = 16 << 20;
                for (String server : new String[] {"198.51.100.2", "2001:db8:1::2"}) {
                    ProcessRunner.Result r = a.exec(Duration.ofSeconds(90), "python3", script.toString(), "client",
                            server, "5300", Integer.toString(total));
                    assertTrue(r.ok(), r.stdout() + r.stderr() + Files.readString(log.toPath()));
                    String[] sentAndReceived = r.stdout().strip().split("\\|");
                    assertEquals(sentAndReceived[0], sentAndReceived[1], "bytes and hash received via " + server);
                }
                csumErrors = tcpInCsumErrors(c);
            } finally {
                ta.close();
                tb.close();
                ab.join();
                ba.join();
                Files.deleteIfExists(script);
                Files.deleteIfExists(log.toPath());
            }
            System.out.printf("forwarded: %d super-packets out of the coalescer, %d TCP checksum errors in C%n",
                    ab.superOut.get(), csumErrors);
            assertNull(ab.failure.get());
            assertNull(ba.failure.get());
            assertEquals(0, ab.bad.get(), "bad segments: " + ab.firstBad.get());
            assertTrue(ab.superOut.get() > 0, "the coalescer produced super-packets");
            assertEquals(0, csumErrors, "TCP checksum errors in the receiving namespace");
            assertOffloadChecked(ab, ba, ta, tb);
        }
    }

    /**
     * Every packet Linux handed over passed {@link OffloadCheck}, and the vnet TUNs refused nothing the coalescer
     * made (TunDevice checks each packet it writes).
     */
    private static void assertOffloadChecked(Pump ab, Pump ba, LinuxInterface ta, LinuxInterface tb) {
        System.out.printf("offload check: %d + %d kernel packets checked, %d + %d refused; TUN offload drops %d + %d%n",
                ab.offloadChecked.get(), ba.offloadChecked.get(), ab.offloadRefused.get(), ba.offloadRefused.get(),
                ta.tun().offloadDrops(), tb.tun().offloadDrops());
        assertTrue(ab.offloadChecked.get() > 0);
        assertEquals(0, ab.offloadRefused.get(), "kernel packets refused by OffloadCheck: " + ab.firstRefused.get());
        assertEquals(0, ba.offloadRefused.get(), "kernel packets refused by OffloadCheck: " + ba.firstRefused.get());
        assertEquals(0, ta.tun().offloadDrops() + tb.tun().offloadDrops(), "coalesced packets refused on write");
    }

    /** Tcp InCsumErrors of a namespace (IPv4 and IPv6 TCP share the counter). */
    private static long tcpInCsumErrors(Netns ns) {
        String[] lines = ns.exec("cat", "/proc/net/snmp").orThrow().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                String[] values = lines[i + 1].trim().split("\\s+");
                return Long.parseLong(values[names.indexOf("InCsumErrors")]);
            }
        }
        throw new AssertionError("no Tcp line in /proc/net/snmp");
    }

    /** One direction: read, segment and check, coalesce, write. */
    private static final class Pump {
        final AtomicLong superIn = new AtomicLong();
        final AtomicLong superOut = new AtomicLong();
        final AtomicLong udpIn = new AtomicLong();
        final AtomicLong segments = new AtomicLong();
        final AtomicLong largest = new AtomicLong();
        final AtomicLong bad = new AtomicLong();
        final AtomicReference<String> firstBad = new AtomicReference<>();
        /** Packets the kernel handed over, all of which OffloadCheck must accept. */
        final AtomicLong offloadChecked = new AtomicLong();
        final AtomicLong offloadRefused = new AtomicLong();
        final AtomicReference<String> firstRefused = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        Pump(PacketDevice from, PacketDevice to) {
            thread = Thread.ofPlatform().name("gso pump " + from.describe()).start(() -> run(from, to));
        }

        private void run(PacketDevice from, PacketDevice to) {
            try (Arena arena = Arena.ofConfined()) {
                PacketBatch in = PacketBatch.allocate(arena, 16, 65599);
                PacketBatch plain = PacketBatch.allocate(arena, 64, 2048);
                PacketBatch out = PacketBatch.allocate(arena, 64, 65599);
                GsoCoalescer coalescer = new GsoCoalescer(64);
                while (true) {
                    in.clear();
                    if (from.read(in) < 0) return;
                    for (int i = 0; i < in.size(); i++) {
                        int verdict = OffloadCheck.check(in, i, from.mtu());
                        offloadChecked.incrementAndGet();
                        if (verdict != OffloadCheck.OK) {
                            offloadRefused.incrementAndGet();
                            firstRefused.compareAndSet(null, OffloadCheck.name(verdict) + " flags " + in.flags(i)
                                    + " gso " + in.gsoType(i) + "/" + in.gsoSize(i) + " hdr " + in.hdrLen(i) + " csum "
                                    + in.csumStart(i) + "+" + in.csumOffset(i) + " "
                                    + java.util.HexFormat.of().formatHex(in.toArray(i), 0, Math.min(in.length(i), 96)));
                        }
                        if ((in.gsoType(i) & ~Offload.GSO_ECN) != Offload.GSO_NONE) superIn.incrementAndGet();
                        if (in.gsoType(i) == Offload.GSO_UDP_L4) udpIn.incrementAndGet();
                        largest.accumulateAndGet(in.length(i), Math::max);
                        int n = GsoSegmenter.segmentCount(in, i);
                        for (int done = 0; done < n; ) {
                            if (plain.isFull()) flush(plain, out, coalescer, to);
                            int first = plain.size();
                            done += GsoSegmenter.segment(in, i, plain, done);
                            for (int k = first; k < plain.size(); k++) check(plain, k);
                        }
                    }
                    flush(plain, out, coalescer, to);
                }
            } catch (ClosedChannelException e) {
                // the other side closed first
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        private void check(PacketBatch b, int k) {
            segments.incrementAndGet();
            var s = b.buffer(k);
            int len = b.length(k);
            PacketValidity v = IpPacket.validate(s, 0, len);
            boolean ok = v.isValid();
            if (ok && IpPacket.version(s, 0) == 4) ok = Checksum.verifyIpv4Header(s, 0);
            if (ok) {
                int proto = IpPacket.transportProtocol(IpPacket.transport(s, 0, len));
                if (proto == IpPacket.PROTO_TCP || proto == IpPacket.PROTO_UDP || proto == IpPacket.PROTO_ICMPV6) {
                    ok = Checksum.verifyTransport(s, 0, len);
                }
            }
            if (!ok) {
                bad.incrementAndGet();
                firstBad.compareAndSet(null, v + " " + java.util.HexFormat.of().formatHex(b.toArray(k)));
            }
        }

        private void flush(PacketBatch plain, PacketBatch out, GsoCoalescer coalescer, PacketDevice to)
                throws IOException {
            if (plain.isEmpty()) return;
            out.clear();
            coalescer.coalesce(plain, out);
            for (int j = 0; j < out.size(); j++) if (out.gsoType(j) != Offload.GSO_NONE) superOut.incrementAndGet();
            to.write(out);
            plain.clear();
        }

        void join() throws InterruptedException { thread.join(5000); }
    }
}
