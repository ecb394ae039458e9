package io.tunctl.core.testkit;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;

import java.io.IOException;
import java.util.List;

/**
 * The topology of the socket-bypass tests: namespace A has a TUN that took every route (table 1000 holds
 * {@code default dev <tun>}, and wg-quick's rule {@code not fwmark 0x51820 lookup 1000} sends everything unmarked
 * there), and a veth to namespace B: A 198.51.100.1/24, B 198.51.100.2/24. Only a socket that is marked or bound to
 * the veth ({@link #vethA}) reaches B. Closing removes the TUN and both namespaces.
 *
 * @param vethA the veth's name in A (what a socket is bound to, to go around the tunnel)
 */
public record BypassNet(Netns a, Netns b, NetworkNamespace inA, NetworkNamespace inB, LinuxInterface tun, String vethA)
        implements AutoCloseable {
    public static final long MARK = 0x51820;

    /** Builds it with names made from {@code tag} (a few letters, unique per test class). */
    public static BypassNet create(String tag) throws IOException {
        Root.require();
        Netns a = Netns.create("tn-" + tag);
        Netns b = null;
        try {
            b = Netns.create("tn-" + tag);
            // strict reverse-path filtering would drop B's answers: the reverse lookup of 198.51.100.2 finds the TUN
            a.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0").orThrow();
            a.exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0").orThrow();
            String vethA = "v" + tag + "a";
            Netns.veth(a, vethA, "198.51.100.1/24", b, "v" + tag + "b", "198.51.100.2/24");
            NetworkNamespace inA = NetworkNamespace.named(a.name());
            LinuxInterface tun = inA.call(() -> LinuxInterface.create(new InterfaceSpec("tn" + tag + "0", 1420,
                    List.of(Cidr.parse("192.0.2.1/24")), List.of(RouteSpec.parse("0.0.0.0/0").inTable(1000)),
                    List.of(new RuleSpec(4, MARK, null, 1000, 100, true)), false, 1)));
            return new BypassNet(a, b, inA, NetworkNamespace.named(b.name()), tun, vethA);
        } catch (IOException | RuntimeException e) {
            if (b != null) b.close();
            a.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            tun.close();
        } finally {
            a.close();
            b.close();
        }
    }
}
