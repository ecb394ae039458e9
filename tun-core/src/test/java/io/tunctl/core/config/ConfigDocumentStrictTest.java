package io.tunctl.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a config file may not do silently: repeat a key, hold two documents, carry bytes that are not UTF-8. */
class ConfigDocumentStrictTest {

    record Section(int mtu, List<String> names, boolean on, Map<String, String> tags) {}

    private static ConfigProblem problem(String file, String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocument.parse(Path.of(file), text));
        assertEquals(1, e.problems().size());
        return e.problems().getFirst();
    }

    private static ConfigProblem bindProblem(String file, String text) throws ConfigException {
        ConfigDocument doc = ConfigDocument.parse(Path.of(file), text);
        ConfigException e = assertThrows(ConfigException.class, () -> doc.bind("/s", Section.class));
        return e.problems().getFirst();
    }

    @Test
    void aKeyGivenTwiceIsAnErrorAtTheSecondWithTheFirstsLine() {
        ConfigProblem json = problem("f.json", "{\n  \"s\": {\"mtu\": 1400,\n    \"mtu\": 9000}\n}\n");
        assertEquals(3, json.line());
        assertEquals(5, json.column());
        assertEquals("s.mtu", json.field());
        assertEquals("given twice (first at line 2, column 9); keep one", json.reason());

        ConfigProblem yaml = problem("f.yaml", "s:\n  mtu: 1400\nt: 1\ns:\n  mtu: 9000\n");
        assertEquals(4, yaml.line());
        assertEquals("s", yaml.field());
        assertTrue(yaml.reason().startsWith("given twice (first at line 1"), yaml.reason());
    }

    @Test
    void theSameKeyInTwoObjectsOrListItemsIsFine() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("f.yaml"), "a:\n  - k: 1\n  - k: 2\nb:\n  k: 3\n");
        assertEquals(2, doc.root().at("/a/1/k").asInt());
    }

    @Test
    void aSecondDocumentIsAnErrorButATrailingSeparatorIsNot() throws Exception {
        ConfigProblem yaml = problem("f.yaml", "a: 1\n---\nb: 2\n");
        assertEquals(3, yaml.line());
        assertTrue(yaml.reason().startsWith("a second document starts here"), yaml.reason());
        ConfigProblem json = problem("f.json", "{\"a\": 1}\n{\"b\": 2}\n");
        assertEquals(2, json.line());
        assertTrue(json.reason().startsWith("a second document starts here"), json.reason());

        assertEquals(1, ConfigDocument.parse(Path.of("f.yaml"), "---\na: 1\n---\n").root().at("/a").asInt());
    }

    @Test
    void wrongTypesAreSaidInWordsWithoutJavaTypes() throws Exception {
        ConfigProblem list = bindProblem("f.yaml", "s:\n  names: 5\n");
        assertEquals("s.names", list.field());
        assertEquals("expected a list, not the number 5", list.reason());
        assertEquals("expected a whole number, not 'abc'", bindProblem("f.yaml", "s:\n  mtu: abc\n").reason());
        String bool = bindProblem("f.json", "{\"s\": {\"on\": [1]}}").reason();
        assertEquals("expected true or false, not a list", bool);
        String map = bindProblem("f.json", "{\"s\": {\"tags\": 3}}").reason();
        assertEquals("expected a section of names and values, not the number 3", map);
        String section = bindProblem("f.json", "{\"s\": [1, 2]}").reason();
        assertTrue(section.startsWith("expected a section"), section);
        for (String r : List.of(list.reason(), bool, map, section)) {
            assertFalse(r.contains("java.") || r.contains("`") || r.contains("Token"), r);
        }
    }

    record Named(String name, int port) {}

    @Test
    void nothingIsCoercedSilently() throws Exception {
        ConfigDocument fraction = ConfigDocument.parse(Path.of("f.yaml"), "s:\n  port: 8080.5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> fraction.bind("/s", Named.class));
        assertEquals("expected a whole number, not the number 8080.5", e.problems().getFirst().reason());
        ConfigDocument bool = ConfigDocument.parse(Path.of("f.json"), "{\"s\": {\"name\": true}}");
        e = assertThrows(ConfigException.class, () -> bool.bind("/s", Named.class));
        assertEquals("expected text, not true", e.problems().getFirst().reason());
        ConfigDocument number = ConfigDocument.parse(Path.of("f.json"), "{\"s\": {\"name\": 5}}");
        e = assertThrows(ConfigException.class, () -> number.bind("/s", Named.class));
        assertEquals("expected text, not the number 5", e.problems().getFirst().reason());
        // YAML has no quotes to tell: an unquoted number is text where text belongs
        assertEquals("12345", ConfigDocument.parse(Path.of("f.yaml"), "s:\n  name: 12345\n").bind("/s", Named.class).name());
    }

    @Test
    void anEmptySectionBindsWithItsDefaults() throws Exception {
        // found by ConfigDocumentFuzzer: "interface:" with nothing below bound as null, and validation hit it
        ConfigDocument doc = ConfigDocument.parse(Path.of("f.yaml"), "interface:\nother: 1\n");
        Named named = doc.bind("/interface", Named.class);
        assertEquals(null, named.name());
        assertEquals(0, named.port());
    }

    @Test
    void readLimitsAreSaidAsLimits() {
        ConfigProblem digits = problem("f.json", "{\"a\": " + "9".repeat(1200) + "}");
        assertTrue(digits.reason().startsWith("number too long: at most"), digits.reason());
        ConfigProblem deep = problem("f.json", "[".repeat(1200) + "]".repeat(1200));
        assertTrue(deep.reason().startsWith("nested too deep: at most"), deep.reason());
        assertFalse(deep.reason().contains("StreamReadConstraints"));
        // configs are a few levels deep: 65 levels is already refused, in both formats
        assertEquals("nested too deep: at most 64 levels", problem("f.json", "[".repeat(65) + "]".repeat(65)).reason());
        assertEquals("nested too deep: at most 64 levels", problem("f.yaml", "a: " + "[".repeat(65) + "]".repeat(65)).reason());
        assertEquals(ConfigDocument.Format.JSON, assertDoesNotThrow(() -> ConfigDocument.parse(Path.of("f.json"),
                "[".repeat(60) + "]".repeat(60))).format());
    }

    @Test
    void bytesThatAreNotUtf8AreNamedByOffsetLineAndColumn(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        byte[] head = "a: 1\nb: \"caf".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xe9; // latin-1 'é'
        bytes[head.length + 1] = '"';
        Files.write(f, bytes);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocument.read(f));
        ConfigProblem p = e.problems().getFirst();
        assertEquals(2, p.line());
        assertEquals(8, p.column());
        assertTrue(p.reason().startsWith("byte 0xe9 at offset 12 is not valid UTF-8"), p.reason());
    }

    @Test
    void aUtf8ByteOrderMarkIsSkippedAndUtf16IsNamed(@TempDir Path dir) throws Exception {
        Path bom = dir.resolve("bom.yaml");
        Files.write(bom, concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, "a: é\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("é", ConfigDocument.read(bom).root().at("/a").asText());
        Path utf16 = dir.resolve("u16.yaml");
        Files.write(utf16, "a: 1\n".getBytes(StandardCharsets.UTF_16));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocument.read(utf16));
        assertTrue(e.problems().getFirst().reason().contains("UTF-16"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
