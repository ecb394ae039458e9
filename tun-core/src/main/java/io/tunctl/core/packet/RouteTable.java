package io.tunctl.core.packet;

import java.lang.foreign.MemorySegment;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * Longest-prefix-match table from IPv4 and IPv6 prefixes ({@link Cidr}) to values, for forwarding packets by
 * destination. Each family is a path-compressed binary trie over the address bits, so a lookup visits at most
 * one node per distinct prefix length on the path and allocates nothing.
 *
 * <p>Prefixes are stored as networks: {@code 192.0.2.9/24} and {@code 192.0.2.0/24} are the same key.
 * Values are never null.
 *
 * <p>Concurrency: one writer at a time (callers serialise {@code put}/{@code remove}/{@code clear}) and any
 * number of concurrent readers. A node is fully built before a volatile write links it in, and removal only
 * unlinks, so a lookup racing a change sees the table either before or after it, never a broken path.
 *
 * @param <V> the value routed to, e.g. a client session
 */
public final class RouteTable<V> {
    private static final class Node<V> {
        final long hi;
        final long lo;
        final int len;
        final long maskHi; // the first len bits of the 128-bit key
        final long maskLo;
        volatile Cidr prefix; // set while the node holds a value
        volatile V value;
        volatile Node<V> zero;
        volatile Node<V> one;

        Node(long hi, long lo, int len) {
            this.hi = hi;
            this.lo = lo;
            this.len = len;
            this.maskHi = RouteTable.maskHi(len);
            this.maskLo = RouteTable.maskLo(len);
        }

        Node<V> child(int bit) { return bit == 0 ? zero : one; }

        void child(int bit, Node<V> n) {
            if (bit == 0) zero = n;
            else one = n;
        }
    }

    private volatile Node<V> v4 = new Node<>(0, 0, 0);
    private volatile Node<V> v6 = new Node<>(0, 0, 0);
    private volatile int size;

    /** Number of prefixes in the table. */
    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public void clear() {
        v4 = new Node<>(0, 0, 0);
        v6 = new Node<>(0, 0, 0);
        size = 0;
    }

    /**
     * Adds {@code prefix -> value} or replaces the value of an existing prefix.
     *
     * @return the previous value of that exact prefix, or null
     */
    public V put(Cidr prefix, V value) {
        Objects.requireNonNull(value, "value");
        Cidr net = prefix.network();
        byte[] a = net.addressBytes();
        return insert(root(net), hi(a), lo(a), net.prefixLength(), net, value, true);
    }

    /** Adds {@code prefix -> value} unless the exact prefix is present; returns the value present, or null. */
    public V putIfAbsent(Cidr prefix, V value) {
        Objects.requireNonNull(value, "value");
        Cidr net = prefix.network();
        byte[] a = net.addressBytes();
        return insert(root(net), hi(a), lo(a), net.prefixLength(), net, value, false);
    }

    /** The value of exactly this prefix (not a longest match), or null. */
    public V get(Cidr prefix) {
        Node<V> n = find(prefix);
        return n == null ? null : n.value;
    }

    public boolean containsPrefix(Cidr prefix) { return get(prefix) != null; }

    /** Removes exactly this prefix; returns its value, or null if it was absent. */
    public V remove(Cidr prefix) {
        Cidr net = prefix.network();
        byte[] a = net.addressBytes();
        long hi = hi(a), lo = lo(a);
        int len = net.prefixLength();
        Node<V> gp = null, parent = null, n = root(net);
        while (n != null && n.len < len && matches(n, hi, lo)) {
            gp = parent;
            parent = n;
            n = n.child(bit(hi, lo, n.len));
        }
        if (n == null || n.len != len || !matches(n, hi, lo) || n.value == null) return null;
        V old = n.value;
        n.value = null; // the prefix stays: it is the node's key, and a racing reader may still read it
        size = size - 1;
        if (parent == null) return old; // the root stays as the anchor
        // drop n if it has become an empty leaf or a pass-through with one child
        if (n.zero != null && n.one != null) return old;
        Node<V> only = n.zero != null ? n.zero : n.one;
        parent.child(bit(hi, lo, parent.len), only);
        // the parent may now be a valueless pass-through node
        if (only == null && gp != null && parent.value == null) {
            Node<V> other = parent.zero != null ? parent.zero : parent.one;
            gp.child(bit(hi, lo, gp.len), other);
        }
        return old;
    }

    // ---- lookups (allocation-free) ----

    /** Longest match for a 4- or 16-byte address, or null. */
    public V lookup(byte[] address) {
        if (address.length == 4) return lookupIpv4(Ipv4.toInt(address));
        if (address.length == 16) return lookupIpv6(hi(address), lo(address));
        throw new IllegalArgumentException("address must have 4 or 16 bytes, got " + address.length);
    }

    /** Longest match for an IPv4 address in big-endian int form ({@link Ipv4#destination}). */
    public V lookupIpv4(int address) { return matchValue(v4, (long) address << 32, 0, 32); }

    /** Longest match for an IPv6 address given as its upper and lower 64 bits. */
    public V lookupIpv6(long hi, long lo) { return matchValue(v6, hi, lo, 128); }

    /** Longest match for the 4 address bytes at {@code off}. */
    public V lookupIpv4(MemorySegment s, long off) { return lookupIpv4(Bytes.i32(s, off)); }

    /** Longest match for the 16 address bytes at {@code off}. */
    public V lookupIpv6(MemorySegment s, long off) { return lookupIpv6(Bytes.i64(s, off), Bytes.i64(s, off + 8)); }

    /**
     * Longest match for the destination address of the IPv4 or IPv6 packet at {@code ipOff}; null if nothing
     * matches or the version is neither 4 nor 6. The caller has checked the packet is long enough
     * ({@link IpPacket#validate}).
     */
    public V lookupDestination(MemorySegment s, long ipOff) {
        return switch (IpPacket.version(s, ipOff)) {
            case 4 -> lookupIpv4(s, ipOff + Ipv4.OFF_DST);
            case 6 -> lookupIpv6(s, ipOff + Ipv6.OFF_DST);
            default -> null;
        };
    }

    /** Longest match for the source address of the packet at {@code ipOff} (e.g. anti-spoofing checks). */
    public V lookupSource(MemorySegment s, long ipOff) {
        return switch (IpPacket.version(s, ipOff)) {
            case 4 -> lookupIpv4(s, ipOff + Ipv4.OFF_SRC);
            case 6 -> lookupIpv6(s, ipOff + Ipv6.OFF_SRC);
            default -> null;
        };
    }

    /**
     * The longest match whose value passes {@code test}, given {@code arg}; null if none does. E.g. the longest
     * prefix owned by someone other than a packet's sender. Allocation-free when {@code test} captures nothing
     * (pass the varying part as {@code arg}).
     */
    public <A> V lookupIpv4(int address, BiPredicate<? super V, ? super A> test, A arg) {
        return matchValue(v4, (long) address << 32, 0, 32, test, arg);
    }

    /** IPv6 form of {@link #lookupIpv4(int, BiPredicate, Object)}. */
    public <A> V lookupIpv6(long hi, long lo, BiPredicate<? super V, ? super A> test, A arg) {
        return matchValue(v6, hi, lo, 128, test, arg);
    }

    /** The shortest (least specific) prefix containing the IPv4 address, or null. */
    public V shortestMatchIpv4(int address) { return firstValue(v4, (long) address << 32, 0, 32); }

    /** The shortest (least specific) prefix containing the IPv6 address, or null. */
    public V shortestMatchIpv6(long hi, long lo) { return firstValue(v6, hi, lo, 128); }

    /** The longest prefix containing {@code address} (4 or 16 bytes), or null. */
    public Cidr matchingPrefix(byte[] address) {
        Node<V> n;
        if (address.length == 4) n = match(v4, (long) Ipv4.toInt(address) << 32, 0, 32);
        else if (address.length == 16) n = match(v6, hi(address), lo(address), 128);
        else throw new IllegalArgumentException("address must have 4 or 16 bytes, got " + address.length);
        return n == null ? null : n.prefix;
    }

    // ---- iteration ----

    /** Visits every prefix: IPv4 before IPv6, each in {@link Cidr#compareTo} order. */
    public void forEach(BiConsumer<? super Cidr, ? super V> action) {
        walk(v4, action);
        walk(v6, action);
    }

    /** A snapshot of all entries in {@link #forEach} order. */
    public List<Map.Entry<Cidr, V>> entries() {
        List<Map.Entry<Cidr, V>> out = new ArrayList<>(size);
        forEach((c, v) -> out.add(new AbstractMap.SimpleImmutableEntry<>(c, v)));
        return out;
    }

    /** An independent table with the same entries (values are shared, not cloned). */
    public RouteTable<V> copy() {
        RouteTable<V> t = new RouteTable<>();
        forEach(t::put);
        return t;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        forEach((c, v) -> sb.append(sb.length() > 1 ? ", " : "").append(c).append('=').append(v));
        return sb.append('}').toString();
    }

    // ---- trie internals: keys are 128-bit (hi, lo); IPv4 uses the top 32 bits of hi ----

    private Node<V> root(Cidr c) { return c.isIpv4() ? v4 : v6; }

    private Node<V> find(Cidr prefix) {
        Cidr net = prefix.network();
        byte[] a = net.addressBytes();
        long hi = hi(a), lo = lo(a);
        int len = net.prefixLength();
        Node<V> n = root(net);
        while (n != null && n.len < len && matches(n, hi, lo)) n = n.child(bit(hi, lo, n.len));
        return n != null && n.len == len && matches(n, hi, lo) ? n : null;
    }

    private static <V> V matchValue(Node<V> root, long hi, long lo, int maxLen) {
        V best = null;
        Node<V> n = root;
        while (n != null && matches(n, hi, lo)) {
            V v = n.value; // read once: a concurrent remove may clear it
            if (v != null) best = v;
            if (n.len == maxLen) break;
            n = n.child(bit(hi, lo, n.len));
        }
        return best;
    }

    private static <V, A> V matchValue(Node<V> root, long hi, long lo, int maxLen,
                                       BiPredicate<? super V, ? super A> test, A arg) {
        V best = null;
        Node<V> n = root;
        while (n != null && matches(n, hi, lo)) {
            V v = n.value;
            if (v != null && test.test(v, arg)) best = v;
            if (n.len == maxLen) break;
            n = n.child(bit(hi, lo, n.len));
        }
        return best;
    }

    private static <V> V firstValue(Node<V> root, long hi, long lo, int maxLen) {
        Node<V> n = root;
        while (n != null && matches(n, hi, lo)) {
            V v = n.value;
            if (v != null) return v;
            if (n.len == maxLen) break;
            n = n.child(bit(hi, lo, n.len));
        }
        return null;
    }

    private static <V> Node<V> match(Node<V> root, long hi, long lo, int maxLen) {
        Node<V> best = null;
        Node<V> n = root;
        while (n != null && matches(n, hi, lo)) {
            if (n.value != null) best = n;
            if (n.len == maxLen) break;
            n = n.child(bit(hi, lo, n.len));
        }
        return best;
    }

    private V insert(Node<V> n, long hi, long lo, int len, Cidr net, V value, boolean replace) {
        while (true) {
            // invariant: n's key is a prefix of the new key and n.len <= len
            if (n.len == len) {
                V old = n.value;
                if (old == null) size = size + 1;
                if (old == null || replace) {
                    n.prefix = net;
                    n.value = value;
                }
                return old;
            }
            int b = bit(hi, lo, n.len);
            Node<V> c = n.child(b);
            if (c == null) {
                n.child(b, leaf(hi, lo, len, net, value));
                return null;
            }
            int common = Math.min(commonPrefix(hi, lo, c.hi, c.lo), Math.min(len, c.len));
            if (common == c.len) {
                n = c;
                continue;
            }
            Node<V> k;
            if (common == len) {
                // the new prefix sits between n and c
                k = leaf(hi, lo, len, net, value);
                k.child(bit(c.hi, c.lo, len), c);
            } else {
                // the keys diverge below both: a valueless branch node holds the shared bits
                k = new Node<>(hi & maskHi(common), lo & maskLo(common), common);
                k.child(bit(c.hi, c.lo, common), c);
                k.child(bit(hi, lo, common), leaf(hi, lo, len, net, value));
            }
            n.child(b, k);
            return null;
        }
    }

    private Node<V> leaf(long hi, long lo, int len, Cidr net, V value) {
        Node<V> k = new Node<>(hi, lo, len);
        k.value = value;
        k.prefix = net;
        size = size + 1;
        return k;
    }

    private static <V> void walk(Node<V> n, BiConsumer<? super Cidr, ? super V> action) {
        if (n == null) return;
        V v = n.value;
        if (v != null) action.accept(n.prefix, v);
        walk(n.zero, action);
        walk(n.one, action);
    }

    private static boolean matches(Node<?> n, long hi, long lo) {
        return ((hi ^ n.hi) & n.maskHi) == 0 && ((lo ^ n.lo) & n.maskLo) == 0;
    }

    private static int bit(long hi, long lo, int i) {
        return (int) (i < 64 ? hi >>> (63 - i) : lo >>> (127 - i)) & 1;
    }

    private static int commonPrefix(long hi1, long lo1, long hi2, long lo2) {
        long x = hi1 ^ hi2;
        return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
    }

    private static long maskHi(int len) {
        return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
    }

    private static long maskLo(int len) {
        return len <= 64 ? 0 : -1L << (128 - len);
    }

    private static long hi(byte[] a) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (i < a.length ? a[i] & 0xff : 0);
        return v;
    }

    private static long lo(byte[] a) {
        long v = 0;
        for (int i = 8; i < 16; i++) v = v << 8 | (i < a.length ? a[i] & 0xff : 0);
        return v;
    }
}
