package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.wintun_h;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where {@code wintun.dll} is loaded from. Wintun is not part of Windows: the signed DLL is downloaded from
 * https://www.wintun.net and shipped beside the application, so its path is configurable:
 * <ol>
 *   <li>the system property {@value #PROPERTY} (e.g. {@code -Dtunctl.wintun.path=C:\tunctl\wintun.dll}),</li>
 *   <li>else the environment variable {@value #ENV},</li>
 *   <li>else {@code wintun.dll} in the working directory.</li>
 * </ol>
 * A missing file is a clear error naming the path tried and where to get Wintun.
 */
public final class WintunLibrary {
    private WintunLibrary() {}

    public static final String PROPERTY = "tunctl.wintun.path";
    public static final String ENV = "TUNCTL_WINTUN_PATH";

    /** The path to load, from the property, the environment or the default. */
    static Path resolve(String property, Map<String, String> env, Path workingDir) {
        if (property != null && !property.isBlank()) return Path.of(property);
        String e = env.get(ENV);
        if (e != null && !e.isBlank()) return Path.of(e);
        return workingDir.resolve("wintun.dll");
    }

    /** The folder of the Wintun zip that holds the DLL for this JVM's architecture. */
    static String zipFolder(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "bin\\amd64";
            case "aarch64", "arm64" -> "bin\\arm64";
            case "x86", "i386", "i686" -> "bin\\x86";
            case "arm" -> "bin\\arm";
            default -> "bin\\<your architecture>";
        };
    }

    /** The error for a DLL that is not there (or cannot be loaded). */
    static IOException missing(Path path, String osArch, String cause) {
        return new IOException("wintun.dll not found at " + path.toAbsolutePath() + (cause != null ? " (" + cause + ")" : "")
                + ": download Wintun from https://www.wintun.net, take " + zipFolder(osArch) + "\\wintun.dll from the"
                + " zip, and put it there or point -D" + PROPERTY + "=<file> (or " + ENV + ") at it");
    }

    /** Loads the DLL (once per JVM) from the configured path. */
    public static synchronized Path load() throws IOException {
        Path p = resolve(System.getProperty(PROPERTY), System.getenv(), Path.of("").toAbsolutePath());
        String arch = System.getProperty("os.arch", "");
        if (!Files.isRegularFile(p)) throw missing(p, arch, null);
        try {
            wintun_h.load(p);
        } catch (IllegalArgumentException e) {
            throw missing(p, arch, e.getMessage());
        }
        return p;
    }
}
