package io.tunctl.transport.socks.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsMessagesTest {
    static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    static ByteBuf buf(byte[] b) { return Unpooled.wrappedBuffer(b); }

    /** The bytes, and the buffer released. */
    static byte[] bytes(ByteBuf b) {
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void aPlainQueryHasTheClassicLimitAndItsQuestionEnd() throws Exception {
        byte[] q = Wire.query(0x1234, "x.test", Wire.A, 0);
        DnsMessages.Query p = DnsMessages.parseQuery(buf(q));
        assertEquals(0x1234, p.id());
        assertEquals(512, p.udpLimit());
        assertEquals(12 + 8 + 4, p.questionEnd());
    }

    @Test
    void theOptRecordGivesTheUdpLimitNeverBelow512() throws Exception {
        assertEquals(1232, DnsMessages.parseQuery(buf(Wire.query(1, "x.test", Wire.AAAA, 1232))).udpLimit());
        assertEquals(512, DnsMessages.parseQuery(buf(Wire.query(1, "x.test", Wire.AAAA, 100))).udpLimit());
        assertEquals(65535, DnsMessages.parseQuery(buf(Wire.query(1, "x.test", Wire.AAAA, 65535))).udpLimit());
    }

    @Test
    void aQueryAtAnOffsetInItsBufferIsReadFromItsStart() throws Exception {
        byte[] q = Wire.query(7, "a.b.test", Wire.A, 4096);
        ByteBuf b = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(q);
        b.skipBytes(3);
        DnsMessages.Query p = DnsMessages.parseQuery(b);
        assertEquals(7, p.id());
        assertEquals(4096, p.udpLimit());
        assertEquals(3, b.readerIndex(), "the reader index is left alone");
    }

    @Test
    void malformedQueriesAreRefusedWithAReason() {
        byte[] q = Wire.query(1, "x.test", Wire.A, 0);
        assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(Unpooled.EMPTY_BUFFER));
        assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(buf(java.util.Arrays.copyOf(q, 11))));
        // cut inside the question, at every length
        for (int len = 12; len < q.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(q, len);
            assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(buf(cut)), "length " + len);
        }
        // a response is not a query
        byte[] r = q.clone();
        r[2] |= (byte) 0x80;
        DnsFormatException e = assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(buf(r)));
        assertTrue(e.getMessage().contains("QR"), e.getMessage());
        // an additional record announced but missing
        byte[] more = q.clone();
        more[11] = 1;
        assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(buf(more)));
        // a name that points at itself
        byte[] loop = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};
        assertThrows(DnsFormatException.class, () -> DnsMessages.parseQuery(buf(loop)));
    }

    @Test
    void idsAreReadAndWrittenInPlace() {
        ByteBuf b = buf(Wire.query(0xbeef, "x.test", Wire.A, 0));
        assertEquals(0xbeef, DnsMessages.id(b));
        DnsMessages.id(b, 0x0102);
        assertEquals(0x0102, DnsMessages.id(b));
        assertEquals(0x0102, Wire.id(bytes(b)));
    }

    @Test
    void anAnswerMatchesItsQuestionWithoutRegardToCase() {
        byte[] q = Wire.query(1, "x.test", Wire.A, 0);
        int end = Wire.questionEnd(q);
        assertTrue(DnsMessages.answers(buf(q), end, buf(Wire.answer(q, 1, 0))));
        assertTrue(DnsMessages.answers(buf(q), end, buf(Wire.answer(Wire.query(1, "X.TeSt", Wire.A, 0), 1, 0))));
        assertFalse(DnsMessages.answers(buf(q), end, buf(Wire.answer(Wire.query(1, "y.test", Wire.A, 0), 1, 0))));
        assertFalse(DnsMessages.answers(buf(q), end, buf(Wire.answer(Wire.query(1, "x.test", Wire.AAAA, 0), 1, 0))));
        assertFalse(DnsMessages.answers(buf(q), end, buf(q)), "a query is not an answer");
        assertFalse(DnsMessages.answers(buf(q), end, buf(new byte[5])));
        byte[] noQuestion = {0, 1, (byte) 0x81, (byte) 0x81, 0, 0, 0, 0, 0, 0, 0, 0};
        assertTrue(DnsMessages.answers(buf(q), end, buf(noQuestion)), "FORMERR without question");
    }

    @Test
    void aLargeAnswerIsCutToHeaderQuestionAndOptWithTc() {
        byte[] q = Wire.query(0x4242, "big.test", Wire.A, 1232);
        byte[] a = Wire.answer(q, 100, 4096);
        assertTrue(a.length > 1232);
        byte[] t = bytes(DnsMessages.truncate(buf(a), 512, ALLOC));
        int end = Wire.questionEnd(q);
        assertEquals(end + 11, t.length);
        assertEquals(0x4242, Wire.id(t));
        assertTrue((Wire.flags(t) & 0x0200) != 0, "TC");
        assertTrue((Wire.flags(t) & 0x8000) != 0, "QR kept");
        assertEquals(1, Wire.count(t, 0));
        assertEquals(0, Wire.count(t, 1));
        assertEquals(0, Wire.count(t, 2));
        assertEquals(1, Wire.count(t, 3), "the OPT stays");
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 12, end), java.util.Arrays.copyOfRange(t, 12, end));
        assertArrayEquals(java.util.Arrays.copyOfRange(a, a.length - 11, a.length), java.util.Arrays.copyOfRange(t, end, t.length));
    }

    @Test
    void anAnswerThatCannotBeWalkedKeepsOnlyItsHeader() {
        byte[] q = Wire.query(9, "big.test", Wire.A, 0);
        byte[] a = Wire.answer(q, 100, 0);
        byte[] broken = java.util.Arrays.copyOf(a, 20); // ends inside the question
        byte[] t = bytes(DnsMessages.truncate(buf(broken), 512, ALLOC));
        assertEquals(12, t.length);
        assertEquals(0, Wire.count(t, 0));
        assertTrue((Wire.flags(t) & 0x0200) != 0);
    }

    @Test
    void serverFailureKeepsIdOpcodeRdAndQuestion() throws Exception {
        byte[] q = Wire.query(0x7777, "x.test", Wire.AAAA, 1232);
        DnsMessages.Query p = DnsMessages.parseQuery(buf(q));
        byte[] f = bytes(DnsMessages.serverFailure(buf(q), p.questionEnd(), ALLOC));
        assertEquals(0x7777, Wire.id(f));
        assertEquals(0x8000 | 0x0100 | 0x0080 | 2, Wire.flags(f));
        assertEquals(2, DnsMessages.rcode(buf(f)));
        assertEquals(1, Wire.count(f, 0));
        assertEquals(0, Wire.count(f, 3));
        assertEquals("x.test", Wire.qname(f));
        assertEquals(Wire.AAAA, Wire.qtype(f));
        assertEquals(p.questionEnd(), f.length);
    }
}
