package io.tunctl.transport.p2p.dht.hyperdht;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.Hex;
import io.tunctl.transport.p2p.dht.messages.DhtMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Shared test values. */
final class Fixtures {
    private Fixtures() {
    }

    static InetSocketAddress a(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Ed25519KeyPair key(int fill) {
        return Ed25519KeyPair.fromSeed(Hex.fill(fill, 32));
    }

    static DhtMessage.Request request(long command, byte[] token, byte[] target, byte[] value) {
        return new DhtMessage.Request(7, a("127.0.0.1", 49738), null, token, false, command, target, value);
    }
}
