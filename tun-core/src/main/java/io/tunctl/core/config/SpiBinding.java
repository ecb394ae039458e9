package io.tunctl.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the core's value types appear in config files. They carry no Jackson annotations themselves: the plain ones
 * ({@link Cidr}, {@link RouteSpec}, {@link InterfaceSpec}) get theirs from the mix-ins here, and {@link RuleSpec},
 * whose selectors have their own syntax ({@code dport: 1000-2000}, {@code ipproto: tcp}), has a deserializer
 * that reports each bad value at its own key.
 */
final class SpiBinding {
    private SpiBinding() {}

    /** Registered on every mapper {@link ConfigDocument} binds with. */
    static SimpleModule module() {
        SimpleModule m = new SimpleModule("tunctl-core-config");
        m.setMixInAnnotation(Cidr.class, CidrMixIn.class);
        m.setMixInAnnotation(RouteSpec.class, RouteSpecMixIn.class);
        m.setMixInAnnotation(InterfaceSpec.class, InterfaceSpecMixIn.class);
        m.addDeserializer(RuleSpec.class, new RuleSpecDeserializer());
        return m;
    }

    /** {@code "192.0.2.1/24"}. */
    abstract static class CidrMixIn {
        @JsonCreator
        static Cidr parse(String text) {
            throw new AssertionError("mix-in");
        }

        @JsonValue
        @Override
        public abstract String toString();
    }

    /** {@code {to, via, metric, table}}, or a bare prefix string for a device route. */
    abstract static class RouteSpecMixIn {
        @JsonProperty("to")
        Cidr destination;

        @JsonCreator
        RouteSpecMixIn(@JsonProperty("to") Cidr destination, @JsonProperty("via") String via,
                       @JsonProperty("metric") Integer metric, @JsonProperty("table") Integer table) {}

        @JsonCreator
        static RouteSpec parse(String destination) {
            throw new AssertionError("mix-in");
        }

        @JsonProperty("to")
        abstract Cidr destination();
    }

    /** The {@code interface} section; {@code offload} is {@code vnetHdr}. */
    abstract static class InterfaceSpecMixIn {
        @JsonProperty("offload")
        Boolean vnetHdr;

        @JsonCreator
        InterfaceSpecMixIn(@JsonProperty("name") String name, @JsonProperty("mtu") Integer mtu,
                           @JsonProperty("addresses") List<Cidr> addresses,
                           @JsonProperty("routes") List<RouteSpec> routes,
                           @JsonProperty("rules") List<RuleSpec> rules,
                           @JsonProperty("offload") Boolean vnetHdr,
                           @JsonProperty("queues") Integer queues,
                           @JsonProperty("io") String io) {}

        @JsonProperty("offload")
        abstract Boolean vnetHdr();
    }

    /**
     * One entry of {@code interface.rules}, keyed as {@code ip rule} words its selectors:
     * <pre>{@code
     * {family: 4, invert: true, fwmark: 0x51820, mask: 0xffff, from: 192.0.2.0/24, to: 198.51.100.0/24,
     *  iif: lo, oif: eth0, ipproto: tcp, sport: 1024-65534, dport: 443, uidrange: 1000-1999,
     *  suppress_prefixlength: 0, priority: 100, table: 1000}
     * }</pre>
     * {@code family} and {@code table} are required. A bad value fails with the path of its key, so the message is
     * located at that key's line and column.
     */
    static final class RuleSpecDeserializer extends StdDeserializer<RuleSpec> {
        private static final long serialVersionUID = 1L;

        static final List<String> FIELDS = List.of("dport", "family", "fwmark", "from", "iif", "invert", "ipproto",
                "mask", "oif", "priority", "sport", "suppress_prefixlength", "table", "to", "uidrange");
        private static final Map<String, Long> TABLES = Map.of("default", 253L, "main", 254L, "local", 255L);

        RuleSpecDeserializer() {
            super(RuleSpec.class);
        }

        @Override
        public RuleSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode n = ctxt.readTree(p);
            if (!n.isObject()) {
                throw JsonMappingException.from(p, "a rule is an object, e.g. {family: 4, fwmark: 0x51820, table: 1000}");
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    // from() puts the field on the path, so the problem is located at its key
                    throw UnrecognizedPropertyException.from(p, RuleSpec.class, f, new ArrayList<>(FIELDS));
                }
            }
            int family = at(p, "family", () -> {
                JsonNode v = value(n, "family");
                long f = v == null ? 0 : number(v, "family must be 4 or 6");
                if (f != 4 && f != 6) throw new IllegalArgumentException("family must be 4 or 6");
                return (int) f;
            });
            int table = at(p, "table", () -> {
                JsonNode v = value(n, "table");
                long t = v == null ? 0 : table(v);
                if (t < 1 || t > 0xffffffffL) throw new IllegalArgumentException("a rule needs 'table' (1..4294967295)");
                return (int) t;
            });
            RuleSpec.Builder b = at(p, "family", () -> RuleSpec.builder(family, table));
            Long mask = at(p, "mask", () -> {
                JsonNode v = value(n, "mask");
                if (v != null && value(n, "fwmark") == null) throw new IllegalArgumentException("mask needs fwmark");
                return v == null ? null : u32(v, "mask");
            });
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String key = e.getKey();
                JsonNode v = e.getValue();
                if (v.isNull() || key.equals("family") || key.equals("table") || key.equals("mask")) continue;
                at(p, key, () -> set(b, key, v, mask));
            }
            return at(p, "", b::build);
        }

        private static Object set(RuleSpec.Builder b, String key, JsonNode v, Long mask) {
            return switch (key) {
                case "priority" -> b.priority((int) number(v, 0, Integer.MAX_VALUE, "priority"));
                case "invert" -> {
                    if (!v.isBoolean()) throw new IllegalArgumentException("invert must be true or false");
                    yield b.invert(v.booleanValue());
                }
                case "fwmark" -> b.fwmark(u32(v, "fwmark"), mask);
                case "from" -> b.from(prefix(v, "from"));
                case "to" -> b.to(prefix(v, "to"));
                case "iif" -> b.iif(text(v, "iif"));
                case "oif" -> b.oif(text(v, "oif"));
                case "ipproto" -> b.ipProto(v.isIntegralNumber()
                        ? (int) number(v, 1, 255, "ipproto") : RuleSpec.parseIpProto(text(v, "ipproto")));
                case "sport" -> b.sport(v.isIntegralNumber()
                        ? RuleSpec.PortRange.of((int) number(v, 0, 65535, "sport"))
                        : RuleSpec.PortRange.parse(text(v, "sport")));
                case "dport" -> b.dport(v.isIntegralNumber()
                        ? RuleSpec.PortRange.of((int) number(v, 0, 65535, "dport"))
                        : RuleSpec.PortRange.parse(text(v, "dport")));
                case "uidrange" -> b.uidRange(v.isIntegralNumber()
                        ? RuleSpec.UidRange.of(number(v, 0, 0xffffffffL, "uidrange"))
                        : RuleSpec.UidRange.parse(text(v, "uidrange")));
                case "suppress_prefixlength" -> b.suppressPrefixLength((int) number(v, 0, 128,
                        "suppress_prefixlength"));
                default -> throw new IllegalStateException("unhandled rule field " + key);
            };
        }

        /** A present, non-null value, or null. */
        private static JsonNode value(JsonNode rule, String key) {
            JsonNode v = rule.get(key);
            return v == null || v.isNull() ? null : v;
        }

        private static long table(JsonNode v) {
            if (v.isTextual()) {
                Long named = TABLES.get(v.textValue().strip().toLowerCase(Locale.ROOT));
                if (named != null) return named;
            }
            try {
                return number(v, "");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("table must be 1..4294967295 or main, default, local, not "
                        + v);
            }
        }

        /** A mark or mask: 32 bits, often written in hex. */
        private static long u32(JsonNode v, String what) {
            long n = number(v, what + " must be a number, not " + v);
            if (n < 0 || n > 0xffffffffL) {
                throw new IllegalArgumentException(what + " is 32 bits (0..0xffffffff), not " + n);
            }
            return n;
        }

        /** A whole number in {@code [min, max]}, written as a number or as decimal or 0x-hex text. */
        private static long number(JsonNode v, long min, long max, String what) {
            long n = number(v, what + " must be a number " + min + ".." + max + ", not " + v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " " + n + " out of range " + min + ".." + max);
            }
            return n;
        }

        private static long number(JsonNode v, String bad) {
            if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
            if (v.isTextual()) {
                String s = v.textValue().strip().toLowerCase(Locale.ROOT);
                try {
                    if (s.startsWith("0x") && s.length() > 2 && s.length() <= 18) return Long.parseLong(s.substring(2), 16);
                    if (!s.isEmpty() && s.length() <= 18 && s.chars().allMatch(Character::isDigit)) return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    // falls through to the error below
                }
            }
            throw new IllegalArgumentException(bad);
        }

        private static String text(JsonNode v, String what) {
            if (!v.isTextual() && !v.isNumber()) throw new IllegalArgumentException(what + " must be text, not " + v);
            return v.asText();
        }

        /** A prefix; {@code all} is no selector, as in {@code ip rule}. */
        private static Cidr prefix(JsonNode v, String what) {
            String s = text(v, what).strip();
            return s.equalsIgnoreCase("all") ? null : Cidr.parse(s);
        }

        @FunctionalInterface
        interface Step<T> {
            T run();
        }

        /** Runs {@code step}; an {@link IllegalArgumentException} becomes a mapping error at {@code key}. */
        private static <T> T at(JsonParser p, String key, Step<T> step) throws JsonMappingException {
            try {
                return step.run();
            } catch (IllegalArgumentException e) {
                JsonMappingException m = JsonMappingException.from(p, e.getMessage(), e);
                if (!key.isEmpty()) m.prependPath(RuleSpec.class, key);
                throw m;
            }
        }
    }
}
