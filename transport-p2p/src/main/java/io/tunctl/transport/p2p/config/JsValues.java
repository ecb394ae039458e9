package io.tunctl.transport.p2p.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;

/**
 * How nospoon's JavaScript reads a config value: truthiness, {@code String(v)} and {@code parseInt(s, 10)}. Kept apart
 * so the parity rules are visible (and testable) in one place; I/O-free.
 */
final class JsValues {
    private JsValues() {}

    /** JavaScript truthiness of a JSON value ({@code undefined} = missing). */
    static boolean truthy(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return false;
        if (n.isBoolean()) return n.booleanValue();
        if (n.isNumber()) return n.doubleValue() != 0;
        if (n.isTextual()) return !n.textValue().isEmpty();
        return true; // arrays and objects, even empty ones
    }

    /** The number of own enumerable keys {@code Object.keys(v)} sees (a string's characters count). */
    static int ownKeys(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return 0;
        if (n.isObject() || n.isArray()) return n.size();
        if (n.isTextual()) return n.textValue().length();
        return 0;
    }

    /** {@code String(v)}, enough for what nospoon parses from it (numbers as their integer part where it matters). */
    static String string(JsonNode n) {
        if (n == null || n.isMissingNode()) return "undefined";
        if (n.isNull()) return "null";
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return String.valueOf(n.booleanValue());
        if (n.isIntegralNumber()) return n.bigIntegerValue().toString();
        if (n.isNumber()) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e21) return new java.math.BigDecimal(d).toBigInteger().toString();
            return Double.toString(d); // only the part before '.' or 'E' is ever parsed
        }
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) sb.append(',');
                JsonNode e = n.get(i);
                if (!e.isNull()) sb.append(string(e));
            }
            return sb.toString();
        }
        return "[object Object]";
    }

    /**
     * {@code parseInt(s, 10)}: leading white space, an optional sign, then the longest run of decimal digits; null
     * for NaN (no digit). Values beyond the int range come back clamped, which keeps every range check right.
     */
    static Integer parseInt(String s) {
        int i = 0;
        while (i < s.length() && isJsSpace(s.charAt(i))) i++;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == start) return null;
        BigInteger v = new BigInteger(s.substring(start, i));
        if (negative) v = v.negate();
        if (v.bitLength() > 31) return v.signum() < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        return v.intValue();
    }

    private static boolean isJsSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF';
    }
}
