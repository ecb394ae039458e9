package io.tunctl.core.config;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigDocumentOverrideTest {

    @Test
    void anOverriddenValueIsReportedAgainstItsOriginAndTheRestKeepTheirLines() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("f.yaml"), "a: 1\nb:\n  c: x\n  d: y\n");
        ConfigDocument over = doc.with("/b/c", TextNode.valueOf("z"), "--c");
        assertEquals("z", over.root().at("/b/c").asText());
        assertEquals("x", doc.root().at("/b/c").asText(), "the original is untouched");
        ConfigProblem c = over.problemAt("/b/c", "bad");
        assertEquals(0, c.line());
        assertEquals("bad (given by --c)", c.reason());
        assertEquals("b.c", c.field());
        ConfigProblem d = over.problemAt("/b/d", "bad");
        assertEquals(4, d.line());
        assertFalse(d.reason().contains("given by"));
    }

    @Test
    void missingParentsAreCreatedAndNullRemoves() throws Exception {
        ConfigDocument doc = ConfigDocument.parse(Path.of("f.yaml"), "a: 1\n");
        ConfigDocument over = doc.with("/x/y", IntNode.valueOf(5), "--y");
        assertEquals(5, over.root().at("/x/y").asInt());
        assertTrue(over.problemAt("/x/y/0", "bad").reason().endsWith("(given by --y)"), "below an overridden value too");
        ConfigDocument removed = over.with("/a", null, "--a");
        assertTrue(removed.root().at("/a").isMissingNode());
        assertSame(doc, doc.with("/nope/deeper", null, "--z"), "removing what is not there changes nothing");
    }
}
