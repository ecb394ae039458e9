package io.tunctl.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.IgnoredPropertyException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed config file that remembers where every value stood, so that problems found later (by Jackson
 * binding or by a provider's validation) are reported as {@code file:line:col: field: reason}.
 *
 * <p>JSON is read leniently the way hand-edited configs are written: {@code //} and {@code /* *}{@code /}
 * comments (JSONC) and trailing commas. Files ending in {@code .yaml} or {@code .yml}, or whose first
 * meaningful character is not '{' or '[', are read as YAML.
 */
public final class ConfigDocument {
    public enum Format { JSON, YAML }

    /** Each mapper is built on first use (a holder class each): a start reads one format, not both. */
    private static final class Json {
        static final JsonMapper MAPPER = strict(JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .addModule(SpiBinding.module())
                .build(), true);
    }

    private static final class Yaml {
        static final YAMLMapper MAPPER = strict(YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(SpiBinding.module())
                .build(), false);
    }

    /**
     * Jackson would turn {@code port: 8080.5} into 8080 and {@code "token": true} into "true". A fraction where a
     * whole number belongs is an error in both formats; in JSON, where quotes are explicit, so is a number or a
     * boolean where text belongs. YAML leaves scalars unquoted, so {@code password: 12345} stays text there. Both
     * read with {@link Limits#CONSTRAINTS}.
     */
    private static <M extends ObjectMapper> M strict(M mapper, boolean textMustBeQuoted) {
        mapper.getFactory().setStreamReadConstraints(Limits.CONSTRAINTS);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        if (textMustBeQuoted) {
            var text = mapper.coercionConfigFor(LogicalType.Textual);
            text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
            text.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
            text.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        }
        return mapper;
    }

    private static final String KEY = "#key";

    private final Path file;
    private final String text;
    private final Format format;
    private final JsonNode root;
    private final Map<String, int[]> locations;
    /** Values set from outside the file (see {@link #with}): pointer → what set it, e.g. {@code --mtu}. */
    private final Map<String, String> origins;

    private ConfigDocument(Path file, String text, Format format, JsonNode root, Map<String, int[]> locations,
                           Map<String, String> origins) {
        this.file = file;
        this.text = text;
        this.format = format;
        this.root = root;
        this.locations = locations;
        this.origins = origins;
    }

    /**
     * Reads and parses {@code file}; a syntax error becomes a located {@link ConfigException}. The file must be
     * UTF-8 (a UTF-8 byte-order mark is skipped); other bytes are reported by offset, line and column.
     */
    public static ConfigDocument read(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(new ConfigProblem(file, 0, 0, "", "no such file"));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(file, 0, 0, "", "cannot read: " + e.getMessage()));
        }
        return parse(file, Utf8Text.decode(file, bytes));
    }

    /** Parses {@code text}; {@code file} only names it in messages and picks the format by extension. */
    public static ConfigDocument parse(Path file, String text) throws ConfigException {
        Format format = guessFormat(file, text);
        ObjectMapper mapper = mapperFor(format);
        Map<String, int[]> locations = new HashMap<>();
        try (JsonParser p = mapper.createParser(text)) {
            recordLocations(file, p, locations);
        } catch (JsonProcessingException e) {
            throw new ConfigException(syntaxProblem(file, e));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(file, 0, 0, "", "cannot parse: " + e.getMessage()));
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(syntaxProblem(file, e));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(new ConfigProblem(file, 1, 1, "", "the file is empty"));
        }
        return new ConfigDocument(file, text, format, root, locations, Map.of());
    }

    private static ObjectMapper mapperFor(Format format) {
        return format == Format.YAML ? Yaml.MAPPER : Json.MAPPER;
    }

    private static Format guessFormat(Path file, String text) {
        String name = file == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return Format.YAML;
        if (name.endsWith(".json") || name.endsWith(".jsonc") || name.endsWith(".conf")) return Format.JSON;
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("//") || s.startsWith("/*") || s.startsWith("#")) continue;
            return s.startsWith("{") || s.startsWith("[") ? Format.JSON : Format.YAML;
        }
        return Format.JSON;
    }

    private static ConfigProblem syntaxProblem(Path file, JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        String reason = e instanceof StreamConstraintsException c ? Limits.describe(c)
                : "syntax error: " + JacksonWords.clean(e.getOriginalMessage());
        return new ConfigProblem(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(), "", reason);
    }

    /**
     * Walks the token stream once, remembering the start of every value by its JSON pointer. A key given twice in
     * one object and a second document (YAML {@code ---}, or a second JSON value) are errors: Jackson would keep the
     * last key and ignore the second document without a word.
     */
    private static void recordLocations(Path file, JsonParser p, Map<String, int[]> out) throws IOException, ConfigException {
        JsonToken t;
        int depth = 0;
        int documents = 0;
        while ((t = p.nextToken()) != null) {
            if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
                continue;
            }
            JsonLocation l = p.currentTokenLocation();
            // an empty document after the first (a trailing "---") holds nothing to lose
            if (depth == 0 && t != JsonToken.FIELD_NAME && ++documents > 1 && t != JsonToken.VALUE_NULL) {
                throw new ConfigException(new ConfigProblem(file, l.getLineNr(), l.getColumnNr(), "",
                        "a second document starts here; a config file holds one (merge the two, or use two files)"));
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) depth++;
            String pointer = p.getParsingContext().pathAsPointer().toString();
            int[] at = {l.getLineNr(), l.getColumnNr()};
            // a field's key is stored under "pointer#key", its value under "pointer"
            if (t == JsonToken.FIELD_NAME) {
                int[] first = out.putIfAbsent(pointer + KEY, at);
                if (first != null) {
                    throw new ConfigException(new ConfigProblem(file, at[0], at[1], fieldName(pointer),
                            "given twice (first at line " + first[0] + ", column " + first[1] + "); keep one"));
                }
            } else {
                out.putIfAbsent(pointer, at);
            }
        }
    }

    public Path file() { return file; }

    public String text() { return text; }

    public Format format() { return format; }

    public JsonNode root() { return root; }

    /** A problem at {@code pointer}, located at the nearest value that exists on that path. */
    public ConfigProblem problemAt(String pointer, String reason) {
        return problemAt(pointer, reason, false);
    }

    /** A problem with the key of the field at {@code pointer} (an unknown or misplaced field). */
    public ConfigProblem problemAtKey(String pointer, String reason) {
        return problemAt(pointer, reason, true);
    }

    private ConfigProblem problemAt(String pointer, String reason, boolean key) {
        for (String o = pointer; ; o = o.substring(0, Math.max(0, o.lastIndexOf('/')))) {
            String origin = origins.get(o);
            if (origin != null) return new ConfigProblem(file, 0, 0, fieldName(pointer), reason + " (given by " + origin + ")");
            if (o.isEmpty()) break;
        }
        String p = pointer;
        int[] loc = key ? locations.get(pointer + KEY) : null;
        if (loc != null) return new ConfigProblem(file, loc[0], loc[1], fieldName(pointer), reason);
        while (true) {
            loc = locations.get(p);
            if (loc != null || p.isEmpty()) break;
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
        if (loc == null) loc = new int[] {1, 1};
        return new ConfigProblem(file, loc[0], loc[1], fieldName(pointer), reason);
    }

    /**
     * A copy with {@code value} at {@code pointer} (objects on the way created; null removes the field), for settings
     * given outside the file such as command-line flags. A problem at that pointer, or below it, names
     * {@code origin} (e.g. {@code --mtu}) instead of a line of the file; every other value keeps its location.
     */
    public ConfigDocument with(String pointer, JsonNode value, String origin) {
        if (!root.isObject() || pointer.isEmpty() || !pointer.startsWith("/")) {
            throw new IllegalArgumentException("can only set a field below an object root, not '" + pointer + "'");
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = root.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode parent = copy;
        String[] parts = pointer.substring(1).split("/", -1);
        for (int i = 0; i < parts.length - 1; i++) {
            String part = parts[i].replace("~1", "/").replace("~0", "~");
            JsonNode next = parent.get(part);
            if (next == null || !next.isObject()) {
                if (value == null) return this; // nothing there to remove
                next = parent.putObject(part);
            }
            parent = (com.fasterxml.jackson.databind.node.ObjectNode) next;
        }
        String last = parts[parts.length - 1].replace("~1", "/").replace("~0", "~");
        if (value == null) parent.remove(last);
        else parent.set(last, value);
        Map<String, int[]> locs = new HashMap<>(locations);
        locs.keySet().removeIf(k -> k.equals(pointer) || k.startsWith(pointer + "/") || k.startsWith(pointer + KEY));
        Map<String, String> from = new HashMap<>(origins);
        from.keySet().removeIf(k -> k.startsWith(pointer + "/"));
        from.put(pointer, origin);
        return new ConfigDocument(file, text, format, copy, locs, Map.copyOf(from));
    }

    /** {@code /udp/peers/0/key} → {@code udp.peers[0].key}. */
    static String fieldName(String pointer) {
        if (pointer == null || pointer.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.substring(1).split("/", -1)) {
            String unescaped = part.replace("~1", "/").replace("~0", "~");
            if (!unescaped.isEmpty() && unescaped.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(unescaped).append(']');
            } else {
                if (sb.length() > 0) sb.append('.');
                sb.append(unescaped);
            }
        }
        return sb.toString();
    }

    /**
     * Binds the value at {@code pointer} to {@code type}. Unknown fields, wrong types and values rejected by
     * a {@code @JsonCreator} become located problems. The core's own types ({@code Cidr}, {@code InterfaceSpec},
     * {@code RouteSpec}, {@code RuleSpec}) bind as {@link SpiBinding} says, wherever they appear in {@code type}.
     */
    public <T> T bind(String pointer, Class<T> type) throws ConfigException {
        JsonNode node = pointer.isEmpty() ? root : root.at(pointer);
        if (node.isMissingNode()) {
            throw new ConfigException(problemAt(pointer, "missing section"));
        }
        // a section written with nothing under it (YAML "interface:") binds as an empty one, with its defaults,
        // rather than as null, which no caller expects
        if (node.isNull()) node = mapperFor(format).createObjectNode();
        ObjectMapper mapper = mapperFor(format);
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonMappingException e) {
            String at = pointer + pointerOf(e);
            boolean keyProblem = e instanceof UnrecognizedPropertyException || e instanceof IgnoredPropertyException;
            throw new ConfigException(problemAt(at, describe(e, root.at(at)), keyProblem));
        } catch (JsonProcessingException e) {
            throw new ConfigException(problemAt(pointer, JacksonWords.clean(e.getOriginalMessage())));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(problemAt(pointer, e.getMessage()));
        }
    }

    private static String pointerOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) sb.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
            else if (r.getIndex() >= 0) sb.append('/').append(r.getIndex());
        }
        return sb.toString();
    }

    private static String describe(JsonMappingException e, JsonNode given) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'"
                    + (u.getKnownPropertyIds() == null || u.getKnownPropertyIds().isEmpty() ? ""
                    : " (known: " + u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
        if (e instanceof IgnoredPropertyException i) return "field '" + i.getPropertyName() + "' is not allowed here";
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) return cause.getMessage();
        if (e instanceof InvalidFormatException f) {
            Object value = given != null && !given.isMissingNode() ? given : f.getValue();
            return "expected " + JacksonWords.expected(f.getTargetType()) + ", not " + JacksonWords.given(value);
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + JacksonWords.expected(m.getTargetType()) + ", not " + JacksonWords.given(given);
        }
        return JacksonWords.clean(e.getOriginalMessage());
    }

    /** Makes a located problem for a location Jackson reported directly (for providers that stream-parse). */
    public ConfigProblem problemAt(JsonLocation location, String field, String reason) {
        return new ConfigProblem(file, location.getLineNr(), location.getColumnNr(), field, reason);
    }
}
