package io.tunctl.transport.p2p.hyperdht;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which clients a {@link HyperDhtServer} talks to (hyperdht's {@code firewall} option). It is asked after the
 * client's Noise message 1 proved its key and before the server writes anything: a rejected client gets no reply at
 * all (its connect ends with {@code PEER_CONNECTION_FAILED}), learns nothing about the server, and costs no stream.
 */
@FunctionalInterface
public interface ConnectionFirewall {
    /**
     * @param remotePublicKey the client's authenticated static key (32 bytes)
     * @param clientAddress   the client's address as the relay (or the client itself) reported it
     * @return true to answer the handshake
     */
    boolean allow(byte[] remotePublicKey, InetSocketAddress clientAddress);

    /** Everyone (hyperdht's default). */
    ConnectionFirewall ALLOW_ALL = (pk, address) -> true;

    /** Only the given keys (32 bytes each). */
    static ConnectionFirewall allowOnly(Collection<byte[]> publicKeys) {
        Set<String> allowed = publicKeys.stream().map(k -> HexFormat.of().formatHex(k)).collect(Collectors.toSet());
        return (pk, address) -> allowed.contains(HexFormat.of().formatHex(pk));
    }
}
