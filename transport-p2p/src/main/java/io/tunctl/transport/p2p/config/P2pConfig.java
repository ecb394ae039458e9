package io.tunctl.transport.p2p.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The p2p transport's configuration as written: a nospoon config object ({@code mode}, {@code ip}, {@code seed},
 * {@code peers}, {@code server}, ...) plus tunctl's additions ({@code bootstrap}, {@code port}, {@code keepalive},
 * several addresses or prefixes per peer). It is the whole of a nospoon JSONC file, or the {@code p2p} section of a
 * unified tunctl config. The object is kept as written and read by {@link NospoonRules} with nospoon's own rules
 * (its truthiness, its {@code parseInt}), which a Jackson binding could not follow; {@link #settings} is the result.
 */
public final class P2pConfig {
    private final JsonNode node;
    private String pointerBase = "/p2p";
    private Path file;
    private volatile P2pSettings settings;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public P2pConfig(JsonNode node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @JsonValue
    public JsonNode node() { return node; }

    /** JSON pointer of this config in its document: {@code ""} for a nospoon file, {@code /p2p} for a section. */
    public String pointerBase() { return pointerBase; }

    /** The file it came from (relative seed files are read as nospoon does, from the working directory). */
    public Path file() { return file; }

    public P2pConfig locatedAt(String pointer, Path file) {
        this.pointerBase = pointer;
        this.file = file;
        return this;
    }

    /** The checked settings, once {@link NospoonRules#check} accepted this config; else null. */
    public P2pSettings settings() { return settings; }

    void settings(P2pSettings s) { this.settings = s; }
}
