package io.tunctl.transport.p2p.noise;

import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The plaintext hyperdht carries inside both Noise handshake messages ({@code lib/messages.js noisePayload}):
 * <pre>
 *   version uint (1) | flags uint | error uint | firewall uint
 *   [flags&amp;1  holepunch      = id uint, relays array(relayAddress ipv4Address, peerAddress ipv4Address)]
 *   [flags&amp;2  addresses4     = array(ipv4Address)]   (flag only when non-empty)
 *   [flags&amp;4  addresses6     = array(ipv6Address)]   (flag only when non-empty)
 *   [flags&amp;8  udx            = version uint (1), features uint (bit0 reusableSocket), id uint, seq uint]
 *   [flags&amp;16 secretStream   = version uint (1)]
 *   [flags&amp;32 relayThrough   = version uint (1), flags uint (0), publicKey fixed32, token fixed32]
 *   [flags&amp;64 relayAddresses = array(ipv4Address)]   (flag whenever present, even if empty)
 *   [tunctl trailer = "tunctl" (6 bytes), features uint]   (only when features is not 0)
 * </pre>
 * The trailer is tunctl's own: capabilities a tunctl peer announces to another (bit 0: {@link #FEATURE_WHOLE_GSO}).
 * It follows every field the flags select, where hyperdht's decoder (compact-encoding's, which does not check that
 * the buffer was used up) stops reading, so a Node peer never sees it; a later hyperdht field would come with a flag
 * bit of its own, which tunctl does not set. A decoder reads it only when the six magic bytes are there; anything
 * else after the fields is ignored, as Node ignores it.
 * As in Node, the encoder always writes version 1 for the payload and its sub-records, and a decoder that meets a
 * payload version other than 1 stops after that field and returns only the version. Optional parts are
 * {@code null} when absent; address lists are never null.
 */
public record NoisePayload(int version, int error, int firewall, Holepunch holepunch,
        List<InetSocketAddress> addresses4, List<InetSocketAddress> addresses6, Udx udx, SecretStream secretStream,
        RelayThrough relayThrough, List<InetSocketAddress> relayAddresses, long features) {

    public static final int ERROR_NONE = 0;
    public static final int ERROR_ABORTED = 1;
    public static final int ERROR_VERSION_MISMATCH = 2;
    public static final int ERROR_TRY_LATER = 3;
    public static final int FIREWALL_UNKNOWN = 0;
    public static final int FIREWALL_OPEN = 1;
    public static final int FIREWALL_CONSISTENT = 2;
    public static final int FIREWALL_RANDOM = 3;
    /** Feature bit: GSO super-packets are welcome whole on the stream (see {@code transport-p2p.md}). */
    public static final long FEATURE_WHOLE_GSO = 1;
    private static final byte[] TRAILER_MAGIC = {'t', 'u', 'n', 'c', 't', 'l'};

    public NoisePayload {
        addresses4 = addresses4 == null ? List.of() : List.copyOf(addresses4);
        addresses6 = addresses6 == null ? List.of() : List.copyOf(addresses6);
        relayAddresses = relayAddresses == null ? null : List.copyOf(relayAddresses);
        if (features < 0) throw new IllegalArgumentException("features must not be negative: " + features);
    }

    /** A payload that announces no tunctl features (what Node sends). */
    public NoisePayload(int version, int error, int firewall, Holepunch holepunch, List<InetSocketAddress> addresses4,
            List<InetSocketAddress> addresses6, Udx udx, SecretStream secretStream, RelayThrough relayThrough,
            List<InetSocketAddress> relayAddresses) {
        this(version, error, firewall, holepunch, addresses4, addresses6, udx, secretStream, relayThrough,
                relayAddresses, 0);
    }

    /** This payload announcing {@code features} instead. */
    public NoisePayload withFeatures(long features) {
        return new NoisePayload(version, error, firewall, holepunch, addresses4, addresses6, udx, secretStream,
                relayThrough, relayAddresses, features);
    }

    /** Holepunch rendezvous: the server's puncher id and the relays the handshake went through. */
    public record Holepunch(long id, List<Relay> relays) {
        public Holepunch {
            relays = List.copyOf(relays);
        }
    }

    public record Relay(InetSocketAddress relayAddress, InetSocketAddress peerAddress) {
    }

    /** The sender's local UDX stream id, which the peer must put in the packets it sends to that stream. */
    public record Udx(int version, boolean reusableSocket, long id, long seq) {
    }

    public record SecretStream(int version) {
    }

    /** Blind-relay rendezvous: the relay's public key and the pairing token. Compared by content. */
    public record RelayThrough(int version, byte[] publicKey, byte[] token) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RelayThrough r && version == r.version && Arrays.equals(publicKey, r.publicKey)
                    && Arrays.equals(token, r.token);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(publicKey) + Arrays.hashCode(token);
        }

        @Override
        public String toString() {
            return "RelayThrough[version=" + version + ", publicKey=" + HexFormat.of().formatHex(publicKey) + "]";
        }
    }

    public byte[] encode() {
        int flags = (holepunch != null ? 1 : 0) | (!addresses4.isEmpty() ? 2 : 0) | (!addresses6.isEmpty() ? 4 : 0)
                | (udx != null ? 8 : 0) | (secretStream != null ? 16 : 0) | (relayThrough != null ? 32 : 0)
                | (relayAddresses != null ? 64 : 0);
        CompactEncoder e = new CompactEncoder();
        e.uint(1).uint(flags).uint(error).uint(firewall);
        if (holepunch != null) {
            e.uint(holepunch.id()).array(holepunch.relays(), (enc, r) -> enc.ipv4Address(r.relayAddress())
                    .ipv4Address(r.peerAddress()));
        }
        if (!addresses4.isEmpty()) {
            e.array(addresses4, CompactEncoder::ipv4Address);
        }
        if (!addresses6.isEmpty()) {
            e.array(addresses6, CompactEncoder::ipv6Address);
        }
        if (udx != null) {
            e.uint(1).uint(udx.reusableSocket() ? 1 : 0).uint(udx.id()).uint(udx.seq());
        }
        if (secretStream != null) {
            e.uint(1);
        }
        if (relayThrough != null) {
            e.uint(1).uint(0).fixed(relayThrough.publicKey(), 32).fixed(relayThrough.token(), 32);
        }
        if (relayAddresses != null) {
            e.array(relayAddresses, CompactEncoder::ipv4Address);
        }
        if (features != 0) {
            e.fixed(TRAILER_MAGIC, TRAILER_MAGIC.length).uint(features);
        }
        return e.toByteArray();
    }

    /**
     * Decodes a payload; trailing bytes are ignored as in Node, except tunctl's trailer.
     *
     * @throws io.tunctl.transport.p2p.codec.CompactDecodeException if it is truncated or malformed
     */
    public static NoisePayload decode(byte[] bytes) {
        CompactDecoder d = new CompactDecoder(bytes);
        int version = d.uintAsInt("version");
        if (version != 1) {
            return new NoisePayload(version, 0, 0, null, null, null, null, null, null, null);
        }
        int flags = d.uintAsInt("flags");
        int error = d.uintAsInt("error");
        int firewall = d.uintAsInt("firewall");
        Holepunch hp = (flags & 1) != 0
                ? new Holepunch(d.uint(), d.array(x -> new Relay(x.ipv4Address(), x.ipv4Address())))
                : null;
        List<InetSocketAddress> a4 = (flags & 2) != 0 ? d.array(CompactDecoder::ipv4Address) : List.of();
        List<InetSocketAddress> a6 = (flags & 4) != 0 ? d.array(CompactDecoder::ipv6Address) : List.of();
        Udx udx = null;
        if ((flags & 8) != 0) {
            int v = d.uintAsInt("udx version");
            long features = d.uint();
            udx = new Udx(v, (features & 1) != 0, d.uint(), d.uint());
        }
        SecretStream ss = (flags & 16) != 0 ? new SecretStream(d.uintAsInt("secretStream version")) : null;
        RelayThrough rt = null;
        if ((flags & 32) != 0) {
            int v = d.uintAsInt("relayThrough version");
            d.uint();
            rt = new RelayThrough(v, d.fixed(32), d.fixed(32));
        }
        List<InetSocketAddress> ra = (flags & 64) != 0 ? d.array(CompactDecoder::ipv4Address) : null;
        return new NoisePayload(version, error, firewall, hp, a4, a6, udx, ss, rt, ra, trailer(d));
    }

    /** tunctl's features from the bytes after the fields; 0 when they are not a well-formed trailer. */
    private static long trailer(CompactDecoder d) {
        if (d.remaining() <= TRAILER_MAGIC.length || !Arrays.equals(d.fixed(TRAILER_MAGIC.length), TRAILER_MAGIC)) {
            return 0;
        }
        try {
            long f = d.uint();
            return f < 0 ? 0 : f;
        } catch (io.tunctl.transport.p2p.codec.CompactDecodeException truncated) {
            return 0;
        }
    }

    /** A builder-less shorthand for the common client payload. */
    public static NoisePayload of(int firewall, List<InetSocketAddress> addresses4, long udxStreamId) {
        return new NoisePayload(1, ERROR_NONE, firewall, null, Objects.requireNonNull(addresses4), List.of(),
                new Udx(1, false, udxStreamId, 0), new SecretStream(1), null, null);
    }
}
