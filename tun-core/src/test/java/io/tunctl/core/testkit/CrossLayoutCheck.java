package io.tunctl.core.testkit;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout check for bindings of a platform this machine cannot run (macOS, Windows): every constant, struct
 * size, alignment, field offset and field size the Java classes declare becomes a {@code _Static_assert} in a
 * generated C file, which a cross compiler for the platform compiles (nothing is run). Each assertion carries the
 * Java name of the value, so a failure says which binding is wrong; the compiler is asked to report them all.
 *
 * <p>Classes are found by reflection as in the Linux {@code LayoutCheckTest}: constants are upper-case no-argument
 * methods of header classes; structs are classes with {@code layout()}, {@code sizeof()} and
 * {@code <field>$offset()}. A struct's nested classes with a {@code layout()} (anonymous unions) are checked too,
 * as {@code __typeof__} of the field of the same name.
 */
public final class CrossLayoutCheck {
    private CrossLayoutCheck() {}

    /**
     * One compile-time comparison: a C expression and what Java says it is, both cast to {@code cType}. A Java
     * {@code int} constant is compared as a C {@code int}, so {@code 0xFFFFFFFF} (INFINITE) matches Java's -1.
     */
    public record Check(String what, String cExpr, long javaValue, String cType) {
        public Check(String what, String cExpr, long javaValue) { this(what, cExpr, javaValue, "long long"); }
    }

    /**
     * @param headers header classes ({@code libc_h}, ...): their constants
     * @param structs struct classes and the C type each stands for ({@code struct ifreq}, {@code GUID})
     */
    public static List<Check> checks(List<Class<?>> headers, Map<Class<?>, String> structs)
            throws ReflectiveOperationException {
        List<Check> out = new ArrayList<>();
        for (Class<?> h : headers) {
            Method[] ms = h.getDeclaredMethods();
            Arrays.sort(ms, Comparator.comparing(Method::getName));
            for (Method m : ms) {
                if (!isConstant(m)) continue;
                long v = ((Number) m.invoke(null)).longValue();
                Class<?> r = m.getReturnType();
                String type = r == long.class ? "long long" : r == byte.class ? "signed char" : r.getName();
                out.add(new Check(h.getSimpleName() + "." + m.getName() + "()", m.getName(), v, type));
            }
        }
        Map<Class<?>, String> all = new LinkedHashMap<>();
        for (Map.Entry<Class<?>, String> e : structs.entrySet()) {
            all.put(e.getKey(), e.getValue());
            for (Class<?> nested : e.getKey().getDeclaredClasses()) {
                if (hasLayout(nested)) {
                    all.put(nested, "__typeof__(((" + e.getValue() + " *)0)->" + nested.getSimpleName() + ")");
                }
            }
        }
        for (Map.Entry<Class<?>, String> e : all.entrySet()) {
            Class<?> s = e.getKey();
            String t = e.getValue();
            String n = s.getName().substring(s.getPackageName().length() + 1).replace('$', '.');
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

    /** The hard-coded {@code $OFFSET}s agree with the Java layouts they sit beside (no C needed); the problems. */
    public static List<String> offsetsAgainstLayouts(Iterable<Class<?>> structs) throws ReflectiveOperationException {
        List<String> bad = new ArrayList<>();
        for (Class<?> top : structs) {
            List<Class<?>> classes = new ArrayList<>(List.of(top));
            for (Class<?> nested : top.getDeclaredClasses()) if (hasLayout(nested)) classes.add(nested);
            for (Class<?> s : classes) {
                GroupLayout layout = (GroupLayout) s.getMethod("layout").invoke(null);
                for (Method m : s.getDeclaredMethods()) {
                    if (!m.getName().endsWith("$offset")) continue;
                    String field = m.getName().substring(0, m.getName().length() - "$offset".length());
                    long declared = (long) m.invoke(null);
                    long computed = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
                    if (declared != computed) {
                        bad.add(s.getSimpleName() + "." + field + ": $OFFSET " + declared + " but layout says " + computed);
                    }
                }
            }
        }
        return bad;
    }

    private static boolean hasLayout(Class<?> c) {
        try {
            c.getMethod("layout");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    static boolean isConstant(Method m) {
        Class<?> r = m.getReturnType();
        return Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 0
                && m.getName().matches("[A-Z][A-Za-z0-9_]*") // macros, and enum constants like IpDadStatePreferred
                && (r == int.class || r == long.class || r == short.class || r == byte.class);
    }

    /** A C file that includes {@code includes} and asserts every check at compile time. */
    public static String program(List<String> includes, List<Check> checks) {
        StringBuilder b = new StringBuilder();
        b.append("/* generated by CrossLayoutCheck: every value the Java bindings hard-code, asserted at compile time */\n");
        for (String i : includes) b.append("#include ").append(i).append('\n');
        b.append("#include <stddef.h>\n\n");
        for (Check k : checks) {
            b.append("_Static_assert((").append(k.cType()).append(") (").append(k.cExpr()).append(") == (")
                    .append(k.cType()).append(") ").append(k.javaValue()).append("LL, \"JAVA ").append(k.what()).append(" = ").append(k.javaValue()).append(" vs C ")
                    .append(k.cExpr().replace("\"", "'")).append("\");\n");
        }
        return b.toString();
    }

    private static final Pattern FAILED = Pattern.compile("JAVA ([^\"]+)\"");
    /** gcc: "static assertion failed"; clang 14: "static_assert failed"; newer clang: "static assertion failed". */
    private static final Pattern ASSERTION = Pattern.compile("static[ _]assert(ion)? failed");

    /**
     * Writes the program to {@code dir/name.c}, compiles it with {@code compiler} (the source path is appended) and
     * returns the failed assertions (empty when all hold). A compile error that is not an assertion (a header the
     * compiler rejects) throws, with the compiler's output.
     */
    public static List<String> compile(Path dir, String name, List<String> includes, List<Check> checks,
                                       List<String> compiler) throws java.io.IOException {
        Files.createDirectories(dir);
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, program(includes, checks));
        List<String> cmd = new ArrayList<>(compiler);
        cmd.add(src.toString());
        ProcessRunner.Result r = ProcessRunner.run(Duration.ofMinutes(2), cmd);
        if (r.ok()) return List.of();
        // a failed assertion's error line names it; any other error (a header the compiler rejects, an unknown
        // type) means the check itself is broken and must not pass for a layout mismatch
        java.util.Set<String> failed = new java.util.LinkedHashSet<>();
        List<String> otherErrors = new ArrayList<>();
        for (String line : r.stderr().split("\n")) {
            if (!line.contains("error:")) continue;
            Matcher m = FAILED.matcher(line);
            if (ASSERTION.matcher(line).find() && m.find()) failed.add(m.group(1));
            else otherErrors.add(line);
        }
        if (!otherErrors.isEmpty() || failed.isEmpty()) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed for a reason other than a layout assertion:\n"
                    + String.join("\n", otherErrors.isEmpty() ? List.of(r.stderr()) : otherErrors));
        }
        return List.copyOf(failed);
    }
}
