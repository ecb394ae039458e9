package io.tunctl.core.tun;

import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.tun.darwin.UtunInterface;
import io.tunctl.core.tun.windows.WintunInterface;

import java.io.IOException;
import java.util.Locale;

/**
 * Opens the TUN interface of the OS this JVM runs on: a Linux TUN ({@link LinuxInterface}), a macOS utun
 * ({@code UtunInterface}) or a Windows Wintun adapter ({@code WintunInterface}), each configured as the
 * {@link InterfaceSpec} says and undoing its changes when closed. Chosen by {@code os.name}; any other OS is a
 * clear error. Only Linux has been run on a real machine; see docs/platforms.md.
 */
public final class Interfaces {
    private Interfaces() {}

    /** The OSes tunctl has a TUN for. */
    public enum Os { LINUX, MACOS, WINDOWS }

    /** The OS for an {@code os.name} value ("Linux", "Mac OS X", "Windows 11"). */
    public static Os os(String osName) throws IOException {
        String n = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) return Os.LINUX;
        if (n.startsWith("mac os x") || n.startsWith("macos") || n.startsWith("darwin")) return Os.MACOS;
        if (n.startsWith("windows")) return Os.WINDOWS;
        throw new IOException("no TUN support for OS \"" + osName + "\": tunctl runs on Linux, macOS (utun) and"
                + " Windows (Wintun)");
    }

    /** Opens and configures an interface on this OS (usable as an {@code InterfaceOpener}). */
    public static InterfaceHandle open(InterfaceSpec spec) throws IOException {
        return switch (os(System.getProperty("os.name"))) {
            case LINUX -> LinuxInterface.create(spec);
            case MACOS -> UtunInterface.create(spec);
            case WINDOWS -> WintunInterface.create(spec);
        };
    }
}
