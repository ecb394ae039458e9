package io.tunctl.core.natives.windows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the Windows layout checks look at: every header and struct class of {@code natives.windows}. */
final class WindowsBindings {
    private WindowsBindings() {}

    static final List<Class<?>> HEADERS = List.of(kernel32_h.class, winerror_h.class, netioapi_h.class, wintun_h.class);

    /** The SDK names these types by typedef ({@code MIB_IPFORWARD_ROW2}), as the classes are named. */
    static final Map<Class<?>, String> STRUCTS = new LinkedHashMap<>();

    static {
        for (Class<?> c : List.of(GUID.class, NET_LUID.class, SOCKADDR_IN.class, SOCKADDR_IN6.class,
                SOCKADDR_INET.class, IP_ADDRESS_PREFIX.class, MIB_UNICASTIPADDRESS_ROW.class, MIB_IPFORWARD_ROW2.class,
                MIB_IPINTERFACE_ROW.class)) {
            STRUCTS.put(c, c.getSimpleName());
        }
    }

    static Path nativeHeaders() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path h = p.resolve("native-headers");
            if (Files.isRegularFile(h.resolve("windows_wintun.h"))) return h;
        }
        throw new IllegalStateException("native-headers/ not found above " + Path.of("").toAbsolutePath());
    }
}
