package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.codec.CompactDecoder;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Argument checks and decode-error wrapping shared by the message records. */
final class Wire {
    private Wire() {
    }

    static byte[] fixed(byte[] b, int n, String what) {
        if (b != null && b.length != n) {
            throw new IllegalArgumentException(what + " must be " + n + " bytes, got " + b.length);
        }
        return b;
    }

    static byte[] required(byte[] b, int n, String what) {
        if (b == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        return fixed(b, n, what);
    }

    static InetSocketAddress ipv4(InetSocketAddress a, String what) {
        if (a != null && !(a.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException(what + " must be a resolved IPv4 socket address, got " + a);
        }
        return a;
    }

    static List<InetSocketAddress> ipv4List(List<InetSocketAddress> list, String what) {
        if (list == null) {
            return null;
        }
        for (InetSocketAddress a : list) {
            if (a == null) {
                throw new IllegalArgumentException(what + " must not contain null");
            }
            ipv4(a, what);
        }
        return List.copyOf(list);
    }

    static long uint(long v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + v);
        }
        return v;
    }

    /** Runs a decoder and prefixes any failure with the message name, so the error says what was being read. */
    static <T> T decode(String message, byte[] bytes, Function<CompactDecoder, T> body) {
        if (bytes == null) {
            throw new CompactDecodeException(message + ": no bytes");
        }
        try {
            return body.apply(new CompactDecoder(bytes));
        } catch (IllegalArgumentException e) { // includes CompactDecodeException and record checks
            throw new CompactDecodeException(message + ": " + e.getMessage());
        }
    }

    static String hex(byte[] b) {
        return b == null ? "null" : java.util.HexFormat.of().formatHex(b);
    }

    static boolean eq(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    static int hash(byte[] b) {
        return Arrays.hashCode(b);
    }
}
