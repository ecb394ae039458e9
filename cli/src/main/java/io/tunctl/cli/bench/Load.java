package io.tunctl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/** Drives TCP from namespace A to a target in namespace B and measures goodput. */
abstract sealed class Load implements AutoCloseable {
    static final int PORT = 5299;

    final Exec exec;
    final Topology topo;
    Process server;

    Load(Exec exec, Topology topo) {
        this.exec = exec;
        this.topo = topo;
    }

    /** What the table says measured the rows. */
    abstract String describe();

    abstract void start() throws IOException;

    /** One run of {@code seconds}; returns Gbit/s received. */
    abstract double gbps(String target, int seconds, int streams) throws IOException;

    @Override
    public void close() {
        if (server != null) server.destroy();
    }

    /** iperf3 from Debian: the usual tool, so numbers compare with bench/*.sh and other projects'. */
    static final class Iperf3 extends Load {
        private static final ObjectMapper JSON = new ObjectMapper();

        Iperf3(Exec exec, Topology topo) {
            super(exec, topo);
        }

        @Override
        String describe() { return "iperf3"; }

        @Override
        void start() throws IOException {
            server = exec.start("iperf3-server", "ip", "netns", "exec", topo.nsB, "iperf3", "-s", "-p",
                    Integer.toString(PORT));
            // iperf3 buffers its banner when writing to a file, so wait for the socket instead
            for (int i = 0; i < 100; i++) {
                String listening = exec.run(5, "ip", "netns", "exec", topo.nsB, "ss", "-Htln", "sport = :" + PORT);
                if (!listening.isBlank()) return;
                if (!server.isAlive()) break;
                Exec.sleep(50);
            }
            throw new IOException("iperf3 -s did not start listening on port " + PORT + " in " + topo.nsB);
        }

        @Override
        double gbps(String target, int seconds, int streams) throws IOException {
            String out = exec.run(seconds + 20L, "ip", "netns", "exec", topo.nsA, "iperf3", "-c", target, "-p",
                    Integer.toString(PORT), "-t", Integer.toString(seconds), "-O", seconds >= 4 ? "1" : "0", "-P",
                    Integer.toString(streams), "-J");
            JsonNode end = JSON.readTree(out).path("end").path("sum_received").path("bits_per_second");
            if (!end.isNumber()) throw new IOException("iperf3 to " + target + " gave no result: " + out.strip());
            return end.asDouble() / 1e9;
        }
    }

    /** tunctl's own TCP sink and source ({@code tunctl bench-load}), for machines without iperf3. */
    static final class Builtin extends Load {
        private final String launcher;

        Builtin(Exec exec, Topology topo, String launcher) {
            super(exec, topo);
            this.launcher = launcher;
        }

        @Override
        String describe() {
            return Exec.onPath("iperf3") ? "builtin TCP load" : "builtin TCP load (iperf3 not installed)";
        }

        @Override
        void start() throws IOException {
            server = exec.start("load-server", "ip", "netns", "exec", topo.nsB, launcher, "bench-load", "serve",
                    "--port", Integer.toString(PORT));
            exec.awaitLog(server, "load-server", "READY", 20_000);
        }

        @Override
        double gbps(String target, int seconds, int streams) throws IOException {
            String out = exec.run(seconds + 30L, "ip", "netns", "exec", topo.nsA, launcher, "bench-load", "send",
                    "--to", target + ":" + PORT, "--seconds", Integer.toString(seconds),
                    "--streams", Integer.toString(streams));
            for (String line : out.split("\n")) {
                if (line.startsWith("bits_per_second ")) return Double.parseDouble(line.substring(16).strip()) / 1e9;
            }
            throw new IOException("bench-load to " + target + " gave no result: " + out.strip());
        }
    }
}
