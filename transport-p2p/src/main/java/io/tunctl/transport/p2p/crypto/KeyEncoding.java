package io.tunctl.transport.p2p.crypto;

import java.util.HexFormat;

/**
 * Text forms of 32-byte public keys as the Holepunch stack writes them: lowercase hex (nospoon configs and logs) and
 * z-base-32 (hyperdht / hypercore-id-encoding, 52 characters, alphabet {@value #Z32_ALPHABET}, bits taken MSB first,
 * no padding). {@link #parsePublicKey} accepts what hyperdht's {@code connect()} accepts.
 */
public final class KeyEncoding {
    public static final String Z32_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] Z32_REVERSE = new byte[128];

    static {
        java.util.Arrays.fill(Z32_REVERSE, (byte) -1);
        for (int i = 0; i < Z32_ALPHABET.length(); i++) {
            Z32_REVERSE[Z32_ALPHABET.charAt(i)] = (byte) i;
        }
    }

    private KeyEncoding() {
    }

    public static String toHex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Hex of either case; throws naming the problem for odd length or a non-hex character. */
    public static byte[] fromHex(String hex) {
        if ((hex.length() & 1) != 0) {
            throw new IllegalArgumentException("hex string has odd length " + hex.length());
        }
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex string: " + e.getMessage(), e);
        }
    }

    /** z-base-32 of any byte string; 32 bytes give 52 characters. */
    public static String toZ32(byte[] bytes) {
        int bits = bytes.length * 8;
        StringBuilder sb = new StringBuilder((bits + 4) / 5);
        for (int p = 0; p < bits; p += 5) {
            int i = p >>> 3;
            int hi = (bytes[i] & 0xff) << 8 | (i + 1 < bytes.length ? bytes[i + 1] & 0xff : 0);
            sb.append(Z32_ALPHABET.charAt((hi >>> (11 - (p & 7))) & 31));
        }
        return sb.toString();
    }

    /**
     * Decodes z-base-32 (lowercase alphabet only, as the Node decoder) into {@code floor(5 * length / 8)} bytes;
     * leftover low bits of the last character are ignored, again as in Node.
     */
    public static byte[] fromZ32(String s) {
        byte[] out = new byte[s.length() * 5 / 8];
        int acc = 0;
        int accBits = 0;
        int o = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int v = c < 128 ? Z32_REVERSE[c] : -1;
            if (v < 0) {
                throw new IllegalArgumentException("invalid character '" + c + "' in z-base-32 input at position " + i);
            }
            acc = (acc << 5) | v;
            accBits += 5;
            if (accBits >= 8 && o < out.length) {
                accBits -= 8;
                out[o++] = (byte) (acc >>> accBits);
            }
            acc &= (1 << accBits) - 1;
        }
        return out;
    }

    /**
     * A public key as hyperdht's {@code connect()} takes it (hypercore-id-encoding): {@code pear://<z32>/...}, a
     * 52-character z-base-32 string or a 64-character hex string.
     */
    public static byte[] parsePublicKey(String text) {
        String id = text;
        if (id.startsWith("pear://")) {
            id = id.substring(7);
            int slash = id.indexOf('/');
            if (slash >= 0) {
                id = id.substring(0, slash);
            }
        }
        if (id.length() == 52) {
            return fromZ32(id);
        }
        if (id.length() == 64) {
            return fromHex(id);
        }
        throw new IllegalArgumentException("public key must be 52 z-base-32 or 64 hex characters, got "
                + id.length() + " characters");
    }
}
