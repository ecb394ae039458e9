package io.tunctl.transport.http.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** tapotun's token scheme: the server keeps SHA-1(raw token) as 40 lower-case hex digits (spec §2). */
public final class Tokens {
    private Tokens() {}

    /** SHA-1 of the token's UTF-8 bytes as lower-case hex. */
    public static String sha1Hex(String rawToken) {
        return HexFormat.of().formatHex(sha1(rawToken));
    }

    public static byte[] sha1(String rawToken) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(rawToken.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }

    /** True when {@code hex} is 40 lower-case hex digits (what tapotun matches; upper case never matches). */
    public static boolean isSha1Hex(String hex) {
        if (hex == null || hex.length() != 40) return false;
        for (int i = 0; i < 40; i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    /** Constant-time comparison of two digests (no early exit on the first differing byte). */
    public static boolean digestEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
