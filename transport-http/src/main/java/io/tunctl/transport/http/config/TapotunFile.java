package io.tunctl.transport.http.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblem;
import io.tunctl.core.config.ConfigProblems;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Recognises tapotun's native config file: a JSON array of interface objects. */
public final class TapotunFile {
    private TapotunFile() {}

    private static final Set<String> TAPOTUN_KEYS =
            Set.of("name", "port", "server", "token", "net", "clients", "network", "nodes", "mark", "mtu");

    /** True when the document's shape is tapotun's, whether or not it is valid. */
    public static boolean looksLikeTapotun(ConfigDocument doc) {
        JsonNode root = doc.root();
        if (!root.isArray() || root.isEmpty()) return false;
        boolean anyKey = false;
        for (JsonNode e : root) {
            if (!e.isObject()) return false;
            for (String k : TAPOTUN_KEYS) anyKey |= e.has(k);
        }
        return anyKey;
    }

    /**
     * Binds and checks a tapotun file.
     * @return empty when the document is not tapotun-shaped
     * @throws ConfigException with every located problem when it is tapotun-shaped but broken
     */
    public static Optional<HttpConfig> recognise(ConfigDocument doc) throws ConfigException {
        if (!looksLikeTapotun(doc)) return Optional.empty();
        List<ConfigProblem> problems = new ArrayList<>();
        List<InterfaceConfig> bound = new ArrayList<>();
        for (int i = 0; i < doc.root().size(); i++) {
            try {
                bound.add(doc.bind("/" + i, InterfaceConfig.class));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                bound.add(null);
            }
        }
        if (!problems.isEmpty()) throw new ConfigException(problems);
        HttpConfig config = new HttpConfig(bound).locatedAt("", doc.file());
        ConfigProblems p = new ConfigProblems(doc);
        ConfigCompiler.compile(config, p);
        p.throwIfAny();
        return Optional.of(config);
    }
}
