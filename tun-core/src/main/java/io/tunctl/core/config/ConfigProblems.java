package io.tunctl.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects validation problems against JSON-pointer paths of a {@link ConfigDocument}, so that each one is
 * reported with the line and column where the offending value stands.
 */
public final class ConfigProblems {
    private final ConfigDocument document;
    private final String base;
    private final List<ConfigProblem> sink;

    public ConfigProblems(ConfigDocument document) {
        this(document, "", new ArrayList<>());
    }

    private ConfigProblems(ConfigDocument document, String base, List<ConfigProblem> sink) {
        this.document = document;
        this.base = base;
        this.sink = sink;
    }

    /** A view whose paths are relative to {@code pointer} (e.g. {@code /udp}). */
    public ConfigProblems at(String pointer) {
        return new ConfigProblems(document, base + pointer, sink);
    }

    /** A view at the {@code index}-th element below this one. */
    public ConfigProblems at(int index) {
        return at("/" + index);
    }

    /** Records a problem at this view's own path. */
    public ConfigProblems add(String reason) {
        sink.add(document.problemAt(base, reason));
        return this;
    }

    /** Records a problem at {@code pointer} below this view. */
    public ConfigProblems add(String pointer, String reason) {
        sink.add(document.problemAt(base + pointer, reason));
        return this;
    }

    /** The document the problems are about (a provider may read a section other than its own, e.g. the interface). */
    public ConfigDocument document() { return document; }

    public boolean isEmpty() { return sink.isEmpty(); }

    public List<ConfigProblem> list() { return List.copyOf(sink); }

    /** Throws if anything was recorded. */
    public void throwIfAny() throws ConfigException {
        if (!sink.isEmpty()) throw new ConfigException(sink);
    }
}
