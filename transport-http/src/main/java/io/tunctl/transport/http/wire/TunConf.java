package io.tunctl.transport.http.wire;

import io.tunctl.core.packet.Cidr;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The interface parameters a server hands a client in the {@code x-tun-conf} response header: Base64 of a packed
 * little-endian record (spec §1.5). Two generations exist and do not interoperate; the decoder tells them apart
 * by length: v1 is exactly 7 bytes ({@code mtu:u16le | prefix:u8 | ip:4}), v2 is
 * {@code mtu:u16le | prefix:u8 | nIps:u8 | ips:4·n | nRoutes:u8 | (net:4 prefix:u8)·m}, which is never 7 bytes.
 *
 * @param generation 1 or 2
 * @param mtu        the server's MTU
 * @param prefix     prefix length of the tunnel network, applied to every address
 * @param ips        IPv4 addresses of the client, network order; the first is the primary (v1: exactly one)
 * @param routes     v2 routes the client should send into the tunnel (v1: none)
 */
public record TunConf(int generation, int mtu, int prefix, List<byte[]> ips, List<Cidr> routes) {

    public TunConf {
        if (generation != 1 && generation != 2) throw new IllegalArgumentException("generation " + generation);
        if (mtu < 0 || mtu > 0xffff) throw new IllegalArgumentException("mtu " + mtu + " does not fit 16 bits");
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix " + prefix + " out of 0..32");
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        for (byte[] ip : ips) {
            if (ip.length != 4) throw new IllegalArgumentException("x-tun-conf carries IPv4 addresses only");
        }
        if (ips.isEmpty()) throw new IllegalArgumentException("x-tun-conf needs at least one address");
        if (generation == 1 && (ips.size() != 1 || !routes.isEmpty())) {
            throw new IllegalArgumentException("a v1 x-tun-conf carries exactly one address and no routes");
        }
        if (ips.size() > 255 || routes.size() > 255) throw new IllegalArgumentException("more than 255 entries");
        for (Cidr r : routes) {
            if (!r.isIpv4()) throw new IllegalArgumentException("x-tun-conf carries IPv4 routes only: " + r);
        }
    }

    public static TunConf v1(int mtu, int prefix, byte[] ip) {
        return new TunConf(1, mtu, prefix, List.of(ip), List.of());
    }

    public static TunConf v2(int mtu, int prefix, List<byte[]> ips, List<Cidr> routes) {
        return new TunConf(2, mtu, prefix, ips, routes);
    }

    /** The primary address with the tunnel prefix, as the client's TUN gets it. */
    public Cidr primary() {
        return Cidr.parse(Cidr.addressString(ips.get(0)) + "/" + prefix);
    }

    /** The packed record. */
    public byte[] toBytes() {
        byte[] out = new byte[generation == 1 ? 7 : 3 + 1 + 4 * ips.size() + 1 + 5 * routes.size()];
        out[0] = (byte) mtu;
        out[1] = (byte) (mtu >>> 8);
        out[2] = (byte) prefix;
        int p = 3;
        if (generation == 1) {
            System.arraycopy(ips.get(0), 0, out, p, 4);
            return out;
        }
        out[p++] = (byte) ips.size();
        for (byte[] ip : ips) {
            System.arraycopy(ip, 0, out, p, 4);
            p += 4;
        }
        out[p++] = (byte) routes.size();
        for (Cidr r : routes) {
            System.arraycopy(r.network().addressBytes(), 0, out, p, 4);
            out[p + 4] = (byte) r.prefixLength();
            p += 5;
        }
        return out;
    }

    /** The header value: standard Base64 with padding. */
    public String toHeader() {
        return Base64.getEncoder().encodeToString(toBytes());
    }

    /** Decodes a header value; the generation follows from the length. */
    public static TunConf fromHeader(String value) {
        Objects.requireNonNull(value, "x-tun-conf");
        byte[] b;
        try {
            b = Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("x-tun-conf is not Base64: " + e.getMessage());
        }
        return fromBytes(b);
    }

    public static TunConf fromBytes(byte[] b) {
        if (b.length < 7) throw new IllegalArgumentException("x-tun-conf too short: " + b.length + " bytes");
        int mtu = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        int prefix = b[2] & 0xff;
        if (prefix > 32) throw new IllegalArgumentException("x-tun-conf prefix " + prefix + " > 32");
        if (b.length == 7) {
            return v1(mtu, prefix, java.util.Arrays.copyOfRange(b, 3, 7));
        }
        int p = 3;
        int nIps = b[p++] & 0xff;
        if (nIps == 0) throw new IllegalArgumentException("x-tun-conf has no address");
        if (b.length < p + 4 * nIps + 1) {
            throw new IllegalArgumentException("x-tun-conf of " + b.length + " bytes too short for " + nIps + " addresses");
        }
        List<byte[]> ips = new ArrayList<>(nIps);
        for (int i = 0; i < nIps; i++, p += 4) ips.add(java.util.Arrays.copyOfRange(b, p, p + 4));
        int nRoutes = b[p++] & 0xff;
        if (b.length != p + 5 * nRoutes) {
            throw new IllegalArgumentException("x-tun-conf length " + b.length + " does not match " + nIps
                    + " addresses and " + nRoutes + " routes (expected " + (p + 5 * nRoutes) + ")");
        }
        List<Cidr> routes = new ArrayList<>(nRoutes);
        for (int i = 0; i < nRoutes; i++, p += 5) {
            int len = b[p + 4] & 0xff;
            if (len > 32) throw new IllegalArgumentException("x-tun-conf route prefix " + len + " > 32");
            routes.add(Cidr.parse(Cidr.addressString(java.util.Arrays.copyOfRange(b, p, p + 4)) + "/" + len).network());
        }
        return v2(mtu, prefix, ips, routes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TunConf t && java.util.Arrays.equals(toBytes(), t.toBytes()) && generation == t.generation;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("v").append(generation).append(" mtu ").append(mtu).append(" ips");
        for (byte[] ip : ips) sb.append(' ').append(Cidr.addressString(ip)).append('/').append(prefix);
        if (!routes.isEmpty()) sb.append(" routes ").append(routes);
        return sb.toString();
    }
}
