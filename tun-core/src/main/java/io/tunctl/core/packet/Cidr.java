package io.tunctl.core.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address with a prefix length, as written {@code 192.0.2.1/24} or {@code 2001:db8::1/64}.
 * The address keeps its host bits (an interface address); {@link #network()} clears them (a route).
 */
public final class Cidr implements Comparable<Cidr> {
    private final byte[] address;
    private final int prefix;

    private Cidr(byte[] address, int prefix) {
        this.address = address;
        this.prefix = prefix;
    }

    public static Cidr of(InetAddress address, int prefix) {
        byte[] a = address.getAddress();
        if (prefix < 0 || prefix > a.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range 0.." + a.length * 8);
        }
        return new Cidr(a, prefix);
    }

    /**
     * Parses {@code addr/len}; a bare address means a host (/32 or /128). Only numeric addresses are accepted,
     * never a host name (no DNS lookup happens here).
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty CIDR");
        String s = text.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] a = parseAddress(addr);
        int max = a.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " > " + max + " in '" + text + "'");
            }
        }
        return new Cidr(a, prefix);
    }

    /** Parses a numeric IPv4 or IPv6 address, never resolving names. */
    public static byte[] parseAddress(String addr) {
        boolean v6 = addr.indexOf(':') >= 0;
        if (!v6) {
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: '" + addr + "'");
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + addr + "'");
                }
                int v = Integer.parseInt(p);
                if (v > 255) throw new IllegalArgumentException("not an IPv4 address: '" + addr + "'");
                out[i] = (byte) v;
            }
            return out;
        }
        // InetAddress parses a literal only when it starts with a hex digit or ':'; anything else would be a
        // name lookup, so such text is refused here
        if (!addr.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                || !(Character.digit(addr.charAt(0), 16) >= 0 || addr.charAt(0) == ':')) {
            throw new IllegalArgumentException("not an IPv6 address: '" + addr + "'");
        }
        try {
            byte[] out = InetAddress.getByName(addr).getAddress();
            if (out.length == 4) {
                // Java turns IPv4-mapped literals (::ffff:a.b.c.d) into Inet4Address; keep them IPv6
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(out, 0, mapped, 12, 4);
                return mapped;
            }
            return out;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: '" + addr + "'");
        }
    }

    public boolean isIpv4() { return address.length == 4; }

    public boolean isIpv6() { return address.length == 16; }

    /** AF_INET (2) or AF_INET6 (10) on Linux. */
    public int family() { return isIpv4() ? 2 : 10; }

    public int prefixLength() { return prefix; }

    public int addressLength() { return address.length; }

    /** A copy of the address bytes, network order. */
    public byte[] addressBytes() { return address.clone(); }

    public InetAddress address() {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The same prefix with the host bits cleared. */
    public Cidr network() {
        byte[] n = address.clone();
        for (int bit = prefix; bit < n.length * 8; bit++) {
            n[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return new Cidr(n, prefix);
    }

    public boolean isNetwork() { return Arrays.equals(address, network().address); }

    /** True if {@code addr} (4 or 16 bytes) lies inside this prefix. */
    public boolean contains(byte[] addr) {
        if (addr.length != address.length) return false;
        int full = prefix >>> 3;
        for (int i = 0; i < full; i++) if (addr[i] != address[i]) return false;
        int rem = prefix & 7;
        if (rem == 0) return true;
        int mask = (0xff << (8 - rem)) & 0xff;
        return (addr[full] & mask) == (address[full] & mask);
    }

    public boolean contains(InetAddress addr) { return contains(addr.getAddress()); }

    public boolean contains(Cidr other) {
        return other.address.length == address.length && other.prefix >= prefix && contains(other.address);
    }

    @Override
    public String toString() {
        return addressString(address) + "/" + prefix;
    }

    /** Canonical text of an address: dotted quad, or RFC 5952 IPv6. */
    public static String addressString(byte[] a) {
        if (a.length == 4) return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        if (isIpv4Mapped(a)) {
            // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad
            return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        // RFC 5952: longest run (>= 2) of zero groups becomes '::', lower-case hex
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    public static String addressString(InetAddress a) { return addressString(a.getAddress()); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(address) * 31 + prefix; }

    @Override
    public int compareTo(Cidr o) {
        if (address.length != o.address.length) return Integer.compare(address.length, o.address.length);
        int c = Arrays.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }
}
