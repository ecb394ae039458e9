package io.tunctl.cli.bench;

import java.io.IOException;
import java.net.InetAddress;

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
            t.awaitPing("192.0.2.2");
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Pings from A until {@code target} answers (10 s at most). */
    void awaitPing(String target) throws IOException {
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                exec.run(5, "ip", "netns", "exec", nsA, "ping", "-c1", "-W1", "-q", target);
                return;
            } catch (IOException e) {
                last = e;
                Exec.sleep(200);
            }
        }
        throw new IOException("no ping reply from " + target + " in namespace " + nsA, last);
    }

    @Override
    public void close() {
        exec.quiet("ip", "netns", "del", nsA);
        exec.quiet("ip", "netns", "del", nsB);
    }
}
