package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;

/**
 * Checks a packet from a peer before it goes anywhere: its IP header must agree with the frame that carries it.
 * The kernel would drop most of these itself, but a forwarded packet reaches another client first, and a packet
 * the kernel trims (a total length below the frame's) carries bytes nobody meant to send. I/O-free.
 *
 * <p>The core's {@code IpPacket.validate} checks more (the transport header too) but reads a {@code MemorySegment}:
 * wrapping each Netty frame in one would allocate per packet on the http hot path, so this reads the ByteBuf in
 * place. It is also stricter on length: the frame must end where the IP header says, not merely hold it.
 */
public final class PacketCheck {
    public static final int OK = 0;
    /** Header too short, IHL below 5 or past the end, or a total/payload length that is not the frame's. */
    public static final int MALFORMED = 1;
    /** IPv6 from a peer that has no IPv6 address, or a version other than 4 and 6. */
    public static final int FAMILY = 2;

    private PacketCheck() {}

    /**
     * @param frame       the frame; the IP header starts at {@code at}
     * @param len         the packet's length as the frame says
     * @param ipv6Allowed whether this peer may send IPv6
     */
    public static int check(ByteBuf frame, int at, int len, boolean ipv6Allowed) {
        if (len < 1) return MALFORMED;
        int version = (frame.getByte(at) >>> 4) & 0xf;
        if (version == 4) {
            if (len < 20) return MALFORMED;
            int ihl = (frame.getByte(at) & 0xf) * 4;
            if (ihl < 20 || ihl > len) return MALFORMED;
            return frame.getUnsignedShort(at + 2) == len ? OK : MALFORMED;
        }
        if (version == 6) {
            if (!ipv6Allowed) return FAMILY;
            if (len < 40) return MALFORMED;
            return frame.getUnsignedShort(at + 4) + 40 == len ? OK : MALFORMED;
        }
        return FAMILY;
    }
}
