package io.tunctl.transport.p2p.crypto;

import java.util.HexFormat;

/** Test shorthand for hex literals. */
public final class Hex {
    private Hex() {
    }

    public static byte[] b(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", "").replace("\n", ""));
    }

    public static String h(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] fill(int value, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) value);
        return out;
    }

    public static byte[] seq(int from, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (from + i);
        }
        return out;
    }
}
