package io.tunctl.transport.socks.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What the DNS relay reads and writes in a DNS message (RFC 1035 §4.1), I/O-free. Messages are the readable bytes
 * of a buffer, without the TCP length prefix. The sections are walked without decoding them: a name is skipped
 * label by label up to its end or its compression pointer, never built as text, so walking a message allocates
 * nothing (Netty's record decoder built every name as a String: a 2-byte pointer re-expanding a 255-byte name made
 * a query cost ~5 KB of garbage per byte). A pointer must point backwards, so it cannot loop. The relay keeps the bytes as they came and forwards them
 * unchanged except for the ID, so options it does not know (cookies, ECS, padding) pass through.
 */
public final class DnsMessages {
    /** The fixed header. */
    public static final int HEADER = 12;
    /** What a client without EDNS takes over UDP (RFC 1035 §4.2.1). */
    public static final int CLASSIC_UDP_LIMIT = 512;
    /** The most a DNS message can be: TCP's two-byte length. */
    public static final int MAX_MESSAGE = 65535;

    private static final int QR = 0x8000, OPCODE = 0x7800, TC = 0x0200, RD = 0x0100, RA = 0x0080;
    private static final int SERVFAIL = 2;

    private DnsMessages() {}

    /**
     * What the relay keeps of a query.
     *
     * @param id          the client's ID
     * @param questionEnd offset, from the message start, of the first byte after the question section
     * @param udpLimit    the largest UDP answer the client takes: its EDNS size (RFC 6891 §6.2.5; never below 512),
     *                    or 512 without EDNS
     */
    public record Query(int id, int questionEnd, int udpLimit) {}

    /**
     * Checks that {@code msg} is a well-formed query and says what the relay needs of it: a full header with QR = 0,
     * then every question and record the counts announce (bytes after them are ignored, as servers do).
     *
     * @throws DnsFormatException saying what is wrong
     */
    public static Query parseQuery(ByteBuf msg) throws DnsFormatException {
        if (msg.readableBytes() < HEADER) {
            throw new DnsFormatException(msg.readableBytes() + " bytes: shorter than a DNS header");
        }
        ByteBuf m = msg.slice(); // compression pointers count from the message start: index 0 here
        int flags = m.getUnsignedShort(2);
        if ((flags & QR) != 0) throw new DnsFormatException("a response (QR set), not a query");
        int qd = m.getUnsignedShort(4), an = m.getUnsignedShort(6), ns = m.getUnsignedShort(8), ar = m.getUnsignedShort(10);
        m.readerIndex(HEADER);
        int udpLimit = CLASSIC_UDP_LIMIT;
        skipQuestions(m, qd);
        int questionEnd = m.readerIndex();
        for (int i = 0; i < an + ns + ar; i++) {
            long typeAndClass = skipRecord(m);
            // OPT's CLASS is the requester's UDP payload size (RFC 6891 §6.1.2)
            if (i >= an + ns && typeAndClass >>> 16 == OPT) {
                udpLimit = Math.max(CLASSIC_UDP_LIMIT, (int) (typeAndClass & 0xffff));
            }
        }
        return new Query(m.getUnsignedShort(0), questionEnd, udpLimit);
    }

    private static final int OPT = 41;

    private static void skipQuestions(ByteBuf m, int count) throws DnsFormatException {
        for (int i = 0; i < count; i++) {
            skipName(m);
            need(m, 4, "question");
            m.skipBytes(4); // QTYPE, QCLASS
        }
    }

    /** Skips one resource record; returns its TYPE (high 16 bits) and CLASS (low 16). */
    private static long skipRecord(ByteBuf m) throws DnsFormatException {
        skipName(m);
        need(m, 10, "record header");
        int type = m.readUnsignedShort();
        int cls = m.readUnsignedShort();
        m.skipBytes(4); // TTL
        int rdLength = m.readUnsignedShort();
        need(m, rdLength, "record data");
        m.skipBytes(rdLength);
        return (long) type << 16 | cls;
    }

    /** Skips a name (RFC 1035 §4.1.4): labels up to a zero length or a compression pointer, at most 255 bytes. */
    private static void skipName(ByteBuf m) throws DnsFormatException {
        int length = 0;
        while (true) {
            int at = m.readerIndex();
            need(m, 1, "name");
            int len = m.readUnsignedByte();
            if ((len & 0xc0) == 0xc0) {
                need(m, 1, "compression pointer");
                int target = (len & 0x3f) << 8 | m.readUnsignedByte();
                if (target >= at) throw new DnsFormatException("compression pointer at byte " + at + " does not point back");
                return;
            }
            if ((len & 0xc0) != 0) throw new DnsFormatException(String.format("label type 0x%02x at byte %d", len & 0xc0, at));
            if (len == 0) return;
            length += len + 1;
            if (length > 255) throw new DnsFormatException("name longer than 255 bytes at byte " + at);
            need(m, len, "label");
            m.skipBytes(len);
        }
    }

    private static void need(ByteBuf m, int n, String what) throws DnsFormatException {
        if (m.readableBytes() < n) {
            throw new DnsFormatException("malformed at byte " + m.readerIndex() + ": " + what + " runs past the end");
        }
    }

    /** The message's ID. */
    public static int id(ByteBuf msg) { return msg.getUnsignedShort(msg.readerIndex()); }

    /** Sets the message's ID. */
    public static void id(ByteBuf msg, int id) { msg.setShort(msg.readerIndex(), id); }

    /**
     * Whether {@code response} answers {@code query}: QR set, and the same question section (names compared without
     * regard to ASCII case, RFC 4343). A response with no question at all (some servers' FORMERR or REFUSED) is
     * taken when the ID matched. IDs are the caller's business.
     */
    public static boolean answers(ByteBuf query, int questionEnd, ByteBuf response) {
        if (response.readableBytes() < HEADER) return false;
        int q = query.readerIndex(), r = response.readerIndex();
        if ((response.getUnsignedShort(r + 2) & QR) == 0) return false;
        int qd = response.getUnsignedShort(r + 4);
        if (qd == 0) return true;
        if (qd != query.getUnsignedShort(q + 4) || response.readableBytes() < questionEnd) return false;
        for (int i = HEADER; i < questionEnd; i++) {
            if (lower(query.getByte(q + i)) != lower(response.getByte(r + i))) return false;
        }
        return true;
    }

    private static int lower(byte b) { return b >= 'A' && b <= 'Z' ? b + 32 : b; }

    /**
     * {@code response} cut to fit {@code limit} bytes the way a server does it over UDP (RFC 2181 §9, RFC 6891 §7):
     * the header with TC set, the question and the OPT record (so the client still learns the server's EDNS
     * size), no answer, authority or other additional records. The client then asks again over TCP. A response whose
     * sections cannot be walked keeps only its header (TC set, every count zero).
     *
     * @return a new buffer from {@code alloc}; {@code response} is not changed
     */
    public static ByteBuf truncate(ByteBuf response, int limit, ByteBufAllocator alloc) {
        ByteBuf m = response.slice();
        int questionEnd = HEADER, optStart = -1, optEnd = -1;
        int qd = m.getUnsignedShort(4);
        try {
            m.readerIndex(HEADER);
            skipQuestions(m, qd);
            questionEnd = m.readerIndex();
            int an = m.getUnsignedShort(6), ns = m.getUnsignedShort(8), ar = m.getUnsignedShort(10);
            for (int i = 0; i < an + ns + ar; i++) {
                int start = m.readerIndex();
                boolean opt = skipRecord(m) >>> 16 == OPT;
                if (opt && i >= an + ns) {
                    optStart = start;
                    optEnd = m.readerIndex();
                    break;
                }
            }
        } catch (DnsFormatException e) {
            qd = 0;
            questionEnd = HEADER;
        }
        boolean withOpt = optStart >= 0 && questionEnd + (optEnd - optStart) <= limit;
        if (questionEnd > limit) {
            qd = 0;
            questionEnd = HEADER;
        }
        ByteBuf out = alloc.buffer(questionEnd + (withOpt ? optEnd - optStart : 0));
        out.writeShort(m.getUnsignedShort(0));
        out.writeShort(m.getUnsignedShort(2) | TC);
        out.writeShort(qd).writeShort(0).writeShort(0).writeShort(withOpt ? 1 : 0);
        out.writeBytes(m, HEADER, questionEnd - HEADER);
        if (withOpt) out.writeBytes(m, optStart, optEnd - optStart);
        return out;
    }

    /**
     * A SERVFAIL answer to {@code query} (its ID, opcode, RD and question section), for a query the relay cannot
     * get answered: the upstream failed or timed out, or too many queries are pending.
     */
    public static ByteBuf serverFailure(ByteBuf query, int questionEnd, ByteBufAllocator alloc) {
        int q = query.readerIndex();
        int flags = query.getUnsignedShort(q + 2);
        ByteBuf out = alloc.buffer(questionEnd);
        out.writeShort(query.getUnsignedShort(q));
        out.writeShort(QR | flags & (OPCODE | RD) | RA | SERVFAIL);
        out.writeShort(query.getUnsignedShort(q + 4)).writeShort(0).writeShort(0).writeShort(0);
        out.writeBytes(query, q + HEADER, questionEnd - HEADER);
        return out;
    }

    /** The response code of a response (the low four bits; extended codes in OPT are not read). */
    public static int rcode(ByteBuf msg) { return msg.getUnsignedShort(msg.readerIndex() + 2) & 0xf; }

    /** Whether the TC bit is set. */
    public static boolean truncated(ByteBuf msg) { return (msg.getUnsignedShort(msg.readerIndex() + 2) & TC) != 0; }
}
