package io.tunctl.cli.bench;

import io.tunctl.core.tun.NetworkNamespace;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Two network namespaces joined by a veth: {@code A 192.0.2.1/24 <=> B 192.0.2.2/24} (RFC 5737 addresses,
 * alive only inside the namespaces). Names carry the PID so that parallel benches never collide; closing
 * deletes both namespaces, which also destroys every interface inside them.
 */
final class Topology implements AutoCloseable {
    final String nsA;
    final String nsB;
    final InetAddress addrA;
    final InetAddress addrB;
    private final Exec exec;

    private Topology(Exec exec, String nsA, String nsB) throws IOException {
        this.exec = exec;
        this.nsA = nsA;
        this.nsB = nsB;
        this.addrA = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});
        this.addrB = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 2});
    }

    static Topology create(Exec exec) throws IOException {
        long pid = ProcessHandle.current().pid();
        Topology t = new Topology(exec, "tb-a-" + pid, "tb-b-" + pid);
        try {
            exec.run(10, "ip", "netns", "add", t.nsA);
            exec.run(10, "ip", "netns", "add", t.nsB);
            String va = "tbva" + pid % 100000;
            String vb = "tbvb" + pid % 100000;
            exec.run(10, "ip", "link", "add", va, "netns", t.nsA, "type", "veth", "peer", "name", vb, "netns", t.nsB);
            for (String ns : new String[] {t.nsA, t.nsB}) exec.run(10, "ip", "-n", ns, "link", "set", "lo", "up");
            exec.run(10, "ip", "-n", t.nsA, "addr", "add", "192.0.2.1/24", "dev", va);
            exec.run(10, "ip", "-n", t.nsB, "addr", "add", "192.0.2.2/24", "dev", vb);
            exec.run(10, "ip", "-n", t.nsA, "link", "set", va, "up");
            exec.run(10, "ip", "-n", t.nsB, "link", "set", vb, "up");
            t.awaitReachable("192.0.2.2");
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Waits (20 s at most) until {@code target} answers from namespace A; see {@link #awaitReachable(String, long)}. */
    void awaitReachable(String target) throws IOException {
        awaitReachable(target, 20_000);
    }

    /**
     * Sends ICMP echo requests from a thread inside namespace A until {@code target} replies, in-process (no
     * {@code ping} program): as root {@link InetAddress#isReachable} uses a raw ICMP socket and accepts only an
     * echo reply from {@code target} itself, so an answer proves packets cross the path both ways.
     */
    void awaitReachable(String target, long timeoutMs) throws IOException {
        InetAddress address = InetAddress.ofLiteral(target);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        String lastError = NetworkNamespace.named(nsA).call(() -> {
            String error = null;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return error == null ? "" : ": " + error;
                try {
                    if (address.isReachable((int) Math.min(left, 1000))) return null;
                } catch (IOException e) {
                    error = e.getMessage(); // e.g. "Network is unreachable" until the row's route exists
                }
                Exec.sleep(Math.min(left, 100)); // an immediate failure must not spin
            }
        });
        if (lastError != null) {
            throw new IOException("no echo reply from " + target + " in namespace " + nsA + " within "
                    + timeoutMs / 1000.0 + " s" + lastError);
        }
    }

    /**
     * Opens TCP connections from a thread inside namespace A to {@code target:port} (through the SOCKS5 server
     * {@code socks5} when not null) until one is established, for at most {@code timeoutMs}. For a path that
     * carries TCP but whose far end answers no ICMP echo for {@code target}: a transparent proxy. The connection
     * is closed at once; whatever listens on the port sees an empty stream.
     */
    void awaitTcp(String target, int port, InetSocketAddress socks5, long timeoutMs) throws IOException {
        InetSocketAddress to = new InetSocketAddress(InetAddress.ofLiteral(target), port);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        String lastError = NetworkNamespace.named(nsA).call(() -> {
            String error = "";
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return error;
                try (var c = Load.Builtin.open(to, socks5, (int) Math.clamp(left, 1, 1000))) {
                    return null;
                } catch (IOException e) {
                    error = ": " + e.getMessage(); // refused until the far end listens, say
                }
                Exec.sleep(Math.min(left, 100)); // an immediate failure must not spin
            }
        });
        if (lastError != null) {
            throw new IOException("no TCP connection to " + target + ":" + port + (socks5 == null ? "" : " via SOCKS5 "
                    + socks5.getAddress().getHostAddress() + ":" + socks5.getPort()) + " from namespace " + nsA
                    + " within " + timeoutMs / 1000.0 + " s" + lastError);
        }
    }

    @Override
    public void close() {
        exec.quiet("ip", "netns", "del", nsA);
        exec.quiet("ip", "netns", "del", nsB);
    }
}
