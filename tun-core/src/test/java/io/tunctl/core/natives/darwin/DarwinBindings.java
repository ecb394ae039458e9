package io.tunctl.core.natives.darwin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the Darwin layout checks look at: every header and struct class of {@code natives.darwin}. */
final class DarwinBindings {
    private DarwinBindings() {}

    static final List<Class<?>> HEADERS = List.of(libc_h.class, kern_control_h.class, sockio_h.class, route_h.class);

    static final Map<Class<?>, String> STRUCTS = new LinkedHashMap<>();

    static {
        for (Class<?> c : List.of(ctl_info.class, sockaddr_ctl.class, sockaddr.class, sockaddr_in.class,
                sockaddr_in6.class, sockaddr_dl.class, ifreq.class, ifaliasreq.class, in6_addrlifetime.class,
                in6_aliasreq.class, in6_ifreq.class, rt_metrics.class, rt_msghdr.class, pollfd.class, iovec.class)) {
            STRUCTS.put(c, "struct " + c.getSimpleName());
        }
    }

    static Path nativeHeaders() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path h = p.resolve("native-headers");
            if (Files.isRegularFile(h.resolve("darwin_utun.h"))) return h;
        }
        throw new IllegalStateException("native-headers/ not found above " + Path.of("").toAbsolutePath());
    }
}
