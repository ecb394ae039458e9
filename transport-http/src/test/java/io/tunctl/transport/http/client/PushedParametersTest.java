package io.tunctl.transport.http.client;

import io.tunctl.core.packet.Cidr;
import io.tunctl.transport.http.wire.TunConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PushedParametersTest {
    private static final byte[] SERVER = Cidr.parseAddress("192.0.2.1");

    private static List<String> problems(String header) {
        return PushedParameters.problems(TunConf.fromHeader(header), null, SERVER);
    }

    /** The pushes a hostile server made in the issue (#20), each refused with its reason. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ZAUACh8AAg== | prefix /0 is wider than /8
            //8YCh8AAg== | mtu 65535 outside 68..9000
            ZAUYfwAAAQ== | address 127.0.0.1 is loopback
            ZAUY/////w== | address 255.255.255.255 is the broadcast address
            ZAUY4AAAAQ== | address 224.0.0.1 is multicast
            ZAUYAAAAAA== | address 0.0.0.0 is unspecified (0.0.0.0/8)
            ZAUYqf4AAQ== | address 169.254.0.1 is link-local
            ZAUYCh8AAA== | address 10.31.0.0/24 is the network address of its prefix
            """)
    void eachHostileV1PushIsRefused(String header, String reason) {
        List<String> p = problems(header);
        assertTrue(p.stream().anyMatch(s -> s.startsWith(reason)), p.toString());
    }

    @Test
    void anOrdinaryPushPasses() {
        assertEquals(List.of(), problems("3AUYCh8AAg==")); // v1: mtu 1500, 10.31.0.2/24
        TunConf v2 = TunConf.v2(1420, 24, List.of(Cidr.parseAddress("10.31.0.2"), Cidr.parseAddress("10.31.1.2")),
                List.of(Cidr.parse("198.51.100.0/24")));
        assertEquals(List.of(), PushedParameters.problems(v2, Cidr.parse("2001:db8::2/64"), SERVER));
    }

    @Test
    void routesAndPrefixesThatCoverTheServerOrLoopbackAreRefused() {
        TunConf v2 = TunConf.v2(1420, 24, List.of(Cidr.parseAddress("10.31.0.2"), Cidr.parseAddress("224.0.0.1")),
                List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("0.0.0.0/0"), Cidr.parse("127.0.0.0/8"), Cidr.parse("239.0.0.0/8")));
        List<String> p = PushedParameters.problems(v2, null, SERVER);
        assertTrue(p.contains("address 224.0.0.1 is multicast"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("route 192.0.2.0/24 covers the server's own address 192.0.2.1")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("route 0.0.0.0/0 covers the host's loopback")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("route 127.0.0.0/8 covers the host's loopback")), p.toString());
        assertTrue(p.contains("route 239.0.0.0/8 is multicast or reserved"), p.toString());
        // the TUN's own connected route counts too: 192.0.2.7/24 would swallow the server
        List<String> own = PushedParameters.problems(TunConf.v1(1500, 24, Cidr.parseAddress("192.0.2.7")), null, SERVER);
        assertTrue(own.stream().anyMatch(s -> s.contains("covers the server's own address")), own.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ::/64              | IPv6 address :: is unspecified
            ::1/128            | IPv6 address ::1 is loopback
            ff02::1/64         | IPv6 address ff02::1 is multicast
            fe80::2/64         | IPv6 address fe80::2 is link-local
            ::ffff:10.0.0.1/96 | IPv6 address ::ffff:10.0.0.1 is an IPv4-mapped address
            2001:db8::2/8      | IPv6 prefix /8 is wider than /16
            """)
    void hostileIpv6PushesAreRefused(String conf6, String reason) {
        List<String> p = PushedParameters.problems(TunConf.v1(1500, 24, Cidr.parseAddress("10.31.0.2")), Cidr.parse(conf6), SERVER);
        assertTrue(p.stream().anyMatch(s -> s.startsWith(reason)), p.toString());
    }

    @Test
    void ipv6NeedsAnMtuOf1280() {
        List<String> p = PushedParameters.problems(TunConf.v1(1200, 24, Cidr.parseAddress("10.31.0.2")),
                Cidr.parse("2001:db8::2/64"), SERVER);
        assertEquals(List.of("mtu 1200 outside 1280..9000 (IPv6 needs 1280)"), p);
    }
}
