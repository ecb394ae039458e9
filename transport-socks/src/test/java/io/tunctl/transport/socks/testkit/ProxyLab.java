package io.tunctl.transport.socks.testkit;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real proxies for tests, from Debian packages (installed on demand): Dante (SOCKS5 + SOCKS4 + UDP ASSOCIATE, with
 * and without username auth), microsocks (SOCKS5 without UDP, with and without auth), tinyproxy (HTTP CONNECT,
 * with and without Basic auth) and shadowsocks-libev ({@code ss-local} as a SOCKS5 front with UDP, over
 * {@code ss-server}). Each is started on first use, once, on a free high port; its config lives in a temp dir,
 * its PID is recorded, readiness is the port showing up as LISTEN in the namespace's {@code /proc/net/tcp*}, and
 * {@link #close()} kills every process by PID (with its children), deletes the throw-away system user Dante's
 * auth needs, and removes the temp dir.
 *
 * <p>By default the proxies run in the root namespace on 127.0.0.1 (and Dante also on ::1). For namespace
 * topologies pass a {@link Netns} and the listen address: the processes then run inside it ({@code ip netns
 * exec}), and Dante's external side is whatever {@link #danteExternal} says (default: {@code lo} plus nothing
 * else, which only reaches targets in the same namespace).
 *
 * <pre>{@code
 * try (ProxyLab lab = new ProxyLab()) {
 *     String url = lab.danteAuth(); // "socks5://tpx1a2b:<password>@127.0.0.1:43127"
 * }
 * }</pre>
 */
public final class ProxyLab implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(10);
    private static final int PORT_ATTEMPTS = 4;

    /** User and password of microsocks' and tinyproxy's auth instances (Dante's user is made per lab). */
    public static final String USER = "tpxuser";
    public static final String PASSWORD = "tpx-pass";
    /** Shadowsocks secret and cipher between ss-local and ss-server. */
    public static final String SS_PASSWORD = "tpx-ss-secret";
    public static final String SS_METHOD = "chacha20-ietf-poly1305";

    private final Netns netns;
    private final String listen;
    private final String listenV6;
    private final Path dir;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> started = new HashMap<>();
    private final Map<String, Process> byUrl = new LinkedHashMap<>();
    private final Thread cleanup = new Thread(this::close, "proxylab-cleanup");
    private List<String> danteExternal;
    private String danteUser;
    private String dantePassword;
    private boolean closed;

    /** Proxies in the root namespace on 127.0.0.1 (Dante also on ::1). */
    public ProxyLab() {
        this(null, "127.0.0.1", "::1");
    }

    /**
     * Proxies inside {@code netns} (null: the root namespace) listening on {@code listen} (an IPv4 or IPv6
     * literal the URLs carry); Dante also listens on {@code listenV6} when not null.
     */
    public ProxyLab(Netns netns, String listen, String listenV6) {
        Root.require();
        this.netns = netns;
        this.listen = listen;
        this.listenV6 = listenV6;
        this.danteExternal = List.of("lo");
        try {
            this.dir = Files.createTempDirectory("proxylab-");
            // Dante's unprivileged children (nobody) write the log: the dir must be reachable for them
            dir.toFile().setExecutable(true, false);
            dir.toFile().setWritable(true, false);
            dir.toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Dante's {@code external:} lines (interface names or addresses), for a namespace whose targets are reached
     * through another interface. Call before the first {@code dante*()}. Several get {@code external.rotation:
     * route} so that Dante picks by the routing table.
     */
    public synchronized ProxyLab danteExternal(String... externals) {
        this.danteExternal = List.of(externals);
        return this;
    }

    /** The directory holding configs and logs (kept for failure messages; deleted on close). */
    public Path dir() {
        return dir;
    }

    /** SOCKS5 (and SOCKS4: same port) without auth, with UDP ASSOCIATE. */
    public synchronized String dante() {
        return started.computeIfAbsent("dante", k -> startDante(false));
    }

    /** Dante with {@code socksmethod: username}, checked against a throw-away system user made for this lab. */
    public synchronized String danteAuth() {
        return started.computeIfAbsent("danteAuth", k -> startDante(true));
    }

    /** SOCKS5 without auth and without UDP (answers UDP ASSOCIATE with REP 7). */
    public synchronized String microsocks() {
        return started.computeIfAbsent("microsocks", k -> startMicrosocks(false));
    }

    /** microsocks with {@code -u USER -P PASSWORD}. */
    public synchronized String microsocksAuth() {
        return started.computeIfAbsent("microsocksAuth", k -> startMicrosocks(true));
    }

    /** HTTP CONNECT proxy without auth. */
    public synchronized String tinyproxy() {
        return started.computeIfAbsent("tinyproxy", k -> startTinyproxy(false));
    }

    /** tinyproxy with {@code BasicAuth USER PASSWORD}. */
    public synchronized String tinyproxyAuth() {
        return started.computeIfAbsent("tinyproxyAuth", k -> startTinyproxy(true));
    }

    /** {@code ss-local -u} (SOCKS5 with UDP) in front of an {@code ss-server -u}, chacha20-ietf-poly1305. */
    public synchronized String ssLocal() {
        return started.computeIfAbsent("ssLocal", k -> startShadowsocks());
    }

    /** The same URL with {@code socks4://} (Dante speaks both on one port). */
    public static String asSocks4(String socks5Url) {
        String rest = socks5Url.substring(socks5Url.indexOf("://") + 3);
        int at = rest.lastIndexOf('@');
        return "socks4://" + (at >= 0 ? rest.substring(at + 1) : rest);
    }

    /** Stops the proxy behind {@code url} (for "proxy went away" tests); a later call starts a fresh one. */
    public synchronized void stop(String url) {
        Process p = byUrl.remove(url);
        if (p == null) throw new IllegalArgumentException("not started by this lab: " + url);
        kill(p);
        started.values().remove(url);
    }

    /** The tail of every log file, for assertion messages. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(f);
                b.append("--- ").append(f.getFileName()).append('\n')
                        .append(text.length() > 2000 ? text.substring(text.length() - 2000) : text).append('\n');
            }
        } catch (IOException e) {
            b.append("(cannot read logs: ").append(e.getMessage()).append(")");
        }
        return b.toString();
    }

    private String host() {
        return listen.indexOf(':') >= 0 ? "[" + listen + "]" : listen;
    }

    private String startDante(boolean auth) {
        Root.ensureCommand("danted", "dante-server");
        String name = auth ? "danted-auth" : "danted";
        if (auth && danteUser == null) makeUser();
        return startOnFreePort(name, port -> {
            StringBuilder c = new StringBuilder();
            c.append("logoutput: ").append(dir.resolve(name + ".log")).append('\n');
            c.append("internal: ").append(listen).append(" port = ").append(port).append('\n');
            if (listenV6 != null) c.append("internal: ").append(listenV6).append(" port = ").append(port).append('\n');
            for (String e : danteExternal) c.append("external: ").append(e).append('\n');
            if (danteExternal.size() > 1) c.append("external.rotation: route\n");
            c.append("clientmethod: none\n");
            c.append("socksmethod: ").append(auth ? "username" : "none").append('\n');
            c.append("user.privileged: root\nuser.unprivileged: nobody\n");
            // without this Dante connect()s its UDP socket to the first destination, and replies from anyone
            // else (a second destination, a third party) never reach the client
            c.append("udp.connectdst: no\n");
            // Dante 1.4's parser rejects the one-line block form: keep these multi-line
            c.append("client pass {\n  from: 0/0 to: 0/0\n}\n");
            c.append("socks pass {\n  from: 0/0 to: 0/0\n  command: bind connect udpassociate bindreply udpreply\n"
                    + "  log: error connect\n}\n");
            Path conf = write(name + "-" + port + ".conf", c.toString());
            return List.of("danted", "-f", conf.toString(), "-p", dir.resolve(name + ".pid").toString());
        }, port -> "socks5://" + (auth ? danteUser + ":" + dantePassword + "@" : "") + host() + ":" + port);
    }

    private void makeUser() {
        danteUser = "tpx" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        dantePassword = "pw" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        ProcessRunner.run(Duration.ofSeconds(30), List.of("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", danteUser)).orThrow();
        ProcessRunner.run(Duration.ofSeconds(30), List.of("sh", "-c",
                "echo '" + danteUser + ":" + dantePassword + "' | chpasswd")).orThrow();
    }

    private String startMicrosocks(boolean auth) {
        Root.ensureCommand("microsocks", "microsocks");
        String name = auth ? "microsocks-auth" : "microsocks";
        return startOnFreePort(name, port -> {
            List<String> cmd = new ArrayList<>(List.of("microsocks", "-i", listen, "-p", String.valueOf(port)));
            if (auth) cmd.addAll(List.of("-u", USER, "-P", PASSWORD));
            return cmd;
        }, port -> "socks5://" + (auth ? USER + ":" + PASSWORD + "@" : "") + host() + ":" + port);
    }

    private String startTinyproxy(boolean auth) {
        Root.ensureCommand("tinyproxy", "tinyproxy");
        String name = auth ? "tinyproxy-auth" : "tinyproxy";
        return startOnFreePort(name, port -> {
            // it listens on one address only; its clients may sit in another namespace (socks tests), so allow any
            String conf = "Port " + port + "\nListen " + listen + "\nAllow 0.0.0.0/0\nAllow ::/0\nDisableViaHeader Yes\n"
                    + "MaxClients 100\nTimeout 60\nLogLevel Info\n"
                    + "PidFile \"" + dir.resolve(name + ".pid") + "\"\n"
                    + (auth ? "BasicAuth " + USER + " " + PASSWORD + "\n" : "");
            Path file = write(name + "-" + port + ".conf", conf);
            return List.of("tinyproxy", "-d", "-c", file.toString());
        }, port -> "http://" + (auth ? USER + ":" + PASSWORD + "@" : "") + host() + ":" + port);
    }

    private String startShadowsocks() {
        Root.ensureCommand("ss-server", "shadowsocks-libev");
        Root.ensureCommand("ss-local", "shadowsocks-libev");
        String server = startOnFreePort("ss-server", port -> List.of("ss-server", "-s", listen, "-p", String.valueOf(port),
                "-k", SS_PASSWORD, "-m", SS_METHOD, "-u"), port -> String.valueOf(port));
        return startOnFreePort("ss-local", port -> List.of("ss-local", "-s", listen, "-p", server, "-b", listen,
                "-l", String.valueOf(port), "-k", SS_PASSWORD, "-m", SS_METHOD, "-u"),
                port -> "socks5://" + host() + ":" + port);
    }

    private interface PortCommand {
        List<String> at(int port);
    }

    private interface PortUrl {
        String at(int port);
    }

    /**
     * Starts {@code name} on a random free high port and waits until it listens. Another process may grab the port
     * between our check and the proxy's bind: then the proxy exits or never listens, and we try another port.
     */
    private String startOnFreePort(String name, PortCommand command, PortUrl url) {
        String failures = "";
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            File log = dir.resolve(name + ".out.log").toFile();
            Process p = start(log, command.at(port));
            if (awaitListening(p, port)) {
                String u = url.at(port);
                byUrl.put(u, p);
                return u;
            }
            kill(p);
            failures += " port " + port + (p.isAlive() ? " (never listened)" : " (exited " + p.exitValue() + ")") + ";";
        }
        throw new IllegalStateException(name + " did not start:" + failures + "\n" + logs());
    }

    private Process start(File log, List<String> command) {
        if (netns != null) {
            Process p = netns.start(log, command.toArray(String[]::new));
            processes.add(p);
            return p;
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    private int freePort() {
        for (int i = 0; i < 50; i++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 60000);
            if (!listening().contains(port)) return port;
        }
        throw new IllegalStateException("no free port found");
    }

    private boolean awaitListening(Process p, int port) {
        long end = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) return false;
            if (listening().contains(port)) return true;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** TCP ports in LISTEN state in the lab's namespace, from /proc/net/tcp and tcp6 as seen there. */
    private java.util.Set<Integer> listening() {
        String text;
        if (netns == null) {
            StringBuilder b = new StringBuilder();
            for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                try {
                    b.append(Files.readString(Path.of(f)));
                } catch (IOException e) {
                    // no IPv6: tcp6 missing
                }
            }
            text = b.toString();
        } else {
            text = netns.exec("cat", "/proc/net/tcp", "/proc/net/tcp6").stdout();
        }
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[3].equals("0A")) {
                String local = f[1];
                ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
            }
        }
        return ports;
    }

    private Path write(String file, String text) {
        try {
            Path p = dir.resolve(file);
            Files.writeString(p, text);
            p.toFile().setReadable(true, false);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGTERM first, so that a forking server (Dante) stops and reaps its own children, then SIGKILL whatever is
     * left of the process and its descendants.
     */
    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            p.waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills every proxy by PID (children too), deletes the Dante user and the temp dir. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        synchronized (processes) {
            for (Process p : processes) kill(p);
        }
        if (danteUser != null) {
            ProcessRunner.run(Duration.ofSeconds(30), List.of("userdel", danteUser));
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
