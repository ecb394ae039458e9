package io.tunctl.transport.p2p.dht.hyperdht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * IPv4 address classes as the npm {@code bogon} package draws them (hyperdht uses it to skip addresses it cannot
 * reach from outside), and hyperdht's LAN prefix match ({@code Holepuncher.matchAddress}).
 */
public final class Ipv4 {
    private Ipv4() {
    }

    /** 10/8, 100.64/10 (carrier-grade NAT), 127/8, 169.254/16, 172.16/12, 192.168/16. */
    public static boolean isPrivate(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return false; // the bogon package has no private IPv6 range
        }
        byte[] b = a.getAddress();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        return b0 == 10 || (b0 == 100 && b1 >= 64 && b1 <= 127) || b0 == 127 || (b0 == 169 && b1 == 254)
                || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168);
    }

    /** 0/8, 192.0.0/24, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4, 240/4 (IPv4 only). */
    public static boolean isReserved(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return false;
        }
        byte[] b = a.getAddress();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        int b2 = b[2] & 0xff;
        return b0 == 0 || (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)) || (b0 == 198 && (b1 == 18 || b1 == 19))
                || (b0 == 198 && b1 == 51 && b2 == 100) || (b0 == 203 && b1 == 0 && b2 == 113) || b0 >= 224;
    }

    /** Private or reserved: not an address a peer elsewhere on the Internet can reach. */
    public static boolean isBogon(InetAddress a) {
        return isPrivate(a) || isReserved(a);
    }

    /**
     * hyperdht's {@code matchAddress}: the remote LAN address sharing the longest dotted prefix (1 to 3 octets) with
     * one of ours; a 3-octet match wins at once, else the first 2-octet, else the first 1-octet match; null if none.
     */
    public static InetSocketAddress matchAddress(List<InetSocketAddress> local, List<InetSocketAddress> remote) {
        if (remote.isEmpty()) {
            return null;
        }
        int bestSegments = 1;
        InetSocketAddress best = null;
        for (InetSocketAddress l : local) {
            byte[] a = l.getAddress().getAddress();
            for (InetSocketAddress r : remote) {
                byte[] b = r.getAddress().getAddress();
                if (a.length != 4 || b.length != 4 || a[0] != b[0]) {
                    continue;
                }
                if (bestSegments == 1) {
                    bestSegments = 2;
                    best = r;
                }
                if (a[1] == b[1]) {
                    if (bestSegments == 2) {
                        bestSegments = 3;
                        best = r;
                    }
                    if (a[2] == b[2]) {
                        return r;
                    }
                }
            }
        }
        return best;
    }

    static boolean sameHost(InetSocketAddress a, InetSocketAddress b) {
        return a.getAddress().equals(b.getAddress());
    }

    static String key(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
