package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bench extension: lets {@code tunctl bench} measure a transport. The bench builds two network namespaces joined
 * by a veth (underlay A ↔ B), runs {@code tunctl up} with {@link Setup#configA()} in A and {@link Setup#configB()}
 * in B (either may be absent, see {@link Setup}), and drives TCP from A to the tunnel address of B.
 *
 * <p>Kept apart from the {@link TransportProvider} (bench scaffolding such as reverse-proxy configs does not belong
 * in production classes): a plugin registers its implementation as a service of its own, in {@code module-info}
 * ({@code provides io.tunctl.core.spi.Benchmarkable with ...}) and in
 * {@code META-INF/services/io.tunctl.core.spi.Benchmarkable} for the class path. The bench finds it with
 * {@link java.util.ServiceLoader}.
 */
public interface Benchmarkable {

    /**
     * The {@link TransportProvider#name() name} of the transport the rows run. The bench orders transports by it
     * and shows the rows that run {@code tunctl up} as not run when no such transport is installed.
     */
    String transport();

    /**
     * The rows this transport offers; row names are lower-case and hyphenated (e.g. {@code udp}, {@code http-tls}).
     * The bench calls this once per row with a {@link Network} of its own (distinct tunnel addresses and ports) and
     * uses the row at that position, so the list must come out in the same order every time, and each row's
     * interface names must differ from the other rows'.
     */
    List<Setup> benchSetups(Network network);

    /**
     * @param underlayA address of host A on the veth
     * @param underlayB address of host B on the veth
     * @param tunnelA   interface address (with prefix) to give the tunnel in A
     * @param tunnelB   interface address (with prefix) to give the tunnel in B; the load targets this
     * @param port      a free UDP/TCP port the transport may use on the underlay (and port + 1 .. + 9)
     * @param mtu       tunnel MTU to use
     */
    record Network(InetAddress underlayA, InetAddress underlayB, Cidr tunnelA, Cidr tunnelB, int port, int mtu) {}

    /**
     * One bench row: the complete config files (JSON, JSONC or YAML text) for each side, plus what has to run in
     * namespace B before the tunnels start (a reverse proxy, say). In configs, files and step arguments,
     * {@code %DIR%} stands for a scratch directory the bench makes for the row, {@code %CACHE%} for a directory
     * kept between runs (one per transport, for what {@link #prepare()} fetches or builds), and {@code %TUNCTL%}
     * for the {@code tunctl} launcher the bench runs (a step may start {@code tunctl} helpers, e.g. DHT nodes).
     *
     * <p>A side whose config is {@code null} runs no {@code tunctl}: a tun2socks-style row has its tunnel only in
     * A (its steps in B start the proxy and give B the target address, e.g. {@code ip addr add <tunnelB>/32 dev
     * lo}), and a row with neither config measures the path without tunctl, as a baseline for another row; such a
     * row runs even where the transport is not installed. With no {@code tunctl} in B nothing has to answer an ICMP
     * echo for the tunnel address, so the bench checks such a row by opening a TCP connection to the load's port
     * on tunnelB (through {@link Load#socks5()} if set) instead.
     *
     * @param files        files to write into {@code %DIR%} (name → content)
     * @param stepsB       commands run in namespace B with {@code %DIR%} as working directory, in order
     * @param load         how the bench's load reaches tunnelB
     * @param comparedWith another row of the same transport, or {@code null}: the bench also reports this row's
     *                     throughput as a ratio to that row's (per round, like the ratio to {@code direct}), and runs
     *                     that row whenever it runs this one
     * @param prepare      commands run first, outside the bench's namespaces (so with the machine's network, e.g. a
     *                     package manager), with {@code %CACHE%} as working directory, in order: fetch or build what
     *                     the row needs. They run on every bench, so they should be quick when their work is done
     *                     already. Like the steps in B, a row whose programs are not installed is not run.
     */
    record Setup(String row, String configA, String configB, Map<String, String> files, List<Step> stepsB,
                 Load load, String comparedWith, List<Step> prepare) {
        public Setup {
            Objects.requireNonNull(row, "row");
            files = Map.copyOf(files);
            stepsB = List.copyOf(stepsB);
            Objects.requireNonNull(load, "load");
            prepare = List.copyOf(prepare);
            for (Step p : prepare) {
                if (p.background()) throw new IllegalArgumentException("a prepare step runs to its end: " + p);
            }
        }

        public Setup(String row, String configA, String configB, Map<String, String> files, List<Step> stepsB,
                     Load load, String comparedWith) {
            this(row, configA, configB, files, stepsB, load, comparedWith, List.of());
        }

        public Setup(String row, String configA, String configB, Map<String, String> files, List<Step> stepsB) {
            this(row, configA, configB, files, stepsB, Load.ANY, null);
        }

        public Setup(String row, String configA, String configB) {
            this(row, configA, configB, Map.of(), List.of());
        }

        /** This row, measured with {@code load}. */
        public Setup withLoad(Load load) {
            return new Setup(row, configA, configB, files, stepsB, load, comparedWith, prepare);
        }

        /** This row, also reported as a ratio to {@code row} (see {@link #comparedWith()}). */
        public Setup comparedWith(String row) {
            return new Setup(this.row, configA, configB, files, stepsB, load, row, prepare);
        }

        /** This row, with {@code steps} run first outside the namespaces (see {@link #prepare()}). */
        public Setup withPrepare(List<Step> steps) {
            return new Setup(row, configA, configB, files, stepsB, load, comparedWith, steps);
        }

        /** Whether the row runs {@code tunctl up} at all, and so needs the transport installed. */
        public boolean runsTunctl() {
            return configA != null || configB != null;
        }
    }

    /**
     * How the load of a row reaches tunnelB.
     *
     * @param builtin measure with the bench's built-in TCP load even where iperf3 is installed: two rows whose
     *                ratio matters use the same load, and only the built-in one can speak SOCKS5
     * @param socks5  a SOCKS5 server (no authentication) the load client connects to first, asking it to CONNECT
     *                to tunnelB; {@code null} for a load that connects to tunnelB itself. Implies {@code builtin}.
     */
    record Load(boolean builtin, InetSocketAddress socks5) {
        /** Whatever load the bench uses for every row: iperf3 where installed. */
        public static final Load ANY = new Load(false, null);
        /** The built-in load, connecting to tunnelB itself. */
        public static final Load BUILTIN = new Load(true, null);

        public Load {
            if (socks5 != null && !builtin) throw new IllegalArgumentException("a SOCKS5 load is the built-in load");
            if (socks5 != null && socks5.isUnresolved()) {
                throw new IllegalArgumentException("SOCKS5 server must be an address, not a name: " + socks5);
            }
        }

        /** The built-in load through the SOCKS5 server at {@code server}. */
        public static Load socks5(InetSocketAddress server) {
            return new Load(true, Objects.requireNonNull(server, "server"));
        }
    }

    /**
     * A command for {@link Setup#stepsB()}.
     *
     * @param command    program and arguments
     * @param background keep it running until the bench ends (ended by PID), instead of waiting for it to exit
     * @param readyPort  for a background step: wait until something listens on this TCP port in B (0: don't)
     * @param readyText  for a background step: wait until its output (stdout and stderr) contains this text
     *                   ({@code null}: don't); for a program that serves UDP or says when it is ready
     */
    record Step(List<String> command, boolean background, int readyPort, String readyText) {
        public Step {
            command = List.copyOf(command);
            if (command.isEmpty()) throw new IllegalArgumentException("a step needs a program");
            if (!background && (readyPort != 0 || readyText != null)) {
                throw new IllegalArgumentException("only a background step waits to be ready: " + command);
            }
        }

        public Step(List<String> command, boolean background, int readyPort) {
            this(command, background, readyPort, null);
        }

        public static Step run(String... command) { return new Step(List.of(command), false, 0); }

        public static Step serve(int readyPort, String... command) { return new Step(List.of(command), true, readyPort); }

        /** A background step that is ready once its output contains {@code readyText}. */
        public static Step serveUntil(String readyText, String... command) {
            return new Step(List.of(command), true, 0, Objects.requireNonNull(readyText, "readyText"));
        }
    }
}
