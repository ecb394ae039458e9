package io.tunctl.core.tun;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.PacketDeviceContract;
import io.tunctl.core.testkit.Root;

/**
 * Two real TUNs joined by the kernel pass the device contract: both live in one namespace of the test's own with
 * IPv4 forwarding on, so what is written into TUN a (from 192.0.2.2 to 198.51.100.2) is routed out of TUN b, and
 * back. The kernel decrements the TTL on the way ({@link #arriving}) and may drop when a TUN's queue is full, as any
 * router does ({@link #lossless}). IPv6 is off in the namespace so that no router solicitation or MLD report of the
 * kernel's own comes out of a TUN between the test's packets.
 */
class TunDeviceContractIT extends PacketDeviceContract {
    private static final byte[] HOST_A = {(byte) 192, 0, 2, 2};
    private static final byte[] HOST_B = {(byte) 198, 51, 100, 2};

    /** Plain TUNs here; {@link TunDeviceVnetContractIT} runs the same with IFF_VNET_HDR. */
    protected boolean vnetHdr() {
        return false;
    }

    @Override
    protected Pair open() throws Exception {
        Root.require();
        Netns ns = Netns.create("tn-contract");
        TunDevice a = null;
        TunDevice b = null;
        try {
            for (String s : new String[] {"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                    "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv4.ip_forward=1"}) {
                ns.exec("sysctl", "-q", "-w", s).orThrow();
            }
            NetworkNamespace inside = NetworkNamespace.named(ns.name());
            a = inside.call(() -> TunDevice.open(new TunOptions("tca0", vnetHdr(), false)));
            b = inside.call(() -> TunDevice.open(new TunOptions("tcb0", vnetHdr(), false)));
            up(ns, "tca0", "192.0.2.1/24");
            up(ns, "tcb0", "198.51.100.1/24");
            return new Pair(a, b, ns);
        } catch (Exception | Error e) {
            if (a != null) a.close();
            if (b != null) b.close();
            ns.close();
            throw e;
        }
    }

    /** Address, a queue long enough for the load cases' bursts, and up: the connected route does the rest. */
    private static void up(Netns ns, String dev, String address) {
        ns.ip("addr", "add", address, "dev", dev);
        ns.ip("link", "set", dev, "txqueuelen", "10000", "up");
    }

    @Override
    protected byte[] packetToB(int len, int seq) {
        return testPacket(HOST_A, HOST_B, len, seq);
    }

    @Override
    protected byte[] packetToA(int len, int seq) {
        return testPacket(HOST_B, HOST_A, len, seq);
    }

    @Override
    protected byte[] arriving(byte[] sent) {
        return routed(sent);
    }

    @Override
    protected boolean lossless() {
        return false;
    }
}
