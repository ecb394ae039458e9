package io.tunctl.core.natives.linux;

import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the hand-written bindings honest: every constant, struct size, alignment, field offset and field size the
 * Java classes declare is compared with what gcc computes from {@code native-headers/linux_*.h} (which include the
 * system's kernel and libc headers). Anything bound is found by reflection, so a new constant or field is checked
 * without touching this test.
 */
class LayoutCheckTest {
    /** Header classes: each upper-case no-argument method is a C macro or enum constant of the same name. */
    static final List<Class<?>> HEADERS = List.of(libc_h.class, if_tun_h.class, virtio_net_h.class, rtnetlink_h.class,
            io_uring_h.class);

    /** Struct classes and the C type each stands for. */
    static final Map<Class<?>, String> STRUCTS = new LinkedHashMap<>();

    static {
        for (Class<?> c : List.of(ifreq.class, pollfd.class, iovec.class, sockaddr_nl.class, nlmsghdr.class,
                nlmsgerr.class, rtattr.class, ifinfomsg.class, ifaddrmsg.class, rtmsg.class, fib_rule_hdr.class,
                fib_rule_port_range.class, fib_rule_uid_range.class, virtio_net_hdr.class, io_sqring_offsets.class,
                io_cqring_offsets.class, io_uring_params.class, io_uring_sqe.class, io_uring_cqe.class, io_uring_buf.class,
                io_uring_buf_reg.class, io_uring_probe_op.class, io_uring_probe.class)) {
            STRUCTS.put(c, "struct " + c.getSimpleName());
        }
        STRUCTS.put(ifreq.ifr_ifru.class, "__typeof__(((struct ifreq *)0)->ifr_ifru)");
    }

    /** One value to compare: a C expression and what Java says it is. */
    record Check(String what, String cExpr, long javaValue) {}

    static List<Check> checks() throws ReflectiveOperationException {
        List<Check> out = new ArrayList<>();
        for (Class<?> h : HEADERS) {
            Method[] ms = h.getDeclaredMethods();
            Arrays.sort(ms, Comparator.comparing(Method::getName));
            for (Method m : ms) {
                if (!isConstant(m)) continue;
                long v = ((Number) m.invoke(null)).longValue();
                out.add(new Check(h.getSimpleName() + "." + m.getName() + "()", m.getName(), v));
            }
        }
        for (Map.Entry<Class<?>, String> e : STRUCTS.entrySet()) {
            Class<?> s = e.getKey();
            String t = e.getValue();
            String n = s.getSimpleName();
            GroupLayout layout = (GroupLayout) s.getMethod("layout").invoke(null);
            out.add(new Check(n + ".sizeof()", "sizeof(" + t + ")", (long) s.getMethod("sizeof").invoke(null)));
            out.add(new Check(n + ".layout().byteAlignment()", "_Alignof(" + t + ")", layout.byteAlignment()));
            Method[] ms = s.getDeclaredMethods();
            Arrays.sort(ms, Comparator.comparing(Method::getName));
            for (Method m : ms) {
                if (!m.getName().endsWith("$offset") || m.getParameterCount() != 0) continue;
                String field = m.getName().substring(0, m.getName().length() - "$offset".length());
                long off = (long) m.invoke(null);
                MemoryLayout fl = (MemoryLayout) s.getMethod(field + "$layout").invoke(null);
                out.add(new Check(n + "." + field + "$offset()", "offsetof(" + t + ", " + field + ")", off));
                out.add(new Check(n + "." + field + "$layout().byteSize()", "sizeof(((" + t + " *)0)->" + field + ")",
                        fl.byteSize()));
            }
        }
        return out;
    }

    static boolean isConstant(Method m) {
        Class<?> r = m.getReturnType();
        return Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 0
                && m.getName().matches("[A-Z][A-Z0-9_]*|__NR_[a-z_]+")
                && (r == int.class || r == long.class || r == short.class || r == byte.class);
    }

    static Path nativeHeaders() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path h = p.resolve("native-headers");
            if (Files.isRegularFile(h.resolve("linux_tun.h"))) return h;
        }
        throw new IllegalStateException("native-headers/ not found above " + Path.of("").toAbsolutePath());
    }

    /** The hard-coded {@code $OFFSET}s must agree with the Java layouts they sit beside (no C needed). */
    @Test
    void offsetsAgreeWithJavaLayouts() throws ReflectiveOperationException {
        List<String> bad = new ArrayList<>();
        for (Class<?> s : STRUCTS.keySet()) {
            GroupLayout layout = (GroupLayout) s.getMethod("layout").invoke(null);
            for (Method m : s.getDeclaredMethods()) {
                if (!m.getName().endsWith("$offset")) continue;
                String field = m.getName().substring(0, m.getName().length() - "$offset".length());
                long declared = (long) m.invoke(null);
                long computed = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
                if (declared != computed) bad.add(s.getSimpleName() + "." + field + ": $OFFSET " + declared
                        + " but layout says " + computed);
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void errnoNamesMatchConstants() throws ReflectiveOperationException {
        for (Method m : libc_h.class.getDeclaredMethods()) {
            if (isConstant(m) && m.getName().startsWith("E") && !m.getName().startsWith("EFD_")) {
                assertEquals(m.getName(), libc_h.errnoName((int) m.invoke(null)));
            }
        }
    }

    @Test
    void bindingsMatchWhatGccSees() throws Exception {
        Root.requireThat(Root.onPath("gcc"), "gcc not found: the layout check compiles native-headers/ with it");
        List<Check> checks = checks();
        Path headers = nativeHeaders();
        Path dir = Files.createDirectories(Path.of("target", "layout-check"));
        Path src = dir.resolve("layout_check.c");
        Path exe = dir.resolve("layout_check");
        Files.writeString(src, program(checks));
        ProcessRunner.Result cc = ProcessRunner.run(Duration.ofSeconds(120), List.of("gcc", "-std=gnu11", "-Wall",
                "-Werror", "-iquote", headers.toString(), "-o", exe.toString(), src.toString()));
        if (!cc.ok()) fail("gcc could not compile the layout check (" + src + "):\n" + cc.stderr());
        ProcessRunner.Result run = ProcessRunner.run(Duration.ofSeconds(30), List.of(exe.toString()));
        String out = run.orThrow();
        Map<String, Long> c = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) c.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        List<String> bad = new ArrayList<>();
        for (Check k : checks) {
            Long v = c.get(k.cExpr());
            if (v == null) bad.add(k.what() + ": no C value for " + k.cExpr());
            else if (v != k.javaValue()) {
                bad.add(k.what() + " = " + k.javaValue() + " (0x" + Long.toHexString(k.javaValue()) + ") but C "
                        + k.cExpr() + " = " + v + " (0x" + Long.toHexString(v) + ")");
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " of " + checks.size() + " binding values differ from C:\n"
                + String.join("\n", bad));
        assertTrue(checks.size() > 250, "suspiciously few checks: " + checks.size());
        System.out.println("layout check: " + checks.size() + " values match gcc");
    }

    static String program(List<Check> checks) {
        StringBuilder b = new StringBuilder();
        b.append("/* generated by LayoutCheckTest: prints every value the Java bindings hard-code */\n");
        b.append("#include \"linux_libc.h\"\n#include \"linux_tun.h\"\n#include \"linux_rtnetlink.h\"\n");
        b.append("#include \"linux_io_uring.h\"\n");
        b.append("#include <stddef.h>\n#include <stdio.h>\n\nint main(void) {\n");
        for (Check k : checks) {
            b.append("    printf(\"%s=%lld\\n\", \"").append(k.cExpr()).append("\", (long long) (")
                    .append(k.cExpr()).append("));\n");
        }
        b.append("    return 0;\n}\n");
        return b.toString();
    }
}
