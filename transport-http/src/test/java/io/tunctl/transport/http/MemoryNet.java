package io.tunctl.transport.http;

import io.tunctl.core.bridge.MemoryDevicePair;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * In-memory TUNs for in-process tests: every interface a {@link DefaultTunnelContext} opens is one end of a
 * {@link MemoryDevicePair}; the test holds the other end (the "kernel" side) to inject and catch packets, and
 * sees the addresses, routes and rules the transport asked for.
 */
public final class MemoryNet implements AutoCloseable {
    public final Map<String, Iface> interfaces = new ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "memnet-reader");
        t.setDaemon(true);
        return t;
    });
    private final Arena arena = Arena.ofAuto();
    private final int slots;

    /** Interfaces whose in-memory TUNs queue 1024 packets each way. */
    public MemoryNet() {
        this(1024);
    }

    /** Interfaces whose in-memory TUNs queue {@code slots} packets each way (64 KiB each with offload). */
    public MemoryNet(int slots) {
        this.slots = slots;
    }

    /** One interface: the spec it was opened with, what was added later, and the kernel-side device. */
    public final class Iface implements InterfaceHandle, AutoCloseable {
        public final InterfaceSpec spec;
        public final MemoryDevicePair pair;
        public final Set<Cidr> addresses = new CopyOnWriteArraySet<>();
        public final Set<RouteSpec> routes = new CopyOnWriteArraySet<>();
        public final Set<RuleSpec> rules = new CopyOnWriteArraySet<>();
        public volatile int mtu;
        private final PacketBatch in = PacketBatch.allocate(arena, 64, 65535);
        private final PacketBatch out = PacketBatch.allocate(arena, 1, 65535);
        private int next;

        Iface(InterfaceSpec spec) {
            this.spec = spec;
            this.pair = new MemoryDevicePair(slots, spec.mtu(), spec.vnetHdr());
            addresses.addAll(spec.addresses());
            routes.addAll(spec.routes());
            rules.addAll(spec.rules());
            mtu = spec.mtu();
        }

        @Override
        public PacketDevice device() { return pair.a(); }

        public PacketDevice kernel() { return pair.b(); }

        @Override
        public String name() { return spec.name(); }

        @Override
        public int index() { return 1; }

        @Override
        public void addAddress(Cidr address) { addresses.add(address); }

        @Override
        public void addRoute(RouteSpec route) { routes.add(route); }

        @Override
        public void addRule(RuleSpec rule) { rules.add(rule); }

        @Override
        public void removeAddress(Cidr address) { addresses.remove(address); }

        @Override
        public void removeRoute(RouteSpec route) { routes.remove(route); }

        @Override
        public void removeRule(RuleSpec rule) { rules.remove(rule); }

        @Override
        public void setMtu(int m) { mtu = m; }

        /** The kernel routes {@code packet} into the tunnel (with offload metadata). */
        public synchronized void inject(byte[] packet, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
                                        int csumOffset) throws IOException {
            out.clear();
            int i = out.add(packet, 0, packet.length);
            out.setOffload(i, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
            kernel().write(out);
        }

        public void inject(byte[] packet) throws IOException {
            inject(packet, 0, 0, 0, 0, 0, 0);
        }

        /** The next packet the tunnel delivered to this interface, or a TimeoutException. */
        public synchronized Received receive(long millis) throws Exception {
            if (next >= in.size()) {
                in.clear();
                next = 0;
                Future<Integer> f = readers.submit(() -> kernel().read(in));
                try {
                    int n = f.get(millis, TimeUnit.MILLISECONDS);
                    if (n < 0) throw new IOException("interface closed");
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw e;
                }
            }
            int i = next++;
            return new Received(in.toArray(i), in.flags(i), in.gsoType(i), in.gsoSize(i));
        }

        @Override
        public void close() throws IOException {
            pair.close();
        }
    }

    public record Received(byte[] packet, int flags, int gsoType, int gsoSize) {}

    public DefaultTunnelContext context() {
        return new DefaultTunnelContext(spec -> {
            Iface i = new Iface(spec);
            interfaces.put(spec.name(), i);
            return i;
        }, null, System.getLogger("tunctl.http.test"));
    }

    public Iface await(String name, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            Iface i = interfaces.get(name);
            if (i != null) return i;
            Thread.sleep(20);
        }
        throw new AssertionError("interface " + name + " was not opened within " + millis + " ms");
    }

    /** An IPv4 UDP packet src → dst of {@code len} bytes with a valid header checksum. */
    public static byte[] udp4(String src, String dst, int len, int seq) {
        byte[] p = new byte[len];
        p[0] = 0x45;
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(Cidr.parseAddress(src), 0, p, 12, 4);
        System.arraycopy(Cidr.parseAddress(dst), 0, p, 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        sum = ~sum & 0xffff;
        p[10] = (byte) (sum >>> 8);
        p[11] = (byte) sum;
        for (int i = 28; i < len; i++) p[i] = (byte) (seq + i);
        return p;
    }

    /** An IPv6 UDP packet of {@code len} bytes. */
    public static byte[] udp6(String src, String dst, int len, int seq) {
        byte[] p = new byte[len];
        p[0] = 0x60;
        int payload = len - 40;
        p[4] = (byte) (payload >>> 8);
        p[5] = (byte) payload;
        p[6] = 17;
        p[7] = 64;
        System.arraycopy(Cidr.parseAddress(src), 0, p, 8, 16);
        System.arraycopy(Cidr.parseAddress(dst), 0, p, 24, 16);
        for (int i = 48; i < len; i++) p[i] = (byte) (seq + i);
        return p;
    }

    @Override
    public void close() throws IOException {
        for (Iface i : interfaces.values()) i.close();
        readers.shutdownNow();
    }
}
