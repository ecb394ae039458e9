package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.libc_h;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The 4-byte header a macOS utun socket puts before every packet, both ways: the packet's address family as a
 * 32-bit integer in network byte order ({@code AF_INET} = 2, {@code AF_INET6} = 30 on Darwin; so IPv6 is
 * {@code 00 00 00 1e}). I/O-free: the device reads and writes it as the first iovec beside the packet's slot.
 *
 * <p>A received header that is neither family, or disagrees with the packet's IP version nibble, marks a packet
 * the device drops and counts rather than hands on; a packet to send whose version is neither 4 nor 6 has no
 * family to write and is dropped too.
 */
public final class UtunFrame {
    private UtunFrame() {}

    /** Bytes of the header. */
    public static final int HEADER_LEN = 4;

    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The Darwin address family for a packet's IP version, or -1 when it is neither IPv4 nor IPv6 (or empty). */
    public static int familyOf(MemorySegment packet, long length) {
        if (length < 1) return -1;
        return switch ((packet.get(ValueLayout.JAVA_BYTE, 0) >> 4) & 0xf) {
            case 4 -> libc_h.AF_INET();
            case 6 -> libc_h.AF_INET6();
            default -> -1;
        };
    }

    /** Writes {@code family} as the header at the start of {@code header}. */
    public static void encode(MemorySegment header, int family) {
        header.set(BE_INT, 0, family);
    }

    /** The family a received header names. */
    public static int decode(MemorySegment header) {
        return header.get(BE_INT, 0);
    }

    /**
     * True when a received packet may be handed on: the header names IPv4 or IPv6 and the packet's version nibble
     * says the same.
     */
    public static boolean agrees(int family, MemorySegment packet, long length) {
        int actual = familyOf(packet, length);
        return actual != -1 && actual == family;
    }
}
