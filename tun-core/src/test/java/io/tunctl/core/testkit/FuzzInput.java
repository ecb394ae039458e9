package io.tunctl.core.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one fuzz input into several records, so a target that takes a sequence (fragments, a batch, stream
 * chunks) keeps a byte format simple enough to write seeds for: each record is a big-endian {@code u16} length
 * then that many bytes; the last record is whatever is left when the length runs past the end.
 */
public final class FuzzInput {
    private FuzzInput() {}

    public static List<byte[]> records(byte[] data, int maxRecords) {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (p < data.length && out.size() < maxRecords) {
            if (data.length - p < 2) {
                out.add(java.util.Arrays.copyOfRange(data, p, data.length));
                break;
            }
            int n = (data[p] & 0xff) << 8 | data[p + 1] & 0xff;
            p += 2;
            int end = Math.min(data.length, p + n);
            out.add(java.util.Arrays.copyOfRange(data, p, end));
            p = end;
        }
        return out;
    }

    /** The inverse of {@link #records}, for writing seeds. */
    public static byte[] join(List<byte[]> records) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] r : records) {
            out.write(r.length >>> 8);
            out.write(r.length);
            out.writeBytes(r);
        }
        return out.toByteArray();
    }
}
