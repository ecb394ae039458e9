package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.util.Locale;
import java.util.Map;

/**
 * A policy routing rule ({@code ip rule}): packets that match every selector given look up {@code table}.
 * A selector left null matches everything; a rule with none matches all packets of its family. {@code invert}
 * makes it {@code not ...}: the rule then applies to packets that do <em>not</em> match (wg-quick's
 * {@code not fwmark M lookup T} keeps the tunnel's own, marked, traffic out of the tunnel's table).
 *
 * <p>Build one with {@link #builder(int, int)}, or with the constructor of the plain fwmark rule
 * ({@link #RuleSpec(int, long, Long, int, Integer, boolean)}). Every value is checked when the rule is made;
 * a bad one is an {@link IllegalArgumentException} that names the field.
 *
 * @param family               4 or 6
 * @param priority             rule priority ({@code pref}, lower first), or null for the kernel's choice
 * @param invert               {@code not}: apply the rule to packets that do not match the selectors
 * @param fwmark               firewall mark to match (32 bits), or null for any
 * @param mask                 mask applied to the packet's mark before comparing (32 bits), or null for all bits
 * @param from                 source prefix of {@code family}, or null for any
 * @param to                   destination prefix of {@code family}, or null for any
 * @param iif                  input interface name ({@code lo} matches locally generated packets), or null
 * @param oif                  output interface name (sockets bound to it), or null
 * @param ipProto              IP protocol number 1..255 (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp), or null for any
 * @param sport                source port range (needs a protocol with ports), or null
 * @param dport                destination port range, or null
 * @param uidRange             range of socket owner uids, or null
 * @param suppressPrefixLength reject a lookup result whose prefix is this long or shorter (with {@code lookup main},
 *                             0 ignores main's default route), or null
 * @param table                routing table id, unsigned 32 bits, not 0 (254 is main)
 */
public record RuleSpec(
        int family,
        Integer priority,
        boolean invert,
        Long fwmark,
        Long mask,
        Cidr from,
        Cidr to,
        String iif,
        String oif,
        Integer ipProto,
        PortRange sport,
        PortRange dport,
        UidRange uidRange,
        Integer suppressPrefixLength,
        int table) {

    /** Protocol names {@code ip rule} prints and accepts, as in {@code /etc/protocols}. */
    private static final Map<String, Integer> PROTOCOLS = Map.ofEntries(
            Map.entry("icmp", 1), Map.entry("igmp", 2), Map.entry("tcp", 6), Map.entry("udp", 17),
            Map.entry("ipv6", 41), Map.entry("gre", 47), Map.entry("esp", 50), Map.entry("ah", 51),
            Map.entry("ipv6-icmp", 58), Map.entry("sctp", 132), Map.entry("udplite", 136));

    public RuleSpec {
        checkFamily(family);
        checkTable(table);
        if (priority != null && priority < 0) {
            throw new IllegalArgumentException("priority must be 0.." + Integer.MAX_VALUE + ", not " + priority);
        }
        checkU32("fwmark", fwmark);
        checkU32("mask", mask);
        if (mask != null && fwmark == null) throw new IllegalArgumentException("mask needs fwmark");
        from = prefix("from", family, from);
        to = prefix("to", family, to);
        checkInterfaceName("iif", iif);
        checkInterfaceName("oif", oif);
        if (ipProto != null && (ipProto < 1 || ipProto > 255)) {
            throw new IllegalArgumentException("ipproto must be 1..255, not " + ipProto);
        }
        checkSuppressPrefixLength(family, suppressPrefixLength);
    }

    /**
     * The fwmark rule tapotun and wg-quick add: {@code [not] fwmark M[/MASK] lookup T [priority P]}.
     *
     * @param fwmark the mark (32 bits); 0 without a mask matches every packet, as {@code ip rule} has it
     */
    public RuleSpec(int family, long fwmark, Long mask, int table, Integer priority, boolean invert) {
        this(family, priority, invert, fwmark, mask, null, null, null, null, null, null, null, null, null, table);
    }

    /** A rule of {@code family} that looks up {@code table}; add selectors on the builder. */
    public static Builder builder(int family, int table) {
        return new Builder(family, table);
    }

    /** A builder holding this rule's values. */
    public Builder toBuilder() {
        Builder b = new Builder(family, table);
        b.priority = priority;
        b.invert = invert;
        b.fwmark = fwmark;
        b.mask = mask;
        b.from = from;
        b.to = to;
        b.iif = iif;
        b.oif = oif;
        b.ipProto = ipProto;
        b.sport = sport;
        b.dport = dport;
        b.uidRange = uidRange;
        b.suppressPrefixLength = suppressPrefixLength;
        return b;
    }

    /** This rule with {@code priority} (null: the kernel's choice). */
    public RuleSpec withPriority(Integer priority) {
        return toBuilder().priority(priority).build();
    }

    /**
     * The IP protocol number of {@code text}: a number 1..255 or a name ({@code tcp}, {@code udp}, {@code icmp},
     * {@code ipv6-icmp} or {@code icmpv6}, {@code sctp}, {@code gre}, {@code esp}, {@code ah}, {@code udplite},
     * {@code igmp}, {@code ipv6}).
     */
    public static int parseIpProto(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int n = s.length() > 3 ? 256 : Integer.parseInt(s);
            if (n < 1 || n > 255) throw new IllegalArgumentException("ipproto must be 1..255, not " + text.strip());
            return n;
        }
        if (s.equals("icmpv6")) return 58;
        Integer n = PROTOCOLS.get(s);
        if (n == null) {
            throw new IllegalArgumentException("unknown protocol '" + text.strip() + "' (a number 1..255 or one of "
                    + PROTOCOLS.keySet().stream().sorted().toList() + ")");
        }
        return n;
    }

    /** The name {@code ip rule} prints for protocol {@code n}, or the number. */
    public static String ipProtoName(int n) {
        for (Map.Entry<String, Integer> e : PROTOCOLS.entrySet()) if (e.getValue() == n) return e.getKey();
        return Integer.toString(n);
    }

    /** In the order {@code ip rule} prints a rule. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ipv").append(family);
        if (priority != null) b.append(" priority ").append(priority);
        if (invert) b.append(" not");
        b.append(" from ").append(from == null ? "all" : from);
        if (to != null) b.append(" to ").append(to);
        if (fwmark != null) {
            b.append(" fwmark 0x").append(Long.toHexString(fwmark));
            if (mask != null) b.append("/0x").append(Long.toHexString(mask));
        }
        if (iif != null) b.append(" iif ").append(iif);
        if (oif != null) b.append(" oif ").append(oif);
        if (uidRange != null) b.append(" uidrange ").append(uidRange);
        if (ipProto != null) b.append(" ipproto ").append(ipProtoName(ipProto));
        if (sport != null) b.append(" sport ").append(sport);
        if (dport != null) b.append(" dport ").append(dport);
        b.append(" lookup ").append(Integer.toUnsignedString(table));
        if (suppressPrefixLength != null) b.append(" suppress_prefixlength ").append(suppressPrefixLength);
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------ checks

    private static void checkFamily(int family) {
        if (family != 4 && family != 6) throw new IllegalArgumentException("family must be 4 or 6, not " + family);
    }

    private static void checkTable(int table) {
        if (table == 0) throw new IllegalArgumentException("a rule needs 'table' (1..4294967295)");
    }

    private static void checkU32(String what, Long v) {
        if (v != null && (v < 0 || v > 0xffffffffL)) {
            throw new IllegalArgumentException(what + " is 32 bits (0..0xffffffff), not " + v);
        }
    }

    /** The network of {@code p}, or null for none or {@code /0} (which matches all, as no selector does). */
    private static Cidr prefix(String what, int family, Cidr p) {
        if (p == null) return null;
        if (p.isIpv4() != (family == 4)) {
            throw new IllegalArgumentException(what + " " + p + " is IPv" + (p.isIpv4() ? 4 : 6)
                    + " but the rule is IPv" + family);
        }
        return p.prefixLength() == 0 ? null : p.network();
    }

    /** As the kernel's {@code dev_valid_name}: 1..15 bytes, no '/', ':' or white space, not "." or "..". */
    private static void checkInterfaceName(String what, String name) {
        if (name == null) return;
        if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c > 0x7e)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not an interface name (1-15 characters, no"
                    + " '/', ':' or spaces)");
        }
    }

    private static void checkSuppressPrefixLength(int family, Integer n) {
        int max = family == 4 ? 32 : 128;
        if (n != null && (n < 0 || n > max)) {
            throw new IllegalArgumentException("suppress_prefixlength must be 0.." + max + " for IPv" + family
                    + ", not " + n);
        }
    }

    // ------------------------------------------------------------------------------------------ value types

    /**
     * An inclusive port range, as {@code struct fib_rule_port_range}. The kernel takes ports 1..65534 only.
     *
     * @param start first port
     * @param end   last port, not before {@code start}
     */
    public record PortRange(int start, int end) {
        public PortRange {
            if (start < 1 || start > 65534 || end < 1 || end > 65534) {
                throw new IllegalArgumentException("port " + (start < 1 || start > 65534 ? start : end)
                        + " out of range: a rule matches ports 1..65534");
            }
            if (start > end) {
                throw new IllegalArgumentException("port range " + start + "-" + end + " ends before it starts");
            }
        }

        public static PortRange of(int port) {
            return new PortRange(port, port);
        }

        /** {@code 53} or {@code 1000-2000}. */
        public static PortRange parse(String text) {
            long[] r = parseRange(text, "port range", 65535);
            return new PortRange((int) r[0], (int) r[1]);
        }

        @Override
        public String toString() {
            return start == end ? Integer.toString(start) : start + "-" + end;
        }
    }

    /**
     * An inclusive range of socket owner uids, as {@code struct fib_rule_uid_range}.
     *
     * @param start first uid
     * @param end   last uid, not before {@code start}; at most 4294967294 (-1 is no uid)
     */
    public record UidRange(long start, long end) {
        public UidRange {
            if (start < 0 || start > 0xfffffffeL || end < 0 || end > 0xfffffffeL) {
                throw new IllegalArgumentException("uid " + (start < 0 || start > 0xfffffffeL ? start : end)
                        + " out of range 0..4294967294");
            }
            if (start > end) {
                throw new IllegalArgumentException("uid range " + start + "-" + end + " ends before it starts");
            }
        }

        public static UidRange of(long uid) {
            return new UidRange(uid, uid);
        }

        /** {@code 1000} or {@code 1000-1999}. */
        public static UidRange parse(String text) {
            long[] r = parseRange(text, "uid range", 0xffffffffL);
            return new UidRange(r[0], r[1]);
        }

        @Override
        public String toString() {
            return start + "-" + end; // ip rule prints both ends even for one uid
        }
    }

    /** {@code N} or {@code N-M} of decimal numbers up to {@code max}; range checks are the caller's. */
    private static long[] parseRange(String text, String what, long max) {
        String s = text.strip();
        int dash = s.indexOf('-', 1);
        String a = dash < 0 ? s : s.substring(0, dash).strip();
        String b = dash < 0 ? s : s.substring(dash + 1).strip();
        if (!isNumber(a) || !isNumber(b)) {
            throw new IllegalArgumentException("bad " + what + " '" + s + "' (want N or N-M)");
        }
        long lo = a.length() > 10 ? Long.MAX_VALUE : Long.parseLong(a);
        long hi = b.length() > 10 ? Long.MAX_VALUE : Long.parseLong(b);
        return new long[] {Math.min(lo, max + 1), Math.min(hi, max + 1)};
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    // ------------------------------------------------------------------------------------------ builder

    /**
     * Collects a rule's selectors. Family and table are fixed when the builder is made, so each setter checks its
     * value against them at once and a bad value fails right where it is given.
     */
    public static final class Builder {
        private final int family;
        private int table;
        private Integer priority;
        private boolean invert;
        private Long fwmark;
        private Long mask;
        private Cidr from;
        private Cidr to;
        private String iif;
        private String oif;
        private Integer ipProto;
        private PortRange sport;
        private PortRange dport;
        private UidRange uidRange;
        private Integer suppressPrefixLength;

        private Builder(int family, int table) {
            checkFamily(family);
            checkTable(table);
            this.family = family;
            this.table = table;
        }

        public Builder table(int t) {
            checkTable(t);
            table = t;
            return this;
        }

        public Builder priority(Integer p) {
            if (p != null && p < 0) throw new IllegalArgumentException("priority must be 0.." + Integer.MAX_VALUE);
            priority = p;
            return this;
        }

        /** {@code not}: the rule applies to packets that do not match. */
        public Builder invert(boolean on) {
            invert = on;
            return this;
        }

        /** Matches packets whose mark equals {@code mark} (all 32 bits). */
        public Builder fwmark(long mark) {
            checkU32("fwmark", mark);
            fwmark = mark;
            mask = null;
            return this;
        }

        /** Matches packets whose mark ANDed with {@code mask} equals {@code mark}. */
        public Builder fwmark(long mark, Long mask) {
            checkU32("fwmark", mark);
            checkU32("mask", mask);
            fwmark = mark;
            this.mask = mask;
            return this;
        }

        public Builder from(Cidr prefix) {
            from = prefix("from", family, prefix);
            return this;
        }

        public Builder to(Cidr prefix) {
            to = prefix("to", family, prefix);
            return this;
        }

        public Builder iif(String name) {
            checkInterfaceName("iif", name);
            iif = name;
            return this;
        }

        public Builder oif(String name) {
            checkInterfaceName("oif", name);
            oif = name;
            return this;
        }

        /** An IP protocol number 1..255 ({@link #parseIpProto} reads names). */
        public Builder ipProto(Integer proto) {
            if (proto != null && (proto < 1 || proto > 255)) {
                throw new IllegalArgumentException("ipproto must be 1..255, not " + proto);
            }
            ipProto = proto;
            return this;
        }

        public Builder sport(PortRange range) {
            sport = range;
            return this;
        }

        public Builder dport(PortRange range) {
            dport = range;
            return this;
        }

        public Builder uidRange(UidRange range) {
            uidRange = range;
            return this;
        }

        public Builder suppressPrefixLength(Integer length) {
            checkSuppressPrefixLength(family, length);
            suppressPrefixLength = length;
            return this;
        }

        public RuleSpec build() {
            return new RuleSpec(family, priority, invert, fwmark, mask, from, to, iif, oif, ipProto, sport, dport,
                    uidRange, suppressPrefixLength, table);
        }
    }
}
