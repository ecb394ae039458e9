package io.tunctl.transport.socks.dns;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** DNS messages built byte by byte for tests, independent of the code under test. */
final class Wire {
    static final int A = 1, AAAA = 28, TXT = 16, OPT = 41;

    private Wire() {}

    /** A query with RD set; {@code edns} > 0 adds an OPT record with that UDP size. */
    static byte[] query(int id, String name, int type, int edns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        short16(out, 0x0100);
        short16(out, 1);
        short16(out, 0);
        short16(out, 0);
        short16(out, edns > 0 ? 1 : 0);
        name(out, name);
        short16(out, type);
        short16(out, 1);
        if (edns > 0) opt(out, edns);
        return out.toByteArray();
    }

    static void opt(ByteArrayOutputStream out, int size) {
        out.write(0);
        short16(out, OPT);
        short16(out, size);
        short16(out, 0);
        short16(out, 0);
        short16(out, 0);
    }

    static void name(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) continue;
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
    }

    static void short16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8 & 0xff);
        out.write(v & 0xff);
    }

    /**
     * A response to {@code query} (header and question copied, QR and RA set) with {@code count} records of the
     * question's type (A: 192.0.2.k, AAAA: 2001:db8::k), names compressed to the question, and an OPT of
     * {@code edns} when > 0.
     */
    static byte[] answer(byte[] query, int count, int edns) {
        int qEnd = questionEnd(query);
        int type = (query[qEnd - 4] & 0xff) << 8 | query[qEnd - 3] & 0xff;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query, 0, 2);
        short16(out, 0x8180 | (query[2] & 0x01) << 8);
        short16(out, 1);
        short16(out, count);
        short16(out, 0);
        short16(out, edns > 0 ? 1 : 0);
        out.write(query, 12, qEnd - 12);
        for (int k = 0; k < count; k++) {
            short16(out, 0xc00c);
            short16(out, type);
            short16(out, 1);
            short16(out, 0);
            short16(out, 60);
            if (type == AAAA) {
                short16(out, 16);
                out.writeBytes(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) (k >> 8), (byte) k});
            } else {
                short16(out, 4);
                out.writeBytes(new byte[] {(byte) 192, 0, 2, (byte) k});
            }
        }
        if (edns > 0) opt(out, edns);
        return out.toByteArray();
    }

    /** The end of the (single) question: the name, then type and class. */
    static int questionEnd(byte[] msg) {
        int i = 12;
        while (msg[i] != 0) i += (msg[i] & 0xff) + 1;
        return i + 5;
    }

    static String qname(byte[] msg) {
        StringBuilder sb = new StringBuilder();
        int i = 12;
        while (msg[i] != 0) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(new String(msg, i + 1, msg[i] & 0xff, StandardCharsets.US_ASCII));
            i += (msg[i] & 0xff) + 1;
        }
        return sb.toString();
    }

    static int qtype(byte[] msg) {
        int e = questionEnd(msg);
        return (msg[e - 4] & 0xff) << 8 | msg[e - 3] & 0xff;
    }

    static int id(byte[] msg) { return (msg[0] & 0xff) << 8 | msg[1] & 0xff; }

    static int flags(byte[] msg) { return (msg[2] & 0xff) << 8 | msg[3] & 0xff; }

    static int count(byte[] msg, int section) { return ByteBuffer.wrap(msg).getShort(4 + 2 * section) & 0xffff; }
}
