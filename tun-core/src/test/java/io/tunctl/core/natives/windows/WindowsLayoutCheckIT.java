package io.tunctl.core.natives.windows;

import io.tunctl.core.testkit.CrossLayoutCheck;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Windows bindings against the real Windows SDK headers as mingw-w64 ships them: every constant, size,
 * alignment and offset of {@code natives.windows} is asserted at compile time by {@code x86_64-w64-mingw32-gcc}
 * (Debian's {@code gcc-mingw-w64-x86-64}) on {@code native-headers/windows_wintun.h}, which also re-declares each
 * bound kernel32 and IP Helper prototype so that the compiler checks them. Wintun's own declarations there are a
 * transcription of wintun.h (no system header has them).
 *
 * <p>An IT because it may install the cross compiler with apt-get (needs root); it fails instead of skipping in CI.
 */
class WindowsLayoutCheckIT {

    @Test
    void bindingsMatchMingwW64() throws Exception {
        Root.ensureCommand("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
        List<CrossLayoutCheck.Check> checks = CrossLayoutCheck.checks(WindowsBindings.HEADERS, WindowsBindings.STRUCTS);
        assertTrue(checks.size() > 200, "suspiciously few checks: " + checks.size());
        List<String> failed = CrossLayoutCheck.compile(Path.of("target", "layout-check"), "windows_x86_64",
                List.of("\"windows_wintun.h\""), checks,
                List.of("x86_64-w64-mingw32-gcc", "-std=gnu11", "-fsyntax-only", "-Werror", "-fmax-errors=0",
                        "-iquote", WindowsBindings.nativeHeaders().toString()));
        assertTrue(failed.isEmpty(), failed.size() + " of " + checks.size()
                + " Windows binding values differ from mingw-w64:\n" + String.join("\n", failed));
        System.out.println("windows layout check: " + checks.size() + " values match mingw-w64");
    }
}
