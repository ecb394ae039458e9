package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PeerStatus;
import io.tunctl.core.spi.TunnelStatus;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class StatusReportTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void reportsTheInterfaceInTheKernelsDirectionsAndThePeersOfThatInterfaceOnly() {
        var iface = new StatusReport.InterfaceInfo("tun0", 7, 1420, List.of(Cidr.parse("10.9.0.1/24")),
                new DeviceStats(10, 1000, 20, 2000, 3));
        PeerStatus a = PeerStatus.builder("aa").endpoint(new InetSocketAddress("198.51.100.2", 49737))
                .allowedIps(List.of(Cidr.parse("10.9.0.2/32"))).lastHandshake(T0.plusSeconds(1))
                .rtt(Duration.ofNanos(420_500)).rx(5, 500).tx(6, 600).drops(1).info("path", "by hole punching").build();
        PeerStatus other = PeerStatus.builder("bb").iface("tun1").connected(false).build();
        PeerStatus b = PeerStatus.builder("cc").iface("tun0").endpoint(new InetSocketAddress("2001:db8::2", 443))
                .build();
        TunnelStatus st = new TunnelStatus("server", List.of(a, other, b), Map.of("malformed", 2L));
        JsonNode r = StatusReport.json(42, "p2p", iface, st, null, new ProcessFootprint(50 << 20, 17, 33), T0,
                T0.plusSeconds(90));
        assertEquals(StatusReport.VERSION, r.get("version").asInt());
        assertEquals(42, r.get("pid").asLong());
        assertEquals("p2p", r.get("transport").asText());
        assertEquals("server", r.get("role").asText());
        JsonNode i = r.get("interface");
        assertEquals("tun0", i.get("name").asText());
        assertEquals(1420, i.get("mtu").asInt());
        assertEquals("10.9.0.1/24", i.get("addresses").get(0).asText());
        assertEquals(20, i.get("rxPackets").asLong(), "written into the TUN: received, as ip -s link counts");
        assertEquals(2000, i.get("rxBytes").asLong());
        assertEquals(10, i.get("txPackets").asLong());
        assertEquals(3, i.get("drops").asLong());
        assertEquals(90, r.get("uptimeSeconds").asLong());
        assertEquals(T0.toString(), r.get("startedAt").asText());
        assertEquals(50 << 20, r.get("process").get("residentBytes").asLong());
        assertEquals(17, r.get("process").get("threads").asInt());
        assertEquals(2, r.get("counters").get("malformed").asLong());
        assertFalse(r.has("statusError"));
        JsonNode peers = r.get("peers");
        assertEquals(2, peers.size(), "tun1's peer is left out");
        JsonNode p = peers.get(0);
        assertEquals("aa", p.get("id").asText());
        assertEquals("198.51.100.2:49737", p.get("endpoint").asText());
        assertEquals("10.9.0.2/32", p.get("allowedIps").get(0).asText());
        assertTrue(p.get("connected").asBoolean());
        assertEquals("2026-01-02T03:04:06Z", p.get("lastHandshake").asText());
        assertEquals(420, p.get("rttMicros").asLong());
        assertEquals(5, p.get("rxPackets").asLong());
        assertEquals(600, p.get("txBytes").asLong());
        assertEquals(1, p.get("drops").asLong());
        assertEquals("by hole punching", p.get("info").get("path").asText());
        JsonNode q = peers.get(1);
        assertEquals("[2001:db8::2]:443", q.get("endpoint").asText());
        assertFalse(q.has("rttMicros"), "no estimate: no field");
        assertFalse(q.has("lastHandshake"));
    }

    @Test
    void aTunnelThatReportsNothingStillShowsItsInterfaceAndProcess() {
        var iface = new StatusReport.InterfaceInfo("t0", 3, 1500, List.of(), DeviceStats.NONE);
        JsonNode r = StatusReport.json(1, "udp", iface, TunnelStatus.NONE, "it broke", new ProcessFootprint(-1, -1, -1),
                T0, T0);
        assertFalse(r.has("role"));
        assertEquals(0, r.get("peers").size());
        assertEquals("t0", r.get("interface").get("name").asText());
        assertEquals("it broke", r.get("statusError").asText());
    }
}
