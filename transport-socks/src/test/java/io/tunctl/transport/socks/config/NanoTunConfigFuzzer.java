package io.tunctl.transport.socks.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.transport.socks.SocksTransportProvider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzz target for the socks transport's configs as {@code tunctl up} loads them: nano-tun's own
 * YAML (recognised by {@link NanoTunFile}) or a unified file with a {@code socks} section, through binding and the
 * settings compiler ({@link TunnelConfig#of}). The first byte picks the file name (YAML, JSON or guessed).
 * Property: only {@link ConfigException}; allocation at most {@value #BASE} bytes plus {@value #PER_BYTE} per input
 * byte.
 */
public class NanoTunConfigFuzzer {
    static final long BASE = 8L << 20;
    static final long PER_BYTE = 4096;
    private static final Path[] NAMES = {null, Path.of("nano.yaml"), Path.of("tunctl.json")};
    private static final Transports TRANSPORTS = Transports.of(List.of(new SocksTransportProvider()));

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (data.length == 0) return;
        Path name = NAMES[(data[0] & 0xff) % NAMES.length];
        String text = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        AllocationBound.check("nano-tun config", data.length, BASE, PER_BYTE, () -> {
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
