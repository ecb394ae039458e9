package io.tunctl.core.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The {@code nft} program, for the few nftables tables tunctl keeps of its own (one command per change; the
 * tables are small and change only at start and exit, so netlink nftables would buy nothing here).
 */
public final class Nft {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final long TIMEOUT_SECONDS = 10;

    private Nft() {}

    /**
     * A table of tunctl's own.
     *
     * @param family {@code ip}, {@code ip6} or {@code inet}
     * @param name   letters, digits and {@code _}, not starting with a digit (tunctl never quotes it)
     */
    public record Table(String family, String name) {
        public Table {
            if (!List.of("ip", "ip6", "inet").contains(family)) {
                throw new IllegalArgumentException("nft family must be ip, ip6 or inet, not '" + family + "'");
            }
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("nft table name '" + name + "' is not [A-Za-z_][A-Za-z0-9_]*");
            }
        }

        @Override
        public String toString() { return "table " + family + " " + name; }
    }

    /** The {@code nft} executable on PATH (or in /usr/sbin, /sbin), or null. */
    public static Path executable() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, "nft");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Applies {@code script} atomically ({@code nft -f -}: all of it or nothing). */
    public static void apply(String script) throws IOException {
        run(script, "-f", "-");
    }

    /** Whether {@code table} exists. */
    public static boolean exists(Table table) throws IOException {
        String out = run(null, "list", "tables", table.family());
        for (String line : out.split("\n")) {
            if (line.strip().equals("table " + table.family() + " " + table.name())) return true;
        }
        return false;
    }

    /** Deletes {@code table} with everything in it; false when it was not there. */
    public static boolean delete(Table table) throws IOException {
        if (!exists(table)) return false;
        run(null, "delete", "table", table.family(), table.name());
        return true;
    }

    private static String run(String stdin, String... args) throws IOException {
        Path nft = executable();
        if (nft == null) throw new IOException("the nft program is missing (install the nftables package)");
        List<String> cmd = new ArrayList<>();
        cmd.add(nft.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream o = p.getInputStream()) {
                o.transferTo(out);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft " + String.join(" ", args) + ": no answer in " + TIMEOUT_SECONDS + " s");
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("nft " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
                        + text.strip());
            }
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running nft", e);
        }
    }
}
