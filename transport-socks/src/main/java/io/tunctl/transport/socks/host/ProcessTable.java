package io.tunctl.transport.socks.host;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which local sockets belong to processes of given names, read from Linux {@code /proc} as {@code ss -p} does:
 * {@code /proc/<pid>/comm} names the process, {@code /proc/<pid>/fd/*} links to {@code socket:[inode]}, and
 * {@code /proc/net/{tcp,tcp6,udp,udp6}} maps an inode to its local address and port. Only the fds of processes
 * whose name is on the list are read, so a scan costs one small read per process plus the listed processes' fds.
 *
 * <p>The parsers are pure (tested with fixtures); {@link #scan} does the I/O within a time budget.
 */
public final class ProcessTable {
    /** The kernel's comm is at most 15 characters; a longer name is cut there. */
    static final int COMM_MAX = 15;
    static final int TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2;
    /** A bound on what one scan keeps, whatever the host has. */
    static final int MAX_SOCKETS = 1 << 16;

    private ProcessTable() {}

    /** A local socket endpoint of a listed process ({@code address} unmapped from IPv4-mapped IPv6). */
    public record Endpoint(boolean tcp, InetAddress address, int port) {}

    /**
     * What a scan found.
     *
     * @param endpoints the listed processes' sockets
     * @param pids      the listed processes (their {@code /proc/<pid>} directories), for a quick {@link #rescan}
     */
    public record Result(Set<Endpoint> endpoints, Set<Path> pids) {
        public static final Result EMPTY = new Result(Set.of(), Set.of());
    }

    /** One line of {@code /proc/net/tcp*} or {@code udp*}. */
    record Socket(InetAddress local, int port, int state, long inode) {}

    /** nano-tun's normalisation: trimmed, lower case, without a trailing {@code .exe}. */
    public static String normalise(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".exe") ? n.substring(0, n.length() - 4) : n;
    }

    /**
     * The lines of a {@code /proc/net/{tcp,tcp6,udp,udp6}} file. Addresses are printed as 32-bit words in the
     * host's byte order (8 hex digits for IPv4, four such words for IPv6); malformed lines are skipped.
     */
    static List<Socket> parseNet(String content) {
        List<Socket> out = new ArrayList<>();
        for (String line : content.split("\n")) {
            String[] f = line.strip().split("\\s+");
            // sl local rem st tx:rx tr:when retr uid timeout inode ...
            if (f.length < 10 || !f[0].endsWith(":")) continue;
            int colon = f[1].indexOf(':');
            if (colon < 0) continue;
            try {
                InetAddress a = address(f[1].substring(0, colon));
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                int state = Integer.parseInt(f[3], 16);
                long inode = Long.parseLong(f[9]);
                if (a != null) out.add(new Socket(a, port, state, inode));
            } catch (NumberFormatException e) {
                // a header or a line of another format
            }
        }
        return out;
    }

    /** An address as {@code /proc/net} prints it, IPv4-mapped IPv6 unmapped; null when malformed. */
    static InetAddress address(String hex) {
        if (hex.length() != 8 && hex.length() != 32) return null;
        byte[] b = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int w = 0; w < b.length / 4; w++) {
            long word = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int k = 0; k < 4; k++) {
                int shift = little ? 8 * k : 8 * (3 - k);
                b[w * 4 + k] = (byte) (word >>> shift);
            }
        }
        try {
            return InetAddress.getByAddress(b); // turns ::ffff:a.b.c.d into an Inet4Address
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The inode of an fd link {@code socket:[12345]}, or -1 for anything else. */
    static long socketInode(String link) {
        if (!link.startsWith("socket:[") || !link.endsWith("]")) return -1;
        try {
            return Long.parseLong(link.substring(8, link.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A process's name: its comm, unless that is {@value #COMM_MAX} characters long (perhaps cut), then the
     * basename of its executable (or of argv[0]) when that starts with the comm.
     *
     * @param comm  {@code /proc/<pid>/comm} without the newline
     * @param exe   the {@code /proc/<pid>/exe} link target, or null
     * @param argv0 the first {@code cmdline} field, or null
     */
    static String processName(String comm, String exe, String argv0) {
        if (comm.length() < COMM_MAX) return comm;
        for (String full : new String[] {exe, argv0}) {
            if (full == null || full.isEmpty()) continue;
            String base = full.substring(full.lastIndexOf('/') + 1);
            if (base.endsWith(" (deleted)")) base = base.substring(0, base.length() - 10);
            if (base.startsWith(comm)) return base;
        }
        return comm;
    }

    /** Whether a process whose comm is {@code comm} may have one of {@code names} (normalised). */
    static boolean mayMatch(String comm, Set<String> names) {
        String c = normalise(comm);
        if (comm.length() < COMM_MAX) return names.contains(c);
        for (String n : names) if (n.startsWith(c)) return true;
        return false;
    }

    /**
     * The endpoints of every TCP socket in ESTABLISHED or SYN_SENT (a dial-first flow holds the application's SYN:
     * its socket is still connecting when it is looked up) and every UDP socket owned by a process whose
     * normalised name is in {@code names}, in this process's network namespace.
     *
     * @param proc     the proc file system ({@code /proc})
     * @param deadline {@link System#nanoTime()} after which the scan stops with what it has
     */
    public static Result scan(Path proc, Set<String> names, long deadline) {
        Set<Long> inodes = new HashSet<>();
        Set<Path> matched = new HashSet<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pid : pids) {
                if (System.nanoTime() - deadline > 0 || inodes.size() >= MAX_SOCKETS) break;
                String comm = readLine(pid.resolve("comm"));
                if (comm == null || !mayMatch(comm, names)) continue;
                if (comm.length() >= COMM_MAX) {
                    String name = processName(comm, link(pid.resolve("exe")), argv0(pid));
                    if (!names.contains(normalise(name))) continue;
                }
                matched.add(pid);
                socketsOf(pid, inodes, deadline);
            }
        } catch (IOException e) {
            return Result.EMPTY;
        }
        return new Result(endpoints(proc, inodes), Set.copyOf(matched));
    }

    /**
     * A scan of processes a full {@link #scan} found, for sockets they opened since (a process that has ended
     * drops out; a new one is left to the next full scan).
     */
    public static Result rescan(Path proc, Set<Path> pids, long deadline) {
        Set<Long> inodes = new HashSet<>();
        Set<Path> alive = new HashSet<>();
        for (Path pid : pids) {
            if (System.nanoTime() - deadline > 0) break;
            if (!Files.isDirectory(pid.resolve("fd"))) continue;
            alive.add(pid);
            socketsOf(pid, inodes, deadline);
        }
        return new Result(endpoints(proc, inodes), Set.copyOf(alive));
    }

    private static Set<Endpoint> endpoints(Path proc, Set<Long> inodes) {
        if (inodes.isEmpty()) return Set.of();
        Set<Endpoint> out = new HashSet<>();
        Path net = proc.resolve("self").resolve("net");
        for (String file : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
            boolean tcp = file.startsWith("tcp");
            String content;
            try {
                content = Files.readString(net.resolve(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue; // no IPv6 in this kernel, say
            }
            for (Socket s : parseNet(content)) {
                if (!inodes.contains(s.inode())) continue;
                if (tcp && s.state() != TCP_ESTABLISHED && s.state() != TCP_SYN_SENT) continue;
                if (out.size() < MAX_SOCKETS) out.add(new Endpoint(tcp, s.local(), s.port()));
            }
        }
        return out;
    }

    private static void socketsOf(Path pid, Set<Long> inodes, long deadline) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
            for (Path fd : fds) {
                if (System.nanoTime() - deadline > 0 || inodes.size() >= MAX_SOCKETS) return;
                String target = link(fd);
                long inode = target == null ? -1 : socketInode(target);
                if (inode >= 0) inodes.add(inode);
            }
        } catch (IOException | SecurityException e) {
            // the process ended, or its fds are not ours to read
        }
    }

    /** Whether {@code e} (a flow's application end) is one of {@code endpoints}; UDP also by a wildcard bind. */
    public static boolean contains(Set<Endpoint> endpoints, boolean tcp, InetAddress address, int port) {
        if (endpoints.isEmpty()) return false;
        if (endpoints.contains(new Endpoint(tcp, address, port))) return true;
        if (tcp) return false;
        // a UDP socket bound to 0.0.0.0 or [::] (which takes IPv4 too) sends from whatever address the route picks
        return (!(address instanceof Inet6Address) && endpoints.contains(new Endpoint(false, ANY4, port)))
                || endpoints.contains(new Endpoint(false, ANY6, port));
    }

    private static final InetAddress ANY4 = InetAddress.ofLiteral("0.0.0.0");
    private static final InetAddress ANY6 = InetAddress.ofLiteral("::");

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static String readLine(Path p) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return nl >= 0 ? s.substring(0, nl) : s;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String argv0(Path pid) {
        try {
            byte[] b = Files.readAllBytes(pid.resolve("cmdline"));
            int end = 0;
            while (end < b.length && b[end] != 0) end++;
            return new String(b, 0, end, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
