package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The plaintext inside a holepunch message's encrypted payload (hyperdht {@code holepunchPayload},
 * hyperdht-wire.md §4.1, §6.6-6.7): {@code flags uint {1 connected, 2 punching, 4 addresses, 8 remoteAddress,
 * 16 token, 32 remoteToken} || error uint || firewall uint || round uint || [addresses array(ipv4Address)] ||
 * [remoteAddress ipv4Address] || [token fixed32] || [remoteToken fixed32]}.
 *
 * <p>{@code addresses} is null when absent; an empty list is present (hyperdht sets the flag for any array, even an
 * empty one), so null and empty stay distinct on the wire.
 */
public record HolepunchPayload(boolean connected, boolean punching, long error, long firewall, long round,
        List<InetSocketAddress> addresses, InetSocketAddress remoteAddress, byte[] token, byte[] remoteToken) {
    public HolepunchPayload {
        Wire.uint(error, "error");
        Wire.uint(firewall, "firewall");
        Wire.uint(round, "round");
        addresses = Wire.ipv4List(addresses, "addresses");
        Wire.ipv4(remoteAddress, "remoteAddress");
        Wire.fixed(token, 32, "token");
        Wire.fixed(remoteToken, 32, "remoteToken");
    }

    public int flags() {
        return (connected ? 1 : 0) | (punching ? 2 : 0) | (addresses != null ? 4 : 0) | (remoteAddress != null ? 8 : 0)
                | (token != null ? 16 : 0) | (remoteToken != null ? 32 : 0);
    }

    public byte[] encode() {
        CompactEncoder e = new CompactEncoder(96);
        e.uint(flags()).uint(error).uint(firewall).uint(round);
        if (addresses != null) {
            e.array(addresses, CompactEncoder::ipv4Address);
        }
        if (remoteAddress != null) {
            e.ipv4Address(remoteAddress);
        }
        if (token != null) {
            e.raw(token);
        }
        if (remoteToken != null) {
            e.raw(remoteToken);
        }
        return e.toByteArray();
    }

    public static HolepunchPayload decode(byte[] bytes) {
        return Wire.decode("holepunch payload", bytes, d -> {
            long flags = d.uint();
            long error = d.uint();
            long firewall = d.uint();
            long round = d.uint();
            List<InetSocketAddress> addresses = (flags & 4) != 0 ? d.array(CompactDecoder::ipv4Address) : null;
            InetSocketAddress remote = (flags & 8) != 0 ? d.ipv4Address() : null;
            byte[] token = (flags & 16) != 0 ? d.fixed(32) : null;
            byte[] remoteToken = (flags & 32) != 0 ? d.fixed(32) : null;
            return new HolepunchPayload((flags & 1) != 0, (flags & 2) != 0, error, firewall, round, addresses, remote,
                    token, remoteToken);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HolepunchPayload p && connected == p.connected && punching == p.punching
                && error == p.error && firewall == p.firewall && round == p.round
                && java.util.Objects.equals(addresses, p.addresses)
                && java.util.Objects.equals(remoteAddress, p.remoteAddress) && Wire.eq(token, p.token)
                && Wire.eq(remoteToken, p.remoteToken);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(connected, punching, error, firewall, round, addresses, remoteAddress)
                * 31 + Wire.hash(token);
    }

    @Override
    public String toString() {
        return "HolepunchPayload[connected=" + connected + ", punching=" + punching + ", error=" + error
                + ", firewall=" + firewall + ", round=" + round + ", addresses=" + addresses + ", remoteAddress="
                + remoteAddress + ", token=" + Wire.hex(token) + ", remoteToken=" + Wire.hex(remoteToken) + "]";
    }
}
