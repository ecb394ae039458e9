package io.tunctl.core.natives.darwin;

import io.tunctl.core.testkit.CrossLayoutCheck;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macOS bindings against clang's Darwin targets: every constant, size, alignment and offset of
 * {@code natives.darwin} is asserted at compile time against {@code native-headers/darwin_utun.h}, for x86_64 and
 * arm64. That header is a transcription of XNU's, not Apple's SDK (which a Linux machine cannot have), so this is
 * an ABI check: it proves the Java layouts are what the Darwin ABI makes of those declarations (padding, alignment,
 * ioctl numbers computed from struct sizes), not that the declarations match a given macOS release.
 *
 * <p>An IT because it may install clang with apt-get (needs root); it fails instead of skipping in CI.
 */
class DarwinLayoutCheckIT {

    @ParameterizedTest
    @ValueSource(strings = {"x86_64-apple-darwin", "arm64-apple-darwin"})
    void bindingsMatchClangForDarwin(String target) throws Exception {
        Root.ensureCommand("clang", "clang");
        List<CrossLayoutCheck.Check> checks = CrossLayoutCheck.checks(DarwinBindings.HEADERS, DarwinBindings.STRUCTS);
        assertTrue(checks.size() > 250, "suspiciously few checks: " + checks.size());
        Path headers = DarwinBindings.nativeHeaders();
        List<String> failed = CrossLayoutCheck.compile(Path.of("target", "layout-check"), "darwin_" + target.split("-")[0],
                List.of("\"darwin_utun.h\""), checks,
                List.of("clang", "--target=" + target, "-ffreestanding", "-std=gnu11", "-fsyntax-only", "-Werror",
                        "-ferror-limit=0", "-iquote", headers.toString()));
        assertTrue(failed.isEmpty(), failed.size() + " of " + checks.size() + " Darwin binding values differ from clang --target="
                + target + ":\n" + String.join("\n", failed));
        System.out.println("darwin layout check (" + target + "): " + checks.size() + " values match clang");
    }
}
