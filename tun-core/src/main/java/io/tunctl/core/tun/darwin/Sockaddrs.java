package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.libc_h;
import io.tunctl.core.natives.darwin.sockaddr_dl;
import io.tunctl.core.natives.darwin.sockaddr_in;
import io.tunctl.core.natives.darwin.sockaddr_in6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Fills BSD socket addresses (with their leading length byte) for the ioctl and routing-socket requests: an
 * address, a prefix mask, or an interface by index. I/O-free.
 */
public final class Sockaddrs {
    private Sockaddrs() {}

    /** The size of the sockaddr for an address of {@code addressLength} bytes (4 or 16). */
    public static int size(int addressLength) {
        return (int) (addressLength == 4 ? sockaddr_in.sizeof() : sockaddr_in6.sizeof());
    }

    /** Writes a {@code sockaddr_in} (4-byte address) or {@code sockaddr_in6} (16 bytes) for {@code address}. */
    public static void address(MemorySegment sa, byte[] address) {
        sa.asSlice(0, size(address.length)).fill((byte) 0);
        if (address.length == 4) {
            sockaddr_in.sin_len(sa, (byte) sockaddr_in.sizeof());
            sockaddr_in.sin_family(sa, (byte) libc_h.AF_INET());
            MemorySegment.copy(address, 0, sa, ValueLayout.JAVA_BYTE, sockaddr_in.sin_addr$offset(), 4);
        } else if (address.length == 16) {
            sockaddr_in6.sin6_len(sa, (byte) sockaddr_in6.sizeof());
            sockaddr_in6.sin6_family(sa, (byte) libc_h.AF_INET6());
            MemorySegment.copy(address, 0, sa, ValueLayout.JAVA_BYTE, sockaddr_in6.sin6_addr$offset(), 16);
        } else {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + address.length + " bytes");
        }
    }

    /** The mask of a {@code prefix}-bit prefix, as an address of {@code addressLength} bytes. */
    public static byte[] mask(int addressLength, int prefix) {
        if (prefix < 0 || prefix > addressLength * 8) {
            throw new IllegalArgumentException("prefix " + prefix + " out of range for a " + addressLength + "-byte address");
        }
        byte[] m = new byte[addressLength];
        for (int i = 0; i < prefix; i++) m[i / 8] |= (byte) (0x80 >>> (i % 8));
        return m;
    }

    /** Writes a {@code sockaddr_dl} naming interface {@code index} (no link-level address: utun has none). */
    public static void link(MemorySegment sa, int index) {
        sa.asSlice(0, sockaddr_dl.sizeof()).fill((byte) 0);
        sockaddr_dl.sdl_len(sa, (byte) sockaddr_dl.sizeof());
        sockaddr_dl.sdl_family(sa, (byte) libc_h.AF_LINK());
        sockaddr_dl.sdl_index(sa, (short) index);
    }
}
