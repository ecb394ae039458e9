package io.tunctl.transport.http.client;

import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.http.wire.TunConf;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the interface parameters a server pushes ({@code x-tun-conf}, {@code x-tun-conf6}) before anything touches
 * the host. A server is trusted with the tunnel's own addresses, not with the host: it may not put loopback,
 * multicast, broadcast, unspecified or link-local addresses on the TUN, a prefix that swallows the host's other
 * networks, an MTU outside tunctl's range, or a route (the TUN's connected route included) that covers the server's
 * own address, which would send the tunnel into itself, or the host's loopback.
 */
public final class PushedParameters {
    /** The smallest IPv4 prefix a pushed address may carry: a /7 and wider would route a large part of the internet. */
    static final int MIN_PREFIX4 = 8;
    static final int MIN_PREFIX6 = 16;
    static final int MIN_MTU = 68;
    static final int MIN_MTU6 = 1280;
    static final int MAX_MTU = 9000;

    private PushedParameters() {}

    /**
     * The reasons {@code conf} (and {@code conf6}, may be null) cannot be applied, empty when they can.
     *
     * @param server the address the client reached the server at (the peer of its TCP connection), or null
     */
    public static List<String> problems(TunConf conf, Cidr conf6, byte[] server) {
        List<String> out = new ArrayList<>();
        int min = conf6 == null ? MIN_MTU : MIN_MTU6;
        if (conf.mtu() < min || conf.mtu() > MAX_MTU) {
            out.add("mtu " + conf.mtu() + " outside " + min + ".." + MAX_MTU + (conf6 == null ? "" : " (IPv6 needs 1280)"));
        }
        if (conf.prefix() < MIN_PREFIX4) {
            out.add("prefix /" + conf.prefix() + " is wider than /" + MIN_PREFIX4);
        }
        for (byte[] ip : conf.ips()) {
            Cidr a = Cidr.parse(Cidr.addressString(ip) + "/" + conf.prefix());
            String why = notUnicast4(ip);
            if (why != null) {
                out.add("address " + Cidr.addressString(ip) + " is " + why);
                continue;
            }
            if (conf.prefix() <= 30 && (a.isNetwork() || isBroadcastOf(ip, conf.prefix()))) {
                out.add("address " + a + " is the " + (a.isNetwork() ? "network" : "broadcast") + " address of its prefix");
            }
            checkCovers(out, "address " + a + " (its connected route " + a.network() + ")", a.network(), server);
        }
        for (Cidr r : conf.routes()) {
            byte[] net = r.network().addressBytes();
            if ((net[0] & 0xff) >= 224) out.add("route " + r + " is multicast or reserved");
            else checkCovers(out, "route " + r, r, server);
        }
        if (conf6 != null) {
            byte[] a = conf6.addressBytes();
            String why = notUnicast6(a);
            if (why != null) out.add("IPv6 address " + Cidr.addressString(a) + " is " + why);
            if (conf6.prefixLength() < MIN_PREFIX6) out.add("IPv6 prefix /" + conf6.prefixLength() + " is wider than /" + MIN_PREFIX6);
            else if (why == null) checkCovers(out, "IPv6 address " + conf6, conf6.network(), server);
        }
        return out;
    }

    private static void checkCovers(List<String> out, String what, Cidr net, byte[] server) {
        if (net.isIpv4() && net.contains(new byte[] {127, 0, 0, 1})) {
            out.add(what + " covers the host's loopback 127.0.0.0/8");
        } else if (net.isIpv6() && net.contains(loopback6())) {
            out.add(what + " covers the host's loopback ::1");
        }
        if (server != null && server.length == net.addressLength() && net.contains(server)) {
            out.add(what + " covers the server's own address " + Cidr.addressString(server)
                    + ": the tunnel would be routed into itself");
        }
    }

    /** Null when {@code ip} is an ordinary unicast IPv4 address, else what it is. */
    static String notUnicast4(byte[] ip) {
        int a = ip[0] & 0xff, b = ip[1] & 0xff;
        if (a == 0) return "unspecified (0.0.0.0/8)";
        if (a == 127) return "loopback";
        if (a == 169 && b == 254) return "link-local";
        if (a >= 224 && a <= 239) return "multicast";
        if ((ip[0] & ip[1] & ip[2] & ip[3]) == (byte) 0xff) return "the broadcast address";
        if (a >= 240) return "reserved (240.0.0.0/4)";
        return null;
    }

    static String notUnicast6(byte[] ip) {
        boolean zero = true;
        for (int i = 0; i < 15; i++) zero &= ip[i] == 0;
        if (zero && ip[15] == 0) return "unspecified (::)";
        if (zero && ip[15] == 1) return "loopback";
        if ((ip[0] & 0xff) == 0xff) return "multicast";
        if ((ip[0] & 0xff) == 0xfe && (ip[1] & 0xc0) == 0x80) return "link-local";
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= ip[i] == 0;
        if (mapped && (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff) return "an IPv4-mapped address";
        return null;
    }

    private static boolean isBroadcastOf(byte[] ip, int prefix) {
        int v = (ip[0] & 0xff) << 24 | (ip[1] & 0xff) << 16 | (ip[2] & 0xff) << 8 | (ip[3] & 0xff);
        int host = prefix == 0 ? -1 : (1 << (32 - prefix)) - 1;
        return (v & host) == host;
    }

    private static byte[] loopback6() {
        byte[] a = new byte[16];
        a[15] = 1;
        return a;
    }
}
