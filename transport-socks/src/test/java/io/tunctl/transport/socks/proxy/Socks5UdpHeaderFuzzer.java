package io.tunctl.transport.socks.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunctl.core.testkit.AllocationBound;

import java.net.InetSocketAddress;

/**
 * Coverage-guided fuzz target for the SOCKS5 UDP header on datagrams from the proxy ({@link Socks5UdpHeader#decode}).
 * Property: no exception (a bad header is null and counted); a decoded address re-encodes to the bytes it came
 * from and leaves the reader index at the payload; allocation at most {@value #BASE} bytes.
 */
public class Socks5UdpHeaderFuzzer {
    static final long BASE = 4096;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        AllocationBound.check("socks5 udp header", data.length, BASE, 0, () -> run(data));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void run(byte[] data) {
        Socks5UdpHeader h = new Socks5UdpHeader();
        ByteBuf in = Unpooled.wrappedBuffer(data);
        InetSocketAddress a = h.decode(in);
        if (a == null) {
            if (h.malformed() + h.fragments() != 1) throw new AssertionError("a refused header is counted once");
            return;
        }
        int n = Socks5UdpHeader.length(a);
        if (in.readerIndex() != n) throw new AssertionError("reader index " + in.readerIndex() + ", header " + n);
        ByteBuf out = Unpooled.buffer(n);
        Socks5UdpHeader.encode(a, out);
        if (!out.equals(Unpooled.wrappedBuffer(data, 0, n))) throw new AssertionError("re-encodes differently");
    }
}
