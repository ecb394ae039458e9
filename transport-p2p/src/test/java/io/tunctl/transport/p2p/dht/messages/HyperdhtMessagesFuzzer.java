package io.tunctl.transport.p2p.dht.messages;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.noise.NoisePayload;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Coverage-guided fuzz target for every compact-encoded message a DHT peer sends: dht-rpc requests and responses
 * ({@link DhtMessage}), and hyperdht's {@link HandshakeMessage}, {@link HolepunchMessage},
 * {@link HolepunchPayload}, {@link AnnounceMessage}, {@link PeerRecord}, {@link LookupReply} and the Noise
 * handshake's {@link NoisePayload}. The first input byte picks the decoder, the rest is the message. Property: only
 * the documented {@link CompactDecodeException}; a decoded message encodes again, and what that encoding decodes to
 * encodes to the same bytes (a canonical form); allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per
 * input byte (arrays are bounded by the bytes present, not by their declared length).
 */
public class HyperdhtMessagesFuzzer {
    static final long BASE = 16384;
    static final long PER_BYTE = 256;

    private record Codec(String name, Function<byte[], Object> decode, Function<Object, byte[]> encode) {}

    private static final Codec[] CODECS = {
            new Codec("dht-rpc request", DhtMessage.Request::decode, m -> ((DhtMessage) m).encode()),
            new Codec("dht-rpc response", DhtMessage.Response::decode, m -> ((DhtMessage) m).encode()),
            new Codec("handshake", HandshakeMessage::decode, m -> ((HandshakeMessage) m).encode()),
            new Codec("holepunch", HolepunchMessage::decode, m -> ((HolepunchMessage) m).encode()),
            new Codec("holepunch payload", HolepunchPayload::decode, m -> ((HolepunchPayload) m).encode()),
            new Codec("announce", AnnounceMessage::decode, m -> ((AnnounceMessage) m).encode()),
            new Codec("peer record", PeerRecord::decode, m -> ((PeerRecord) m).encode()),
            new Codec("lookup reply", LookupReply::decode, m -> ((LookupReply) m).encode()),
            new Codec("noise payload", NoisePayload::decode, m -> ((NoisePayload) m).encode()),
    };

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        Codec c = CODECS[(data[0] & 0xff) % CODECS.length];
        byte[] message = Arrays.copyOfRange(data, 1, data.length);
        AllocationBound.check(c.name(), data.length, BASE, PER_BYTE, () -> run(c, message));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    /** Seeds: {@code selector} then the message. */
    public static byte[] input(int selector, byte[] message) {
        byte[] b = new byte[message.length + 1];
        b[0] = (byte) selector;
        System.arraycopy(message, 0, b, 1, message.length);
        return b;
    }

    private static void run(Codec c, byte[] message) {
        Object m;
        try {
            m = c.decode().apply(message);
        } catch (CompactDecodeException documented) {
            return;
        }
        byte[] once = c.encode().apply(m);
        byte[] twice;
        try {
            twice = c.encode().apply(c.decode().apply(once));
        } catch (CompactDecodeException e) {
            throw new AssertionError(c.name() + ": its own encoding of " + m + " does not decode", e);
        }
        if (!Arrays.equals(once, twice)) throw new AssertionError(c.name() + ": encoding is not canonical for " + m);
    }
}
