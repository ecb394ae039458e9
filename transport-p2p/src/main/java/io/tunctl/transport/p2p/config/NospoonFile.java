package io.tunctl.transport.p2p.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises nospoon's own config file (JSONC: one object with {@code mode}, {@code ip}, {@code seed}, ...) so that
 * {@code tunctl up /etc/nospoon/config.jsonc} runs it unchanged.
 */
public final class NospoonFile {
    private NospoonFile() {}

    /** Keys only a nospoon config has (besides {@code mode}); {@code ip} and {@code mtu} alone say too little. */
    private static final Set<String> NOSPOON_KEYS = Set.of("seed", "seedFile", "peers", "server", "fullTunnel",
            "outInterface", "ipv6");

    /** True when the document is shaped like a nospoon config, valid or not. */
    public static boolean looksLikeNospoon(ConfigDocument doc) {
        JsonNode root = doc.root();
        if (!root.isObject() || root.has("transport")) return false;
        if (root.has("mode")) return true;
        for (String k : NOSPOON_KEYS) if (root.has(k)) return true;
        return false;
    }

    /**
     * Checks a nospoon file.
     *
     * @return empty when the document is not nospoon-shaped
     * @throws ConfigException with every located problem when it is nospoon-shaped but broken
     */
    public static Optional<P2pConfig> recognise(ConfigDocument doc) throws ConfigException {
        if (!looksLikeNospoon(doc)) return Optional.empty();
        P2pConfig config = new P2pConfig(doc.root()).locatedAt("", doc.file());
        ConfigProblems problems = new ConfigProblems(doc);
        NospoonRules.check(config, problems);
        problems.throwIfAny();
        return Optional.of(config);
    }

    /**
     * nospoon's default config path when {@code up} is given none: {@code /etc/nospoon/config.jsonc}, on Windows
     * {@code %PROGRAMDATA%\nospoon\config.jsonc} (C:\ProgramData when the variable is unset).
     */
    public static Path defaultPath(String osName, String programData) {
        if (osName != null && osName.toLowerCase(Locale.ROOT).startsWith("windows")) {
            String base = programData == null || programData.isEmpty() ? "C:\\ProgramData" : programData;
            return Path.of(base + "\\nospoon\\config.jsonc");
        }
        return Path.of("/etc/nospoon/config.jsonc");
    }
}
