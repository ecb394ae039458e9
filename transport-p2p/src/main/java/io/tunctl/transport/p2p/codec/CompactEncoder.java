package io.tunctl.transport.p2p.codec;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Writes compact-encoding values into a growing byte array. Integers are little-endian; {@link #uint} always picks
 * the shortest form, as the Node encoder does, so encodings compare byte for byte.
 */
public final class CompactEncoder {
    private byte[] buf;
    private int len;

    public CompactEncoder() {
        this(64);
    }

    public CompactEncoder(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Number of bytes written so far. */
    public int size() {
        return len;
    }

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    /** Varint: {@code <= 0xfc} one byte, else a 0xfd/0xfe/0xff marker and a 16/32/64-bit little-endian value. */
    public CompactEncoder uint(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("uint must not be negative: " + n);
        }
        if (n <= 0xfc) {
            return uint8((int) n);
        }
        if (n <= 0xffff) {
            uint8(0xfd);
            return uint16((int) n);
        }
        if (n <= 0xffffffffL) {
            uint8(0xfe);
            return uint32(n);
        }
        uint8(0xff);
        return uint64(n);
    }

    public CompactEncoder uint8(int n) {
        checkRange(n, 0xff, "uint8");
        ensure(1);
        buf[len++] = (byte) n;
        return this;
    }

    public CompactEncoder uint16(int n) {
        checkRange(n, 0xffff, "uint16");
        ensure(2);
        buf[len++] = (byte) n;
        buf[len++] = (byte) (n >>> 8);
        return this;
    }

    public CompactEncoder uint24(int n) {
        checkRange(n, 0xffffff, "uint24");
        ensure(3);
        buf[len++] = (byte) n;
        buf[len++] = (byte) (n >>> 8);
        buf[len++] = (byte) (n >>> 16);
        return this;
    }

    public CompactEncoder uint32(long n) {
        if (n < 0 || n > 0xffffffffL) {
            throw new IllegalArgumentException("uint32 out of range: " + n);
        }
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[len++] = (byte) (n >>> (8 * i));
        }
        return this;
    }

    /** Unsigned 64-bit little-endian; Java's signed long is written as its two's-complement bits. */
    public CompactEncoder uint64(long n) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[len++] = (byte) (n >>> (8 * i));
        }
        return this;
    }

    public CompactEncoder bool(boolean b) {
        return uint8(b ? 1 : 0);
    }

    /** {@code uint(length) || bytes}. */
    public CompactEncoder buffer(byte[] b) {
        Objects.requireNonNull(b, "buffer must not be null (use optionalBuffer)");
        uint(b.length);
        return raw(b);
    }

    /** Like {@link #buffer} but {@code null} becomes a single zero length byte. */
    public CompactEncoder optionalBuffer(byte[] b) {
        return b == null ? uint8(0) : buffer(b);
    }

    /** {@code uint(utf8 length) || utf8 bytes}. */
    public CompactEncoder string(String s) {
        return buffer(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Exactly {@code expectedLength} raw bytes, no prefix ({@code fixed32}, {@code fixed64}). */
    public CompactEncoder fixed(byte[] b, int expectedLength) {
        if (b == null || b.length != expectedLength) {
            throw new IllegalArgumentException("fixed" + expectedLength + " needs exactly " + expectedLength
                    + " bytes, got " + (b == null ? "null" : b.length));
        }
        return raw(b);
    }

    /** Bytes with no prefix. */
    public CompactEncoder raw(byte[] b) {
        return raw(b, 0, b.length);
    }

    public CompactEncoder raw(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** 4 address bytes then the port as uint16 little-endian (6 bytes). */
    public CompactEncoder ipv4Address(InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            // an unresolved or IPv6 address has no 4-byte form
            throw new IllegalArgumentException("not an IPv4 socket address: " + address);
        }
        raw(v4.getAddress());
        return uint16(address.getPort());
    }

    /**
     * 16 address bytes then the port as uint16 little-endian (18 bytes). An IPv4 address is written in its
     * IPv4-mapped form {@code ::ffff:a.b.c.d}, which is what Java's resolver turns such text into.
     */
    public CompactEncoder ipv6Address(InetSocketAddress address) {
        if (address.getAddress() == null) {
            throw new IllegalArgumentException("unresolved socket address: " + address);
        }
        byte[] ip = address.getAddress().getAddress();
        if (address.getAddress() instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(ip, 0, mapped, 12, 4);
            ip = mapped;
        }
        raw(ip);
        return uint16(address.getPort());
    }

    /** {@code uint(count)} then each element. */
    public <T> CompactEncoder array(List<T> items, BiConsumer<CompactEncoder, T> element) {
        uint(items.size());
        for (T item : items) {
            element.accept(this, item);
        }
        return this;
    }

    private static void checkRange(int n, int max, String type) {
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(type + " out of range: " + n);
        }
    }
}
