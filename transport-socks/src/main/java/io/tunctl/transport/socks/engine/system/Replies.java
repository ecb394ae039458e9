package io.tunctl.transport.socks.engine.system;

import io.netty.buffer.ByteBuf;
import io.tunctl.core.packet.Icmp6Control;
import io.tunctl.core.packet.IcmpReplies;
import io.tunctl.core.packet.IpPacket;
import io.tunctl.core.packet.Ipv4;
import io.tunctl.core.packet.Ipv6;
import io.tunctl.core.packet.PacketBuilder;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * The packets the engine makes itself — resets, ICMP errors, echo replies, UDP answers — written into the calling
 * thread's {@link SystemEngine.Out} with the core's packet builders. Each method returns the length written into
 * {@code o.slot()} (commit it with {@code o.made(len)}), or 0 / a negative code when nothing was made.
 */
final class Replies {
    private Replies() {}

    static final int HOST = 0, PORT = 1, PROHIBITED = 2;
    /** {@link #udp}: an IPv6 answer larger than the MTU (the engine does not fragment IPv6). */
    static final int TOO_BIG_V6 = -2;

    /** The reset answering the TCP segment at {@code off}. */
    static int tcpReset(MemorySegment s, long off, int len, SystemEngine.Out o) {
        return Math.max(0, PacketBuilder.tcpReset(s, off, len, o.slot(), 0, o.slotSize()));
    }

    /** An ICMP destination unreachable of {@code kind} for the packet at {@code off}, from its destination. */
    static int unreachable(int kind, MemorySegment s, long off, int len, SystemEngine.Out o) {
        if (IpPacket.version(s, off) == 4) {
            int code = switch (kind) {
                case HOST -> IcmpReplies.V4_HOST_UNREACHABLE;
                case PORT -> IcmpReplies.V4_PORT_UNREACHABLE;
                default -> IcmpReplies.V4_ADMIN_PROHIBITED;
            };
            return Math.max(0, IcmpReplies.destinationUnreachable(o.slot(), 0, o.slotSize(), code, s, off, len,
                    Ipv4.destination(s, off)));
        }
        int code = switch (kind) {
            case HOST -> IcmpReplies.V6_ADDRESS_UNREACHABLE;
            case PORT -> IcmpReplies.V6_PORT_UNREACHABLE;
            default -> IcmpReplies.V6_ADMIN_PROHIBITED;
        };
        return Math.max(0, IcmpReplies.destinationUnreachable(o.slot(), 0, o.slotSize(), code, s, off, len,
                Ipv6.destinationHigh(s, off), Ipv6.destinationLow(s, off)));
    }

    /** Turns the echo request at {@code off} into its reply, in place. */
    static boolean echoReply(MemorySegment s, long off, int len) {
        return IcmpReplies.echoReplyInPlace(s, off, len);
    }

    /** Router solicitations and MLD reports: nothing here routes or listens, so they are dropped quietly. */
    static boolean quietIcmp6(MemorySegment s, long off, int len) {
        return Icmp6Control.isRouterSolicitation(s, off, len) || Icmp6Control.isMldReport(s, off, len);
    }

    /**
     * A UDP datagram from {@code from} to {@code to} carrying {@code payload}, made into the thread's batch:
     * one packet, or IPv4 fragments of at most {@code mtu} bytes when larger.
     *
     * @return the number of packets made, or a negative code
     */
    static int udp(InetSocketAddress from, InetSocketAddress to, ByteBuf payload, int ipId, int mtu, SystemEngine.Out o) {
        int n = payload.readableBytes();
        boolean v4 = to.getAddress() instanceof Inet4Address;
        if (v4 != from.getAddress() instanceof Inet4Address) return -1;
        int headers = v4 ? PacketBuilder.UDP4_HEADERS : PacketBuilder.UDP6_HEADERS;
        if (headers + n <= mtu && headers + n <= o.slotSize()) {
            MemorySegment slot = o.slot();
            copy(payload, slot, headers, n);
            int len = header(from, to, slot, 0, o.slotSize(), n, ipId);
            if (len < 0) return -1;
            o.made(len);
            return 1;
        }
        if (!v4) return TOO_BIG_V6;
        MemorySegment whole = o.scratch();
        copy(payload, whole, headers, n);
        int len = header(from, to, whole, 0, (int) Math.min(whole.byteSize(), 65535), n, ipId);
        if (len < 0) return -1;
        return Fragments.ipv4(whole, len, mtu, o);
    }

    /**
     * The application's datagram (from {@code app} to {@code destination}) as it was sent, rebuilt into
     * {@code out} at {@code off} to be quoted by an ICMP error; returns its length or -1.
     */
    static int udpDatagram(InetSocketAddress app, InetSocketAddress destination, ByteBuf payload, long off, MemorySegment out) {
        int n = payload.readableBytes();
        boolean v4 = app.getAddress() instanceof Inet4Address;
        int headers = v4 ? PacketBuilder.UDP4_HEADERS : PacketBuilder.UDP6_HEADERS;
        if (headers + n > out.byteSize() - off) return -1;
        copy(payload, out, off + headers, n);
        return header(app, destination, out, off, (int) Math.min(out.byteSize() - off, 65535), n, 0);
    }

    private static int header(InetSocketAddress from, InetSocketAddress to, MemorySegment s, long off, int cap, int n, int ipId) {
        byte[] f = from.getAddress().getAddress(), t = to.getAddress().getAddress();
        if (f.length == 4) {
            return PacketBuilder.udp4Headers(s, off, cap, Ipv4.toInt(f), from.getPort(), Ipv4.toInt(t), to.getPort(), n, ipId);
        }
        return PacketBuilder.udp6Headers(s, off, cap, SystemEngine.hi(from.getAddress()), SystemEngine.lo(from.getAddress()),
                from.getPort(), SystemEngine.hi(to.getAddress()), SystemEngine.lo(to.getAddress()), to.getPort(), n);
    }

    private static void copy(ByteBuf payload, MemorySegment s, long at, int n) {
        MemorySegment.copy(MemorySegment.ofBuffer(payload.nioBuffer(payload.readerIndex(), n)), 0, s, at, n);
    }
}
