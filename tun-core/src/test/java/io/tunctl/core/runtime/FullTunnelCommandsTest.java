package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FullTunnelCommandsTest {
    private static final FullTunnelCommands.Gateway MAC_GW = new FullTunnelCommands.Gateway("192.0.2.1", "en0");

    @Test
    void macDefaultRouteAndDnsAreReadFromTheToolsOutput() throws Exception {
        String route = """
                   route to: default
                destination: default
                       mask: default
                    gateway: 192.0.2.1
                  interface: en0
                      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING>
                """;
        assertEquals(MAC_GW, FullTunnelCommands.parseDarwinDefault(route));
        assertThrows(IOException.class, () -> FullTunnelCommands.parseDarwinDefault("route: writing to routing socket: not in table\n"));
        String ports = """
                Hardware Port: Ethernet
                Device: en1
                Ethernet Address: 00:00:5e:00:53:01

                Hardware Port: Wi-Fi
                Device: en0
                Ethernet Address: 00:00:5e:00:53:02
                """;
        assertEquals("Wi-Fi", FullTunnelCommands.darwinService(ports, "en0"));
        assertNull(FullTunnelCommands.darwinService(ports, "en9"));
        assertEquals(List.of(), FullTunnelCommands.parseDarwinDns("There aren't any DNS Servers set on Wi-Fi.\n"));
        assertEquals(List.of("192.0.2.53", "2001:db8::53"), FullTunnelCommands.parseDarwinDns("192.0.2.53\n2001:db8::53\n"));
    }

    @Test
    void macClientRoutesAsNospoonMakesThem() {
        List<String> cmds = FullTunnelCommands.darwinClientRoutes("utun5", MAC_GW, List.of("198.51.100.7")).stream()
                .map(s -> (s.strict() ? "strict " : "loose ") + s + " | " + String.join(" ", s.undo())).toList();
        assertEquals(List.of(
                "strict route add -host 198.51.100.7 192.0.2.1 | route delete -host 198.51.100.7 192.0.2.1",
                "strict route add -net 0.0.0.0/1 -interface utun5 | route delete -net 0.0.0.0/1 -interface utun5",
                "strict route add -net 128.0.0.0/1 -interface utun5 | route delete -net 128.0.0.0/1 -interface utun5",
                "loose route add -inet6 -net ::/1 -interface utun5 | route delete -inet6 -net ::/1 -interface utun5",
                "loose route add -inet6 -net 8000::/1 -interface utun5 | route delete -inet6 -net 8000::/1 -interface utun5"),
                cmds);
        var dns = FullTunnelCommands.darwinDns("Wi-Fi", List.of("1.1.1.1", "8.8.8.8"), List.of());
        assertEquals("networksetup -setdnsservers Wi-Fi 1.1.1.1 8.8.8.8", dns.toString());
        assertEquals(List.of("networksetup", "-setdnsservers", "Wi-Fi", "Empty"), dns.undo());
    }

    @Test
    void macPfConfGetsTheNatAfterTheLastNatAnchorAndPassRulesBeforeLoadAnchor() {
        String stock = """
                scrub-anchor "com.apple/*"
                nat-anchor "com.apple/*"
                rdr-anchor "com.apple/*"
                dummynet-anchor "com.apple/*"
                anchor "com.apple/*"
                load anchor "com.apple" from "/etc/pf.anchors/com.apple"
                """;
        assertEquals("""
                scrub-anchor "com.apple/*"
                nat-anchor "com.apple/*"
                nat on en0 from 10.0.0.0/24 to any -> (en0)
                rdr-anchor "com.apple/*"
                dummynet-anchor "com.apple/*"
                anchor "com.apple/*"
                pass in quick on utun5 all
                pass out quick on en0 all
                load anchor "com.apple" from "/etc/pf.anchors/com.apple"
                """, FullTunnelCommands.darwinPfConf(stock, "utun5", Cidr.parse("10.0.0.1/24"), "en0"));
        assertEquals("nat on en0 from 10.0.0.0/24 to any -> (en0)\npass in quick on utun5 all\npass out quick on en0 all\n",
                FullTunnelCommands.darwinPfConf("", "utun5", Cidr.parse("10.0.0.1/24"), "en0"));
        assertEquals(List.of("sysctl", "-w", "net.inet.ip.forwarding=0"),
                FullTunnelCommands.darwinServerNat("/tmp/pf.conf", "0\n").getFirst().undo());
    }

    @Test
    void windowsCommandsAsNospoonRunsThem() throws Exception {
        var gw = FullTunnelCommands.parseWindowsDefault("192.0.2.1 12\r\n");
        assertEquals(new FullTunnelCommands.Gateway("192.0.2.1", "12"), gw);
        assertThrows(IOException.class, () -> FullTunnelCommands.parseWindowsDefault(""));
        List<String> cmds = FullTunnelCommands.windowsClientRoutes(31, gw, List.of("198.51.100.7")).stream()
                .map(HostSteps.Step::toString).toList();
        assertEquals(List.of("route add 198.51.100.7 mask 255.255.255.255 192.0.2.1 metric 1 if 12",
                "route add 0.0.0.0 mask 128.0.0.0 0.0.0.0 metric 1 if 31",
                "route add 128.0.0.0 mask 128.0.0.0 0.0.0.0 metric 1 if 31",
                "netsh interface ipv6 add route ::/1 interface=31 metric=1",
                "netsh interface ipv6 add route 8000::/1 interface=31 metric=1"), cmds);
        var dns = FullTunnelCommands.windowsDns(List.of("1.1.1.1", "8.8.8.8"));
        assertTrue(dns.getFirst().run().getLast().contains("-NameServers '1.1.1.1','8.8.8.8' -Comment 'tunctl full tunnel'"));
        var nat = FullTunnelCommands.windowsServerNat("tunctl", Cidr.parse("10.0.0.1/24"), null);
        assertEquals("netsh interface ipv4 set interface tunctl forwarding=enabled", nat.getFirst().toString());
        assertTrue(nat.getLast().run().getLast().endsWith("-InternalIPInterfaceAddressPrefix '10.0.0.0/24'"));
        assertFalse(nat.getLast().strict());
    }

    @Test
    void namesAndAddressesThatCouldCarryAnotherCommandAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FullTunnelCommands.darwinDns("Wi-Fi'; rm -rf /", List.of("1.1.1.1"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> FullTunnelCommands.windowsDns(List.of("1.1.1.1'; Remove-Item")));
        assertThrows(IllegalArgumentException.class, () -> FullTunnelCommands.darwinClientRoutes("utun5;x", MAC_GW, List.of()));
    }

    @Test
    void stepsRunInOrderAStrictFailureTakesBackWhatWasDoneALooseOneIsSkipped() throws Exception {
        List<String> ran = new ArrayList<>();
        HostSteps.Runner runner = c -> {
            ran.add(String.join(" ", c));
            if (c.getFirst().equals("fail")) throw new IOException("exit 1");
            return "";
        };
        var steps = List.of(HostSteps.Step.strict(List.of("a"), List.of("undo-a")),
                HostSteps.Step.loose(List.of("fail", "loose"), List.of("never")),
                HostSteps.Step.strict(List.of("b"), List.of()),
                HostSteps.Step.strict(List.of("c"), List.of("undo-c")));
        HostSteps s = HostSteps.apply(steps, runner);
        s.close();
        s.close();
        assertEquals(List.of("a", "fail loose", "b", "c", "undo-c", "undo-a"), ran);

        ran.clear();
        var failing = List.of(HostSteps.Step.strict(List.of("a"), List.of("undo-a")),
                HostSteps.Step.strict(List.of("fail", "strict"), List.of("never")));
        IOException e = assertThrows(IOException.class, () -> HostSteps.apply(failing, runner));
        assertEquals("fail strict failed: exit 1", e.getMessage());
        assertEquals(List.of("a", "fail strict", "undo-a"), ran);
    }
}
