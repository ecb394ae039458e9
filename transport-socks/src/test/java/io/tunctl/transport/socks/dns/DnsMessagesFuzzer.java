package io.tunctl.transport.socks.dns;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.core.testkit.FuzzInput;

import java.util.List;

/**
 * Coverage-guided fuzz target for the DNS relay's message handling: a query from a TUN client
 * ({@link DnsMessages#parseQuery}) and a response from the upstream checked against it
 * ({@link DnsMessages#answers}) and cut to the client's UDP limit ({@link DnsMessages#truncate}), plus the SERVFAIL
 * built for the query. Input: two {@link FuzzInput} records, the query and the response. Property: only the
 * documented {@link DnsFormatException} from {@code parseQuery}, nothing from the others (called as the relay calls
 * them: on a parsed query and a response of at least a header); what the relay builds parses back; allocation
 * at most {@value #BASE} bytes plus {@value #PER_BYTE} per input byte (the buffer wrappers; walking a message allocates nothing).
 */
public class DnsMessagesFuzzer {
    static final long BASE = 65536;
    static final long PER_BYTE = 64;
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        List<byte[]> parts = FuzzInput.records(data, 2);
        if (parts.isEmpty()) return;
        AllocationBound.check("dns messages", data.length, BASE, PER_BYTE, () -> run(parts));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void run(List<byte[]> parts) {
        ByteBuf query = Unpooled.wrappedBuffer(parts.get(0));
        DnsMessages.Query q;
        try {
            q = DnsMessages.parseQuery(query);
        } catch (DnsFormatException documented) {
            return;
        }
        if (q.udpLimit() < DnsMessages.CLASSIC_UDP_LIMIT || q.questionEnd() > query.readableBytes()) {
            throw new AssertionError("query parsed to " + q);
        }
        ByteBuf fail = DnsMessages.serverFailure(query, q.questionEnd(), ALLOC);
        try {
            if (!DnsMessages.answers(query, q.questionEnd(), fail) || DnsMessages.rcode(fail) != 2) {
                throw new AssertionError("the SERVFAIL built does not answer its query");
            }
        } finally {
            fail.release();
        }
        if (parts.size() < 2 || parts.get(1).length < DnsMessages.HEADER) return;
        ByteBuf response = Unpooled.wrappedBuffer(parts.get(1));
        if (!DnsMessages.answers(query, q.questionEnd(), response)) return;
        ByteBuf cut = DnsMessages.truncate(response, q.udpLimit(), ALLOC);
        try {
            if (!DnsMessages.truncated(cut) || cut.readableBytes() > Math.max(q.udpLimit(), response.readableBytes())) {
                throw new AssertionError("truncated to " + cut.readableBytes() + " bytes for a limit of " + q.udpLimit());
            }
        } finally {
            cut.release();
        }
    }
}
