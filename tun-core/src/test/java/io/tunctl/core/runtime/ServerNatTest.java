package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ServerNatTest {
    @Test
    void masqueradesTheTunnelSubnetOutOfOneInterface() {
        String s = ServerNat.script("tun0", Cidr.parse("10.0.0.1/24"), "eth0");
        assertTrue(s.startsWith("table ip tunctl_nat_tun0 {}\ndelete table ip tunctl_nat_tun0\n"), s);
        // the subnet is the prefix's network, whatever the length (nospoon takes three octets and gets /25 wrong)
        assertTrue(s.contains("ip saddr 10.0.0.0/24 oifname \"eth0\" counter masquerade"), s);
        assertTrue(s.contains("iifname \"tun0\" oifname \"eth0\" counter accept"), s);
        assertTrue(s.contains("iifname \"eth0\" oifname \"tun0\" ct state established,related counter accept"), s);
        assertTrue(ServerNat.script("tun0", Cidr.parse("10.0.0.129/25"), "eth0").contains("ip saddr 10.0.0.128/25 "));
    }

    @Test
    void namesThatWouldNeedQuotingAreRefusedInNospoonsWords() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ServerNat.script("tun0", Cidr.parse("10.0.0.1/24"), "eth0\" accept; #"));
        assertEquals("Invalid interface name: eth0\" accept; # (outInterface)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerNat.script("", Cidr.parse("10.0.0.1/24"), "eth0"));
        assertThrows(IllegalArgumentException.class, () -> ServerNat.script("tun0", Cidr.parse("2001:db8::1/64"), "eth0"));
    }

    @Test
    void tableNameIsSafeForAnyInterfaceName() {
        assertEquals("tunctl_nat_wg_0", ServerNat.table("wg-0").name());
    }
}
