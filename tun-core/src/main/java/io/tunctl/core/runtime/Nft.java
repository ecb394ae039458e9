package io.tunctl.core.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
        return HostCommand.find("nft");
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
        if (executable() == null) throw new IOException("the nft program is missing (install the nftables package)");
        return HostCommand.run("nft", stdin, TIMEOUT_SECONDS, args);
    }
}
