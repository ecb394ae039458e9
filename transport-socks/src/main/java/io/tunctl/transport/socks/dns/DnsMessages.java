package io.tunctl.transport.socks.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.ReferenceCountUtil;

/**
 * What the DNS relay reads and writes in a DNS message (RFC 1035 §4.1), I/O-free. Messages are the readable bytes
 * of a buffer, without the TCP length prefix. The sections are walked with Netty's {@link DnsRecordDecoder}, which
 * follows name compression and rejects pointer loops; the relay keeps the bytes as they came and forwards them
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
        try {
            skipQuestions(m, qd);
            int questionEnd = m.readerIndex();
            for (int i = 0; i < an + ns + ar; i++) {
                DnsRecord r = DnsRecordDecoder.DEFAULT.decodeRecord(m);
                if (r == null) throw new DnsFormatException("the record section ends early (" + i + " of " + (an + ns + ar) + ")");
                try {
                    // OPT's CLASS is the requester's UDP payload size (RFC 6891 §6.1.2)
                    if (i >= an + ns && r.type() == DnsRecordType.OPT) udpLimit = Math.max(CLASSIC_UDP_LIMIT, r.dnsClass());
                } finally {
                    ReferenceCountUtil.release(r);
                }
            }
            return new Query(m.getUnsignedShort(0), questionEnd, udpLimit);
        } catch (DnsFormatException e) {
            throw e;
        } catch (Exception e) { // Netty's decoder: CorruptedFrameException, IndexOutOfBoundsException
            throw new DnsFormatException("malformed at byte " + m.readerIndex() + ": " + e.getMessage());
        }
    }

    private static void skipQuestions(ByteBuf m, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            // decodeQuestion reads the name and the type and class; a short message throws
            DnsRecordDecoder.DEFAULT.decodeQuestion(m);
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
                DnsRecord rec = DnsRecordDecoder.DEFAULT.decodeRecord(m);
                if (rec == null) break;
                boolean opt = rec.type() == DnsRecordType.OPT;
                ReferenceCountUtil.release(rec);
                if (opt && i >= an + ns) {
                    optStart = start;
                    optEnd = m.readerIndex();
                    break;
                }
            }
        } catch (Exception e) {
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
