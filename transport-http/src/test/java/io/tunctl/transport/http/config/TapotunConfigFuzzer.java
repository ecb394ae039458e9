package io.tunctl.transport.http.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.transport.http.HttpTransportProvider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzz target for the http transport's configs as {@code tunctl up} loads them: tapotun's own JSON
 * array (recognised by {@link HttpTransportProvider#recognise}) or a unified file with an {@code http} section,
 * through binding and the compiler's checks ({@link TunnelConfig#of}). The first byte picks the file name (JSON,
 * YAML or guessed). Property: only {@link ConfigException}; allocation at most {@value #BASE} bytes plus
 * {@value #PER_BYTE} per input byte.
 */
public class TapotunConfigFuzzer {
    static final long BASE = 8L << 20;
    static final long PER_BYTE = 4096;
    private static final Path[] NAMES = {null, Path.of("tapotun.json"), Path.of("tunctl.yaml")};
    private static final Transports TRANSPORTS = Transports.of(List.of(new HttpTransportProvider()));

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        Path name = NAMES[(data[0] & 0xff) % NAMES.length];
        String text = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        AllocationBound.check("tapotun config", data.length, BASE, PER_BYTE, () -> {
            try {
                TunnelConfig.of(ConfigDocument.parse(name, text), TRANSPORTS);
            } catch (ConfigException documented) {
                documented.getMessage();
            }
        });
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
