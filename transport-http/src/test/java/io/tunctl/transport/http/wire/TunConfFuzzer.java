package io.tunctl.transport.http.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.testkit.AllocationBound;

import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzz target for the {@code x-tun-conf} header a client takes from a server: the packed record
 * ({@link TunConf#fromBytes}) and the header text ({@link TunConf#fromHeader}, the same bytes read as Latin-1).
 * Property: only the documented {@link IllegalArgumentException}; what decodes encodes back to an equal value;
 * allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per input byte.
 */
public class TunConfFuzzer {
    // each route and address goes through Cidr's text form (parse, toString) twice: ~1 KiB per 5-byte route
    static final long BASE = 65536;
    static final long PER_BYTE = 1024;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        AllocationBound.check("x-tun-conf", data.length, BASE, PER_BYTE, () -> {
            roundTrip(() -> TunConf.fromBytes(data));
            roundTrip(() -> TunConf.fromHeader(new String(data, StandardCharsets.ISO_8859_1)));
        });
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void roundTrip(java.util.function.Supplier<TunConf> decode) {
        TunConf c;
        try {
            c = decode.get();
        } catch (IllegalArgumentException documented) {
            return;
        }
        if (!TunConf.fromHeader(c.toHeader()).equals(c)) throw new AssertionError("round trip changed " + c);
        c.primary();
        c.toString();
    }
}
