package io.tunctl.transport.p2p.codec;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads compact-encoding values from a byte range. Every read checks the remaining length first and throws
 * {@link CompactDecodeException} naming the field type instead of reading past the end. Like the Node decoder it
 * accepts a non-minimal varint width and ignores trailing bytes unless the caller checks {@link #remaining()}.
 */
public final class CompactDecoder {
    /** The Node decoder refuses arrays with more elements than this. */
    public static final int MAX_ARRAY_LENGTH = 0x100000;

    private final byte[] buf;
    private final int end;
    private int pos;

    public CompactDecoder(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public CompactDecoder(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("range " + off + "+" + len + " outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    private void need(int n, String what) {
        if (end - pos < n) {
            throw new CompactDecodeException("truncated " + what + ": needs " + n + " bytes, " + (end - pos) + " left");
        }
    }

    public long uint() {
        need(1, "uint");
        int a = buf[pos++] & 0xff;
        if (a <= 0xfc) {
            return a;
        }
        if (a == 0xfd) {
            return uint16();
        }
        if (a == 0xfe) {
            return uint32();
        }
        long v = uint64();
        if (v < 0) {
            throw new CompactDecodeException("uint exceeds 2^63-1: " + Long.toUnsignedString(v));
        }
        return v;
    }

    /** A varint that must fit a non-negative int (lengths, counts, enum values). */
    public int uintAsInt(String what) {
        long v = uint();
        if (v > Integer.MAX_VALUE) {
            throw new CompactDecodeException(what + " too large: " + v);
        }
        return (int) v;
    }

    public int uint8() {
        need(1, "uint8");
        return buf[pos++] & 0xff;
    }

    public int uint16() {
        need(2, "uint16");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    public int uint24() {
        need(3, "uint24");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16;
        pos += 3;
        return v;
    }

    public long uint32() {
        need(4, "uint32");
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (long) (buf[pos + i] & 0xff) << (8 * i);
        }
        pos += 4;
        return v;
    }

    public long uint64() {
        need(8, "uint64");
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) (buf[pos + i] & 0xff) << (8 * i);
        }
        pos += 8;
        return v;
    }

    /** As Node: true only for the byte value 1. */
    public boolean bool() {
        return uint8() == 1;
    }

    public byte[] buffer() {
        int n = uintAsInt("buffer length");
        return fixed(n);
    }

    /** A zero length decodes to {@code null}. */
    public byte[] optionalBuffer() {
        int n = uintAsInt("buffer length");
        return n == 0 ? null : fixed(n);
    }

    public String string() {
        byte[] b = buffer();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new CompactDecodeException("string is not valid UTF-8");
        }
    }

    /** Exactly {@code n} raw bytes. */
    public byte[] fixed(int n) {
        need(n, n + "-byte field");
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** Everything up to the end. */
    public byte[] raw() {
        return fixed(end - pos);
    }

    public InetSocketAddress ipv4Address() {
        byte[] ip = fixed(4);
        int port = uint16();
        return socket(ip, port);
    }

    public InetSocketAddress ipv6Address() {
        byte[] ip = fixed(16);
        int port = uint16();
        return socket(ip, port);
    }

    /** {@code uint(count)} then the elements; counts above {@link #MAX_ARRAY_LENGTH} are refused as Node does. */
    public <T> List<T> array(Function<CompactDecoder, T> element) {
        long n = uint();
        if (n > MAX_ARRAY_LENGTH) {
            throw new CompactDecodeException("array too big: " + n + " elements");
        }
        List<T> out = new ArrayList<>((int) Math.min(n, 64));
        for (long i = 0; i < n; i++) {
            out.add(element.apply(this));
        }
        return out;
    }

    private static InetSocketAddress socket(byte[] ip, int port) {
        try {
            // getByAddress never does a name lookup; Inet6Address keeps ::ffff:a.b.c.d an IPv6 address
            InetAddress a = ip.length == 16 ? Inet6Address.getByAddress(null, ip, -1) : InetAddress.getByAddress(ip);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 address bytes are always valid", e);
        }
    }
}
