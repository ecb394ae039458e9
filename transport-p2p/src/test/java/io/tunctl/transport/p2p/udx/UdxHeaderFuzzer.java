package io.tunctl.transport.p2p.udx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunctl.core.testkit.AllocationBound;

/**
 * Coverage-guided fuzz target for UDX datagrams from the network: {@link UdxHeader#isUdx}, {@link UdxHeader#decode}
 * and, for SACK packets, {@link UdxHeader#decodeSackRanges}. Property: only the documented
 * {@link UdxCodecException}; decoding moves no index; a decoded header re-encodes to the datagram's first 20
 * bytes; SACK ranges lie inside the datagram; allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per
 * input byte (the SACK range array).
 */
public class UdxHeaderFuzzer {
    static final long BASE = 4096;
    static final long PER_BYTE = 4;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        AllocationBound.check("udx header", data.length, BASE, PER_BYTE, () -> run(data));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void run(byte[] data) {
        ByteBuf d = Unpooled.wrappedBuffer(data);
        boolean udx = UdxHeader.isUdx(d);
        UdxHeader h;
        try {
            h = UdxHeader.decode(d);
        } catch (UdxCodecException documented) {
            return;
        }
        if (!udx || d.readerIndex() != 0) throw new AssertionError("decoded what isUdx refused, or moved the index");
        ByteBuf again = Unpooled.buffer(UdxHeader.SIZE);
        h.encode(again);
        if (!again.equals(d.slice(0, UdxHeader.SIZE))) throw new AssertionError("re-encodes differently: " + h);
        int[] ranges = UdxHeader.decodeSackRanges(d, h);
        if (ranges.length * 4 > data.length - UdxHeader.SIZE) throw new AssertionError("more SACK ranges than bytes");
    }
}
