package io.tunctl.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.testkit.AllocationBound;

import java.nio.file.Path;

/**
 * Coverage-guided fuzz target for the config reader every tunctl config goes through: the bytes of a file
 * ({@link Utf8Text}), JSON/JSONC or YAML parsing with locations ({@link ConfigDocument#parse}), and binding and
 * checking the core's {@code interface} section ({@link InterfaceSpec}, addresses, routes, rules). The first input
 * byte picks the file name (so the format: by extension, or guessed from the text), the rest is the file.
 * Property: only {@link ConfigException} is thrown, and allocation stays under {@value #BASE} bytes plus
 * {@value #PER_BYTE} per input byte (a parser's tree and location map are linear in the text).
 */
public class ConfigDocumentFuzzer {
    static final long BASE = 8L << 20;
    static final long PER_BYTE = 4096;
    private static final Path[] NAMES = {null, Path.of("fuzz.json"), Path.of("fuzz.yaml"), Path.of("fuzz.conf")};

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        Path name = NAMES[(data[0] & 0xff) % NAMES.length];
        byte[] file = java.util.Arrays.copyOfRange(data, 1, data.length);
        AllocationBound.check("config document", data.length, BASE, PER_BYTE, () -> {
            try {
                bindInterface(ConfigDocument.parse(name, Utf8Text.decode(name, file)));
            } catch (ConfigException documented) {
                documented.getMessage();
            }
        });
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    /** The interface section as the unified format has it, or the whole document as one. */
    static void bindInterface(ConfigDocument doc) throws ConfigException {
        String at = doc.root().has("interface") ? "/interface" : "";
        InterfaceSpec spec = doc.bind(at, InterfaceSpec.class);
        ConfigProblems problems = new ConfigProblems(doc);
        TunnelConfig.validateInterface(spec, problems.at(at));
        problems.throwIfAny();
    }
}
