package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.core.netlink.Rtnetlink;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a running tunctl changed on the host beyond its own interface (policy rules, routes, nftables tables),
 * written <em>before</em> the change so that what a run killed with SIGKILL (or crashed) left behind can be found
 * and removed: by the next {@code tunctl up} and by {@code tunctl down}. A clean exit deletes the file.
 *
 * <p>One JSON file per interface and network namespace, {@code <dir>/netns-<inode>/<tun>.state}, {@code <dir>}
 * being {@code /run/tunctl} (tmpfs: it goes with a reboot, as do the changes it lists) unless the system property
 * {@code tunctl.state.dir} or the variable {@code TUNCTL_STATE_DIR} names another. The namespace is part of the
 * path because rules and tables are per namespace while {@code /run} is shared by all of them.
 *
 * <p>The owner is the process id plus its start time (from {@code /proc/<pid>/stat}), so a recycled pid is not
 * mistaken for a live owner. A scrub removes only what the file lists, matched exactly (a rule by all its
 * selectors and its priority, a route by destination, table and device, a table by family and name), so it never
 * takes what tunctl did not add; what is already gone is skipped, so it can run any number of times.
 *
 * @param pid       the owning process
 * @param startTime its start time in clock ticks since boot, as {@code /proc/<pid>/stat} field 22
 * @param tun       the interface name
 * @param rules     policy rules, with the priorities they were added at
 * @param routes    routes through {@code tun}
 * @param nftTables nftables tables of tunctl's own
 */
public record StateFile(long pid, long startTime, String tun, List<RuleSpec> rules, List<RouteSpec> routes,
                        List<Nft.Table> nftTables) {
    private static final System.Logger LOG = System.getLogger(StateFile.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX = ".state";

    public StateFile {
        rules = List.copyOf(rules);
        routes = List.copyOf(routes);
        nftTables = List.copyOf(nftTables);
    }

    /** A state file owned by this process. */
    public static StateFile ofThisProcess(String tun, List<RuleSpec> rules, List<RouteSpec> routes,
                                          List<Nft.Table> nftTables) {
        long pid = ProcessHandle.current().pid();
        return new StateFile(pid, startTime(pid).orElse(-1), tun, rules, routes, nftTables);
    }

    // ------------------------------------------------------------------------------------------ places

    /** The directory of this thread's network namespace. */
    public static Path directory() throws IOException {
        String base = System.getProperty("tunctl.state.dir", System.getenv().getOrDefault("TUNCTL_STATE_DIR",
                "/run/tunctl"));
        return Path.of(base, "netns-" + netnsInode());
    }

    /** Where the state of interface {@code tun} in this thread's network namespace is kept. */
    public static Path path(String tun) throws IOException {
        if (tun.isEmpty() || tun.contains("/") || tun.startsWith(".")) {
            throw new IllegalArgumentException("'" + tun + "' is not an interface name");
        }
        return directory().resolve(tun + SUFFIX);
    }

    /** The state files of this network namespace. */
    public static List<Path> list() throws IOException {
        Path dir = directory();
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) out.add(p);
        }
        out.sort(null);
        return out;
    }

    /** The inode of this thread's network namespace ({@code /proc/thread-self/ns/net} → {@code net:[N]}). */
    static String netnsInode() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        int a = link.indexOf('['), b = link.indexOf(']');
        if (a < 0 || b < a) throw new IOException("unexpected /proc/thread-self/ns/net: " + link);
        return link.substring(a + 1, b);
    }

    // ------------------------------------------------------------------------------------------ owner

    /** Whether the process that wrote this file still runs. */
    public boolean ownerAlive() {
        OptionalLong now = startTime(pid);
        return now.isPresent() && (startTime < 0 || now.getAsLong() == startTime);
    }

    private static OptionalLong startTime(long pid) {
        try {
            return parseStartTime(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Field 22 of a {@code /proc/<pid>/stat} line (the command in field 2 may hold spaces and parentheses). */
    static OptionalLong parseStartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return OptionalLong.empty();
        String[] f = stat.substring(close + 1).strip().split("\\s+");
        if (f.length < 20) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    // ------------------------------------------------------------------------------------------ file

    /** Writes the file (atomically: a reader sees the old or the new content, never part of one). */
    public Path write() throws IOException {
        Path target = path(tun);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Deletes this interface's file; false when there was none. */
    public boolean delete() throws IOException {
        Path p = path(tun);
        boolean gone = Files.deleteIfExists(p);
        removeIfEmpty(p.getParent());
        return gone;
    }

    /** The namespace's directory goes with its last file (namespaces come and go; /run should not fill up). */
    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException notEmptyOrBusy) {
            // another interface's file is still there
        }
    }

    /** The file at {@code p}, or empty when there is none; unreadable content is an error naming the file. */
    public static Optional<StateFile> read(Path p) throws IOException {
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromJson(text));
        } catch (IOException | RuntimeException e) {
            throw new IOException(p + ": not a tunctl state file: " + e.getMessage(), e);
        }
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("pid", pid);
        o.put("startTime", startTime);
        o.put("tun", tun);
        ArrayNode rs = o.putArray("rules");
        for (RuleSpec r : rules) rs.add(rule(r));
        ArrayNode ro = o.putArray("routes");
        for (RouteSpec r : routes) {
            ObjectNode n = ro.addObject();
            n.put("to", r.destination().toString());
            if (r.via() != null) n.put("via", r.via());
            if (r.metric() != null) n.put("metric", r.metric());
            if (r.table() != null) n.put("table", Integer.toUnsignedLong(r.table()));
        }
        ArrayNode ts = o.putArray("nftTables");
        for (Nft.Table t : nftTables) ts.addObject().put("family", t.family()).put("name", t.name());
        return o.toPrettyString() + "\n";
    }

    static StateFile fromJson(String text) throws IOException {
        JsonNode o = JSON.readTree(text);
        if (o == null || !o.isObject()) throw new IOException("not a JSON object");
        List<RuleSpec> rules = new ArrayList<>();
        for (JsonNode n : o.path("rules")) rules.add(rule(n));
        List<RouteSpec> routes = new ArrayList<>();
        for (JsonNode n : o.path("routes")) {
            routes.add(new RouteSpec(Cidr.parse(text(n, "to")), n.hasNonNull("via") ? n.get("via").asText() : null,
                    n.hasNonNull("metric") ? n.get("metric").asInt() : null,
                    n.hasNonNull("table") ? (int) n.get("table").asLong() : null));
        }
        List<Nft.Table> tables = new ArrayList<>();
        for (JsonNode n : o.path("nftTables")) tables.add(new Nft.Table(text(n, "family"), text(n, "name")));
        return new StateFile(o.path("pid").asLong(-1), o.path("startTime").asLong(-1), text(o, "tun"), rules, routes,
                tables);
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IOException("'" + field + "' missing");
        return v.asText();
    }

    private static ObjectNode rule(RuleSpec r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("family", r.family());
        if (r.priority() != null) n.put("priority", r.priority());
        if (r.invert()) n.put("not", true);
        if (r.fwmark() != null) n.put("fwmark", r.fwmark());
        if (r.mask() != null) n.put("mask", r.mask());
        if (r.from() != null) n.put("from", r.from().toString());
        if (r.to() != null) n.put("to", r.to().toString());
        if (r.iif() != null) n.put("iif", r.iif());
        if (r.oif() != null) n.put("oif", r.oif());
        if (r.ipProto() != null) n.put("ipproto", r.ipProto());
        if (r.sport() != null) n.put("sport", r.sport().toString());
        if (r.dport() != null) n.put("dport", r.dport().toString());
        if (r.uidRange() != null) n.put("uidrange", r.uidRange().toString());
        if (r.suppressPrefixLength() != null) n.put("suppressPrefixLength", r.suppressPrefixLength());
        n.put("table", Integer.toUnsignedLong(r.table()));
        return n;
    }

    private static RuleSpec rule(JsonNode n) {
        RuleSpec.Builder b = RuleSpec.builder(n.path("family").asInt(), (int) n.path("table").asLong());
        if (n.hasNonNull("priority")) b.priority(n.get("priority").asInt());
        b.invert(n.path("not").asBoolean(false));
        if (n.hasNonNull("fwmark")) b.fwmark(n.get("fwmark").asLong(), n.hasNonNull("mask") ? n.get("mask").asLong() : null);
        if (n.hasNonNull("from")) b.from(Cidr.parse(n.get("from").asText()));
        if (n.hasNonNull("to")) b.to(Cidr.parse(n.get("to").asText()));
        if (n.hasNonNull("iif")) b.iif(n.get("iif").asText());
        if (n.hasNonNull("oif")) b.oif(n.get("oif").asText());
        if (n.hasNonNull("ipproto")) b.ipProto(n.get("ipproto").asInt());
        if (n.hasNonNull("sport")) b.sport(RuleSpec.PortRange.parse(n.get("sport").asText()));
        if (n.hasNonNull("dport")) b.dport(RuleSpec.PortRange.parse(n.get("dport").asText()));
        if (n.hasNonNull("uidrange")) b.uidRange(RuleSpec.UidRange.parse(n.get("uidrange").asText()));
        if (n.hasNonNull("suppressPrefixLength")) b.suppressPrefixLength(n.get("suppressPrefixLength").asInt());
        return b.build();
    }

    // ------------------------------------------------------------------------------------------ scrub

    /**
     * Removes what this file lists and is still there, exactly as listed: nftables tables, then routes (only while
     * an interface of that name exists; the kernel removes a device's routes with it), then rules. Does not delete
     * the file and does not check the owner. Keeps going past a failure and throws the first at the end.
     *
     * @return what was removed, one line each
     */
    public List<String> scrub() throws IOException {
        List<String> removed = new ArrayList<>();
        IOException first = null;
        for (Nft.Table t : nftTables) {
            try {
                if (Nft.executable() != null && Nft.delete(t)) removed.add(t.toString());
            } catch (IOException e) {
                first = keep(first, e);
            }
        }
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            OptionalInt dev = routes.isEmpty() ? OptionalInt.empty() : rtnl.findLinkIndex(tun);
            for (RouteSpec r : routes) {
                try {
                    if (dev.isPresent() && rtnl.routeExists(dev.getAsInt(), r) && rtnl.deleteRoute(dev.getAsInt(), r)) {
                        removed.add("route " + r + " dev " + tun);
                    }
                } catch (IOException e) {
                    first = keep(first, e);
                }
            }
            for (RuleSpec r : rules) {
                try {
                    // exactly this rule: all selectors and the priority it was added at
                    if (rtnl.findRule(r).isPresent() && rtnl.deleteRule(r)) removed.add("rule " + r);
                } catch (IOException e) {
                    first = keep(first, e);
                }
            }
        }
        if (first != null) throw first;
        return removed;
    }

    private static IOException keep(IOException first, IOException e) {
        if (first == null) return e;
        first.addSuppressed(e);
        return first;
    }

    /**
     * Scrubs every state file of this network namespace whose owner is gone (or only {@code tun}'s, when given),
     * and deletes those files. Files of live owners are left alone.
     *
     * @return what was removed, one line each
     */
    public static List<String> scrubLeftovers(String tun) throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path p : tun == null ? list() : List.of(path(tun))) {
            Optional<StateFile> s = read(p);
            if (s.isEmpty() || s.get().ownerAlive()) continue;
            List<String> r = s.get().scrub();
            for (String line : r) {
                LOG.log(System.Logger.Level.INFO, "removed what a stopped tunctl (pid {0}) left on {1}: {2}",
                        Long.toString(s.get().pid()), s.get().tun(), line);
            }
            removed.addAll(r);
            Files.deleteIfExists(p);
            removeIfEmpty(p.getParent());
        }
        return removed;
    }
}
