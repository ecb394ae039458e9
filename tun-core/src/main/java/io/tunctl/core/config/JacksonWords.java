package io.tunctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Puts Jackson's findings in the words of a config file: the expected form, never a Java type. */
final class JacksonWords {
    private JacksonWords() {}

    /** Backticked names (`java.util.ArrayList<…>`, `JsonToken.VALUE_NUMBER_INT`) and the source positions Jackson appends. */
    private static final Pattern TYPE = Pattern.compile("`[^`]*`");
    private static final Pattern SOURCE = Pattern.compile("\\s*at \\[Source:.*", Pattern.DOTALL);

    /** What a field of {@code type} takes, e.g. "a whole number", "a list". */
    static String expected(Class<?> type) {
        if (type == null) return "a different value";
        if (type.isArray() || Collection.class.isAssignableFrom(type)) return "a list";
        if (type == String.class || CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "text";
        }
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        if (Map.class.isAssignableFrom(type)) return "a section of names and values";
        return "a section (fields in braces or indented below the name)";
    }

    /** The value the file gave, in words: "the number 5", "the text 'x'", "a list". */
    static String given(Object value) {
        if (value instanceof JsonNode n) {
            if (n.isMissingNode()) return "what is there";
            if (n.isNull()) return "an empty value";
            if (n.isArray()) return "a list";
            if (n.isObject()) return "a section";
            if (n.isBoolean()) return n.asText();
            if (n.isNumber()) return "the number " + n.asText();
            return "'" + shorten(n.asText()) + "'";
        }
        if (value == null) return "an empty value";
        if (value instanceof Number) return "the number " + value;
        return "'" + shorten(value.toString()) + "'";
    }

    /** A Jackson message with its Java type names and source positions taken out. */
    static String clean(String message) {
        if (message == null) return "not valid here";
        String m = SOURCE.matcher(message).replaceAll("");
        int nl = m.indexOf('\n');
        if (nl > 0) m = m.substring(0, nl);
        m = TYPE.matcher(m).replaceAll("the value").replaceAll("\\s+\\(token the value\\)", "");
        return m.strip();
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
