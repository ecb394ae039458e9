package io.tunctl.core.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test owns: created with a unique name ({@code prefix-<pid><random>}), loopback up,
 * deleted by {@link #close()} together with every process {@link #start started} in it. Every command is
 * bounded by a timeout. A JVM shutdown hook deletes namespaces a crashed test left behind.
 *
 * <pre>{@code
 * try (Netns a = Netns.create("tn-foo"); Netns b = Netns.create("tn-foo")) {
 *     Netns.veth(a, "va", "10.9.0.1/24", b, "vb", "10.9.0.2/24");
 *     a.exec("ping", "-c1", "-W1", "10.9.0.2").orThrow();
 * }
 * }</pre>
 */
public final class Netns implements AutoCloseable {
    /** Default bound for one command. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final Set<Netns> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Netns n : List.copyOf(OPEN)) n.close();
        }, "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace named {@code prefix-<pid><4 hex>} (prefix your area, e.g. {@code tn-nat}) and brings
     * its loopback up.
     */
    public static Netns create(String prefix) {
        Root.require();
        String name = prefix + "-" + ProcessHandle.current().pid()
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        host("ip", "netns", "add", name).orThrow();
        Netns ns = new Netns(name);
        OPEN.add(ns);
        try {
            ns.exec("ip", "link", "set", "lo", "up").orThrow();
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The namespace's name, as {@code ip -n} and {@code /var/run/netns/} know it. */
    public String name() { return name; }

    /** Runs a command in the root namespace with {@link #TIMEOUT}. */
    public static ProcessRunner.Result host(String... command) {
        return ProcessRunner.run(TIMEOUT, List.of(command));
    }

    /** Runs {@code command} inside this namespace ({@code ip netns exec}) with {@link #TIMEOUT}. */
    public ProcessRunner.Result exec(String... command) {
        return exec(TIMEOUT, command);
    }

    public ProcessRunner.Result exec(Duration timeout, String... command) {
        return ProcessRunner.run(timeout, inside(command));
    }

    /** Runs {@code ip <args>} against this namespace ({@code ip -n name ...}) and returns stdout, or throws. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return ProcessRunner.run(TIMEOUT, cmd).orThrow();
    }

    /**
     * Starts a long-running command in this namespace (a server, iperf3 -s...). It is killed, by its PID, when
     * the namespace closes; stdout and stderr go to {@code log} (appended) so it can never block on a full pipe.
     */
    public Process start(File log, String... command) {
        ProcessBuilder pb = new ProcessBuilder(inside(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command) + " in " + name, e);
        }
    }

    private List<String> inside(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /**
     * Connects two namespaces with a veth pair and gives each end an address (either may be null) and brings
     * both up. Pass {@code null} as a namespace for the root namespace.
     */
    public static void veth(Netns a, String ifA, String addrA, Netns b, String ifB, String addrB) {
        List<String> cmd = new ArrayList<>(List.of("ip", "link", "add", ifA));
        if (a != null) cmd.addAll(List.of("netns", a.name));
        cmd.addAll(List.of("type", "veth", "peer", "name", ifB));
        if (b != null) cmd.addAll(List.of("netns", b.name));
        ProcessRunner.run(TIMEOUT, cmd).orThrow();
        configure(a, ifA, addrA);
        configure(b, ifB, addrB);
    }

    private static void configure(Netns ns, String ifName, String addr) {
        List<String> pre = ns == null ? List.of("ip") : List.of("ip", "-n", ns.name);
        if (addr != null) run(pre, "addr", "add", addr, "dev", ifName);
        run(pre, "link", "set", ifName, "up");
    }

    private static void run(List<String> pre, String... args) {
        List<String> cmd = new ArrayList<>(pre);
        cmd.addAll(List.of(args));
        ProcessRunner.run(TIMEOUT, cmd).orThrow();
    }

    /** Kills the processes started here and deletes the namespace. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (processes) {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        // kill anything else still living in the namespace (e.g. a ping a test forgot), then delete it
        ProcessRunner.Result pids = ProcessRunner.run(TIMEOUT, List.of("ip", "netns", "pids", name));
        if (pids.ok()) {
            for (String pid : pids.stdout().split("\\s+")) {
                if (pid.isBlank()) continue;
                long n = Long.parseLong(pid.strip());
                if (n != ProcessHandle.current().pid()) ProcessHandle.of(n).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        ProcessRunner.run(TIMEOUT, List.of("ip", "netns", "del", name));
        OPEN.remove(this);
    }

    @Override
    public String toString() { return "netns " + name; }
}
