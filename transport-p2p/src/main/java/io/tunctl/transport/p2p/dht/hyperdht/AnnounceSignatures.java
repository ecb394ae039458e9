package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.crypto.Blake2b;
import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.Namespaces;
import io.tunctl.transport.p2p.dht.messages.AnnounceMessage;
import io.tunctl.transport.p2p.dht.messages.PeerRecord;
import java.util.List;

/**
 * Signatures of ANNOUNCE and UNANNOUNCE values (hyperdht {@code Persistent.signAnnounce}, hyperdht-wire.md §5.1).
 * The signed 64 bytes are {@code NS || BLAKE2b-256(target || nodeId || token || encode(peer) || refresh-or-empty)}:
 * a signature is bound to one storage node (its id) and one token from it, so it cannot be replayed elsewhere.
 */
public final class AnnounceSignatures {
    private static final byte[] EMPTY = new byte[0];

    private AnnounceSignatures() {
    }

    /** The 64 signed bytes for namespace {@code ns} ({@link Namespaces#announce()} or {@link Namespaces#unannounce()}). */
    public static byte[] signable(byte[] ns, byte[] target, byte[] nodeId, byte[] token, PeerRecord peer,
            byte[] refresh) {
        check(target, "target");
        check(nodeId, "nodeId");
        check(token, "token");
        if (peer == null) {
            throw new IllegalArgumentException("peer is required");
        }
        byte[] inner = Blake2b.hash256(target, nodeId, token, peer.encode(), refresh == null ? EMPTY : refresh);
        byte[] out = new byte[64];
        System.arraycopy(ns, 0, out, 0, 32);
        System.arraycopy(inner, 0, out, 32, 32);
        return out;
    }

    /** The ANNOUNCE value a server sends to storage node {@code nodeId} with its {@code token}: its own record, signed. */
    public static AnnounceMessage announce(Ed25519KeyPair keyPair, byte[] target, byte[] nodeId, byte[] token,
            List<java.net.InetSocketAddress> relayAddresses, long bump) {
        PeerRecord peer = new PeerRecord(keyPair.publicKey(), relayAddresses);
        byte[] sig = keyPair.sign(signable(Namespaces.announce(), target, nodeId, token, peer, null));
        return new AnnounceMessage(peer, null, sig, bump);
    }

    /** The UNANNOUNCE value (same shape, signed under {@link Namespaces#unannounce()}, empty relay list). */
    public static AnnounceMessage unannounce(Ed25519KeyPair keyPair, byte[] target, byte[] nodeId, byte[] token) {
        PeerRecord peer = new PeerRecord(keyPair.publicKey(), List.of());
        byte[] sig = keyPair.sign(signable(Namespaces.unannounce(), target, nodeId, token, peer, null));
        return new AnnounceMessage(peer, null, sig, 0);
    }

    /** A storage node's check of an ANNOUNCE: signed by {@code peer.publicKey} for this target, node id and token. */
    public static boolean verifyAnnounce(AnnounceMessage m, byte[] target, byte[] nodeId, byte[] token) {
        return verify(Namespaces.announce(), m, target, nodeId, token);
    }

    public static boolean verifyUnannounce(AnnounceMessage m, byte[] target, byte[] nodeId, byte[] token) {
        return verify(Namespaces.unannounce(), m, target, nodeId, token);
    }

    private static boolean verify(byte[] ns, AnnounceMessage m, byte[] target, byte[] nodeId, byte[] token) {
        if (m == null || m.peer() == null || m.signature() == null || target == null || nodeId == null
                || token == null || target.length != 32 || nodeId.length != 32 || token.length != 32) {
            return false;
        }
        return Ed25519KeyPair.verify(m.peer().publicKey(), signable(ns, target, nodeId, token, m.peer(), m.refresh()),
                m.signature());
    }

    private static void check(byte[] b, String what) {
        if (b == null || b.length != 32) {
            throw new IllegalArgumentException(what + " must be 32 bytes, got " + (b == null ? "null" : b.length));
        }
    }
}
