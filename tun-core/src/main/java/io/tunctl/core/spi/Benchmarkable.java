package io.tunctl.core.spi;

import io.tunctl.core.packet.Cidr;

import java.net.InetAddress;
import java.util.List;

/**
 * A bench extension: lets {@code tunctl bench} measure a transport. The bench builds two network namespaces joined
 * by a veth (underlay A ↔ B), runs {@code tunctl up} with {@link Setup#configA()} in A and {@link Setup#configB()}
 * in B, and drives TCP from A to the tunnel address of B.
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
     * and shows the rows as not run when no such transport is installed.
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
     * {@code %DIR%} stands for a scratch directory the bench makes for the row.
     *
     * @param files  files to write into {@code %DIR%} (name → content)
     * @param stepsB commands run in namespace B with {@code %DIR%} as working directory, in order
     */
    record Setup(String row, String configA, String configB, java.util.Map<String, String> files, List<Step> stepsB) {
        public Setup(String row, String configA, String configB) {
            this(row, configA, configB, java.util.Map.of(), List.of());
        }
    }

    /**
     * A command for {@link Setup#stepsB()}.
     *
     * @param command    program and arguments
     * @param background keep it running until the bench ends (ended by PID), instead of waiting for it to exit
     * @param readyPort  for a background step: wait until something listens on this TCP port in B (0: don't)
     */
    record Step(List<String> command, boolean background, int readyPort) {
        public static Step run(String... command) { return new Step(List.of(command), false, 0); }

        public static Step serve(int readyPort, String... command) { return new Step(List.of(command), true, readyPort); }
    }
}
