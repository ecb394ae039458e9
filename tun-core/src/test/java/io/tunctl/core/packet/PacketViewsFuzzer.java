package io.tunctl.core.packet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.testkit.AllocationBound;

import java.lang.foreign.MemorySegment;

/**
 * Coverage-guided fuzz target for the packet views a TUN or a peer feeds: {@link IpPacket#validate} and
 * {@link IpPacket#transport}, the header field reads of a packet that validated, the checksum checks, the ICMP
 * control classifiers, and the replies built from a packet ({@link IcmpReplies}, {@link PacketBuilder#tcpReset},
 * {@link IcmpReplies#echoReplyInPlace}). The input lies in a segment of exactly its length, so any read past it
 * throws. Property: nothing throws (these document no exception), every reply built is a valid packet with right
 * checksums, and no input makes them allocate (bound {@value #BASE} bytes, nothing per input byte).
 */
public class PacketViewsFuzzer {
    /** A segment wrapper and the odd boxed value; these views document "allocate nothing". */
    static final long BASE = 4096;
    private static final int CAP = 1600;
    private static final MemorySegment OUT = MemorySegment.ofArray(new byte[CAP]);
    private static final byte[] COPY = new byte[65536 + 64];

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        AllocationBound.check("packet views", data.length, BASE, 0, () -> views(data));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    static void views(byte[] p) {
        MemorySegment s = MemorySegment.ofArray(p);
        int len = p.length;
        PacketValidity validity = IpPacket.validate(s, 0, len);
        long tp = IpPacket.transport(s, 0, len);
        IcmpReplies.mayAnswerWithError(s, 0, len);
        Icmp6Control.icmpType(s, 0, len);
        Icmp6Control.isMldReport(s, 0, len);
        Icmp6Control.isRouterSolicitation(s, 0, len);
        if (validity == PacketValidity.VALID) {
            check(IpPacket.length(s, 0) <= len, "a valid packet's length fits the bytes");
            int version = IpPacket.version(s, 0);
            check(tp >= 0, "a valid packet has a transport offset");
            long t = IpPacket.transportOffset(tp);
            int proto = IpPacket.transportProtocol(tp);
            if (version == 4) {
                Ipv4.dscp(s, 0);
                Ipv4.source(s, 0);
                Ipv4.destination(s, 0);
                Ipv4.flags(s, 0);
                Checksum.verifyIpv4Header(s, 0);
            } else {
                Ipv6.flowLabel(s, 0);
                Ipv6.sourceLow(s, 0);
                Ipv6.destinationHigh(s, 0);
                Ipv6.isFragment(s, 0, len);
            }
            int ipLen = IpPacket.length(s, 0);
            boolean fragment = proto == IpPacket.PROTO_FRAGMENT || version == 4 && Ipv4.isFragment(s, 0)
                    || version == 6 && Ipv6.isFragment(s, 0, ipLen);
            if (!fragment) {
                switch (proto) {
                    case IpPacket.PROTO_TCP -> {
                        Tcp.sourcePort(s, t);
                        Tcp.sequence(s, t);
                        check(t + Tcp.headerLength(s, t) <= ipLen, "TCP header inside the packet");
                        Checksum.verifyTransport(s, 0, ipLen);
                    }
                    case IpPacket.PROTO_UDP -> {
                        check(t + Udp.length(s, t) <= ipLen, "UDP length inside the packet");
                        Checksum.verifyTransport(s, 0, ipLen);
                    }
                    case IpPacket.PROTO_ICMP, IpPacket.PROTO_ICMPV6 -> Checksum.verifyTransport(s, 0, ipLen);
                    default -> { }
                }
            }
        }
        System.arraycopy(p, 0, COPY, 0, len);
        MemorySegment copy = MemorySegment.ofArray(COPY).asSlice(0, len);
        if (IcmpReplies.echoReplyInPlace(copy, 0, len)) good(copy, len, "echo reply");
        built(PacketBuilder.tcpReset(s, 0, len, OUT, 0, CAP), "TCP reset");
        int version = len > 0 ? (p[0] & 0xff) >>> 4 : 0;
        if (version == 4) {
            built(IcmpReplies.destinationUnreachable(OUT, 0, CAP, IcmpReplies.V4_PORT_UNREACHABLE, s, 0, len,
                    0x0a000001), "ICMP unreachable");
            built(IcmpReplies.fragmentationNeeded(OUT, 0, CAP, 1280, s, 0, len, 0x0a000001), "fragmentation needed");
        } else if (version == 6) {
            built(IcmpReplies.destinationUnreachable(OUT, 0, CAP, IcmpReplies.V6_NO_ROUTE, s, 0, len, 1, 2),
                    "ICMPv6 unreachable");
            built(IcmpReplies.packetTooBig6(OUT, 0, CAP, 1280, s, 0, len, 1, 2), "packet too big");
        }
    }

    private static void built(int n, String what) {
        check(n >= 0, what + ": " + CAP + " bytes of room are always enough");
        if (n > 0) good(OUT, n, what);
    }

    private static void good(MemorySegment s, int len, String what) {
        check(IpPacket.validate(s, 0, len) == PacketValidity.VALID, what + " is a valid packet");
        if (IpPacket.version(s, 0) == 4) check(Checksum.verifyIpv4Header(s, 0), what + ": IPv4 header checksum");
        check(Checksum.verifyTransport(s, 0, len), what + ": transport checksum");
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
