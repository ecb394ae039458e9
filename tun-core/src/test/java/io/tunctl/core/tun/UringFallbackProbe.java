package io.tunctl.core.tun;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.PacketBatch;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM probe for {@link UringFallbackIT}, run in a namespace of the test's: opens two TUNs with the default
 * {@link TunIo} (the test passes {@code -Dtunctl.tun.io=auto}), then sends an echo request into the first and reads
 * the kernel's reply. Prints {@code io_uring=<bool> echo=ok} (exit 0) or exits 1.
 */
public final class UringFallbackProbe {
    private UringFallbackProbe() {}

    public static void main(String[] args) throws Exception {
        try (TunDevice a = TunDevice.open(TunOptions.named("tnfb0"));
             TunDevice b = TunDevice.open(TunOptions.named("tnfb1"));
             Arena arena = Arena.ofConfined()) {
            run("ip", "addr", "add", "192.0.2.1/24", "dev", "tnfb0");
            run("sysctl", "-qw", "net.ipv6.conf.tnfb0.disable_ipv6=1");
            run("ip", "link", "set", "tnfb0", "up");
            PacketBatch out = PacketBatch.allocate(arena, 1, 2048);
            byte[] p = TestPackets.icmpEcho(Cidr.parseAddress("192.0.2.9"), Cidr.parseAddress("192.0.2.1"), 7, 1);
            out.add(p, 0, p.length);
            a.write(out);
            PacketBatch in = PacketBatch.allocate(arena, 8, 2048);
            Thread timer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(10_000);
                    a.wakeup();
                } catch (InterruptedException ignored) {
                    // done in time
                }
            });
            int n = a.read(in);
            timer.interrupt();
            boolean reply = false;
            for (int i = 0; i < in.size(); i++) reply |= in.length(i) == p.length && in.view(i).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 20) == 0;
            System.out.println("io_uring=" + (a.usesUring() || b.usesUring()) + " echo=" + (n > 0 && reply ? "ok" : "none"));
            System.exit(n > 0 && reply ? 0 : 1);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd));
    }
}
