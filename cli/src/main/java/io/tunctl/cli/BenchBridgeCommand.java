package io.tunctl.cli;

import io.tunctl.core.bridge.PacketBridge;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Bridge;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tunctl bench-bridge}: the Java counterpart of bench/c/tunloop.c. One TUN in each of two namespaces,
 * configured through tunctl's own netlink code, and a {@link PacketBridge} copying packets between them. With
 * {@code --queues N} each TUN is a {@link io.tunctl.core.tun.MultiQueueDevice}: N reader threads a side, reader
 * <i>i</i> of one side writing into queue <i>i</i> of the other, so N flows move in parallel.
 * Prints {@code READY}, then a {@code STATS} line (tunloop's format) for every {@code stats} line on stdin;
 * ends on end of input or SIGTERM, removing both interfaces.
 */
@Command(name = "bench-bridge", hidden = true, description = "Java TUN-to-TUN bridge used by 'tunctl bench'.")
final class BenchBridgeCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--ns-a", required = true)
    String nsA;

    @Option(names = "--ns-b", required = true)
    String nsB;

    @Option(names = "--dev", required = true)
    String dev;

    @Option(names = "--addr-a", required = true)
    Cidr addrA;

    @Option(names = "--addr-b", required = true)
    Cidr addrB;

    @Option(names = "--mtu", defaultValue = "1420")
    int mtu;

    @Option(names = "--offload", description = "IFF_VNET_HDR with TSO: GSO super-packets pass through unchanged.")
    boolean offload;

    @Option(names = "--io", defaultValue = "poll", description = "TUN I/O: poll, uring or auto.")
    String io;

    @Option(names = "--queues", defaultValue = "1", description = "TUN queues per side (IFF_MULTI_QUEUE when > 1).")
    int queues;

    @Override
    public Integer call() throws Exception {
        InterfaceSpec a = new InterfaceSpec(dev, mtu, List.of(addrA), List.of(), List.of(), offload, queues, io);
        InterfaceSpec b = new InterfaceSpec(dev, mtu, List.of(addrB), List.of(), List.of(), offload, queues, io);
        try (LinuxInterface ia = NetworkNamespace.named(nsA).call(() -> LinuxInterface.create(a));
             LinuxInterface ib = NetworkNamespace.named(nsB).call(() -> LinuxInterface.create(b))) {
            Bridge bridge = PacketBridge.start(ia.device(), ib.device());
            Runtime.getRuntime().addShutdownHook(new Thread(bridge::close));
            PrintWriter out = spec.commandLine().getOut();
            out.println("READY dev=" + dev + " offload=" + offload + " io=" + io + " uring="
                    + ia.tun().usesUring() + " queues=" + queues + " (" + ia.device().describe() + ")");
            out.flush();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.strip().equals("stats")) {
                        Bridge.Counters c = bridge.counters();
                        out.printf("STATS t=%.3f a2b_pkts=%d a2b_bytes=%d b2a_pkts=%d b2a_bytes=%d drops=%d%n",
                                System.nanoTime() / 1e9, c.aToBPackets(), c.aToBBytes(), c.bToAPackets(),
                                c.bToABytes(), c.dropped());
                        out.println("# " + ia.device() + " " + ib.device());
                        out.flush();
                    }
                }
            }
            bridge.close();
            bridge.await();
        }
        return ExitCodes.OK;
    }
}
