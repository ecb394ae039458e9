package io.tunctl.cli;

import io.tunctl.core.bridge.MemoryDevicePair;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.packet.PacketBuilder;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.runtime.TunnelConfig;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.tun.Interfaces;
import io.tunctl.core.tun.NativeWarmUp;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code tunctl aot-training} (hidden): the workload {@code ./build.sh} records the JVM's AOT cache from. It runs what
 * {@code tunctl --version}, {@code validate} and {@code up} load and link without root: picocli, the config readers
 * (Jackson) of every transport found, and the core's bridge path, by bringing the udp tunnel up with in-memory devices
 * instead of TUNs, on loopback only, and sending packets through it. The http and socks tunnels are only validated:
 * the JVM loads every class of the cache at start (AOT class linking) and keeps all of it resident, so Netty's
 * classes there would cost every transport's idle memory (about 15 MiB). Steps that fail are skipped (the cache then
 * lacks their classes, nothing else); it prints one line per step.
 *
 * <p>With {@code --short} it runs only what the commands without a subcommand load ({@code --version}, the usage
 * message) for the launcher's second, smaller cache: the JVM relocates and loads a whole cache at every start, so
 * those commands start sooner from a cache of their own classes.
 */
@Command(name = "aot-training", hidden = true,
        description = "Run the start-up workload the AOT cache is trained on (used by ./build.sh).")
final class AotTrainingCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("tunctl");

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Option(names = "--short",
            description = "Only what commands without a subcommand load: --version and the usage message.")
    boolean shortCommands;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (shortCommands) {
            rootCommandLines();
            out.println("aot-training: --version and usage");
            return ExitCodes.OK;
        }
        Transports transports = Transports.load();
        Path dir = Files.createTempDirectory("tunctl-aot");
        try {
            commandLines(dir.resolve("udp-a.yaml").toString());
            natives(out);
            int udpA = freePort(), udpB = freePort(), http = freePort();
            step(out, transports, dir, "udp", true, pair(
                    config("udp-a.yaml", udp("198.51.100.1/24", udpA, udpB)),
                    config("udp-b.yaml", udp("198.51.100.2/24", udpB, udpA))), "198.51.100.1", "198.51.100.2");
            step(out, transports, dir, "http", false, pair(
                    config("http-server.json", """
                            [ { "name": "aot0", "listen": "127.0.0.1", "port": %d, "net": "10.77.0.1/24",
                                "clients": [ { "token": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "ip": "10.77.0.2" } ] } ]
                            """.formatted(http)),
                    config("http-client.json", """
                            [ { "name": "aot1", "server": "http://127.0.0.1:%d/ip", "token": "test" } ]
                            """.formatted(http))), "10.77.0.1", "10.77.0.2");
            // the proxy port is closed: the socks tunnel comes up (nothing dials before a flow) and goes down
            step(out, transports, dir, "socks", false, List.of(config("socks.yaml", """
                    transport: socks
                    interface: { name: aot2, mtu: 1500, offload: true, addresses: [127.77.0.1/30] }
                    socks: { proxy: "socks5://127.0.0.1:%d" }
                    """.formatted(freePort()))), null, null);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * What picocli does at start: {@code --version}, the full tree (what {@code --help} and a usage error print),
     * each command's own tree (what its start builds, see {@link Main#commandLine(PrintWriter, PrintWriter, String...)})
     * and the parse of {@code up} and {@code validate} with a file.
     */
    private static void commandLines(String file) {
        rootCommandLines();
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        for (String name : TunctlCommand.COMMANDS) Main.commandLine(nowhere, nowhere, name);
        for (String name : List.of("up", "validate")) {
            Main.commandLine(nowhere, nowhere, name, file).parseArgs(name, file);
        }
    }

    /** The Linux TUN path's libc and netlink calls, on targets where they change nothing (see {@link NativeWarmUp}). */
    private static void natives(PrintWriter out) {
        try {
            if (Interfaces.os(System.getProperty("os.name")) != Interfaces.Os.LINUX) return;
            out.println("aot-training: native calls: " + NativeWarmUp.run() + " of " + NativeWarmUp.CALLS + " as expected");
        } catch (IOException | RuntimeException e) {
            out.println("aot-training: native calls: " + ErrorHandler.message(e) + " (skipped)");
        }
    }

    /** {@code tunctl --version} and the full tree's usage message (what {@code --help} and a usage error print). */
    private static void rootCommandLines() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        Main.commandLine(nowhere, nowhere).getUsageMessage();
        Main.commandLine(nowhere, nowhere, "--version").execute("--version");
    }

    private record Config(String file, String text) {}

    private static Config config(String file, String text) { return new Config(file, text); }

    private static List<Config> pair(Config a, Config b) { return List.of(a, b); }

    private static String udp(String tun, int listen, int peer) {
        return """
                transport: udp
                interface: { name: aotu, mtu: 1420, addresses: ["%s"] }
                udp: { listen: "127.0.0.1:%d", peer: "127.0.0.1:%d" }
                """.formatted(tun, listen, peer);
    }

    /**
     * Validates every config of one transport; with {@code open}, also opens them (a server before its client), sends
     * UDP packets from the first tunnel's "kernel" to {@code to}, and closes them all.
     */
    private static void step(PrintWriter out, Transports transports, Path dir, String transport, boolean open,
                             List<Config> configs, String from, String to) {
        if (transports.find(transport).isEmpty()) {
            out.println("aot-training: " + transport + ": not installed, skipped");
            return;
        }
        List<Running> up = new ArrayList<>();
        try {
            for (Config c : configs) {
                Path f = dir.resolve(c.file());
                Files.writeString(f, c.text());
                TunnelConfig tc = TunnelConfig.load(f, transports);
                if (open) up.add(open(tc));
            }
            if (!open) {
                out.println("aot-training: " + transport + ": validated");
                return;
            }
            int delivered = from == null ? 0 : traffic(up.getFirst(), up.getLast(), from, to);
            out.println("aot-training: " + transport + ": up, " + delivered + " packets through");
        } catch (Exception e) {
            out.println("aot-training: " + transport + ": " + ErrorHandler.message(e) + " (skipped)");
        } finally {
            for (Running r : up.reversed()) r.close();
        }
    }

    /** A tunnel whose interface is one end of an in-memory pair; {@code kernel} is the other end. */
    private record Running(Tunnel tunnel, DefaultTunnelContext context, AtomicReference<MemoryDevicePair> devices) {
        PacketDevice kernel() {
            MemoryDevicePair d = devices.get();
            return d == null ? null : d.b();
        }

        void close() {
            try {
                tunnel.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "aot-training: close: " + e);
            }
            try {
                context.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "aot-training: close: " + e);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Running open(TunnelConfig tc) throws IOException {
        var devices = new AtomicReference<MemoryDevicePair>(); // set by whichever thread opens the interface
        DefaultTunnelContext ctx = new DefaultTunnelContext(spec -> {
            MemoryDevicePair d = new MemoryDevicePair(64, spec.mtu(), false);
            devices.set(d);
            return new MemoryInterface(spec, d.a());
        }, tc.interfaceSpec(), System.getLogger("tunctl.aot-training"));
        TransportProvider p = tc.provider();
        try {
            return new Running(p.open(tc.config(), ctx), ctx, devices);
        } catch (IOException | RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Sends UDP packets into {@code a}'s interface towards {@code to} and counts what {@code b}'s delivers. */
    private static int traffic(Running a, Running b, String from, String to) throws Exception {
        int src = v4(from), dst = v4(to);
        try (Arena arena = Arena.ofConfined()) {
            PacketBatch out = PacketBatch.allocate(arena, 16, 1420);
            PacketBatch in = PacketBatch.allocate(arena, 64, 1420);
            MemorySegment payload = arena.allocate(1000);
            int delivered = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            // a client opens its interface once connected
            while (b.kernel() == null && System.nanoTime() < deadline) Thread.sleep(10);
            PacketDevice sink = b.kernel();
            if (sink == null) return 0;
            // a read waits for a packet; lost ones (UDP, a client still connecting) must not hold it: wake it often
            Thread waker = Thread.ofPlatform().daemon().name("aot-training-waker").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    sink.wakeup();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                for (int round = 0; round < 200 && delivered < 1000 && System.nanoTime() < deadline; round++) {
                    out.clear();
                    for (int i = 0; i < out.capacity(); i++) {
                        int len = PacketBuilder.udp4(out.buffer(i), 0, 1420, src, 40000, dst, 9, payload, 0, 1000, i);
                        out.commit(len);
                    }
                    a.kernel().write(out);
                    in.clear();
                    sink.read(in);
                    delivered += in.size();
                }
            } finally {
                waker.interrupt();
            }
            return delivered;
        }
    }

    private static int v4(String address) throws IOException {
        byte[] b = InetAddress.getByName(address).getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An interface that is a memory device: addresses, routes and rules are accepted and ignored. */
    private record MemoryInterface(InterfaceSpec spec, PacketDevice device) implements InterfaceHandle {
        @Override public String name() { return spec.name(); }
        @Override public int index() { return 0; }
        @Override public void addAddress(Cidr address) {}
        @Override public void addRoute(RouteSpec route) {}
        @Override public void addRule(RuleSpec rule) {}
        @Override public void removeAddress(Cidr address) {}
        @Override public void removeRoute(RouteSpec route) {}
        @Override public void removeRule(RuleSpec rule) {}
        @Override public void setMtu(int mtu) {}
    }
}
