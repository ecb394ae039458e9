package io.tunctl.transport.http.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.nio.file.Path;
import java.util.List;

/**
 * The http transport's configuration: a list of interfaces, exactly tapotun's JSON array. In a unified tunctl
 * config it is the {@code http} section (an array of the same objects); a tapotun file is recognised as a whole.
 */
public final class HttpConfig {
    private final List<InterfaceConfig> interfaces;
    private String pointerBase = "/http";
    private Path source;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public HttpConfig(List<InterfaceConfig> interfaces) {
        this.interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    }

    @JsonValue
    public List<InterfaceConfig> interfaces() { return interfaces; }

    /** JSON pointer of this config inside its document ({@code ""} for a tapotun file, {@code /http} for a section). */
    public String pointerBase() { return pointerBase; }

    /** The file the config was read from, for reload on SIGHUP; null when built in code. */
    public Path source() { return source; }

    public HttpConfig locatedAt(String pointer, Path file) {
        this.pointerBase = pointer;
        this.source = file;
        return this;
    }
}
