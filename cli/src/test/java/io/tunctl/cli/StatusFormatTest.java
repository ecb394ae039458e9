package io.tunctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** {@code tunctl status}'s human form, and its errors when nothing runs. */
class StatusFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void useTempDir() { System.setProperty("tunctl.state.dir", dir.toString()); }

    @AfterEach
    void restore() { System.clearProperty("tunctl.state.dir"); }

    @Test
    void showsInterfaceProcessAndPeersLikeWgShow() throws Exception {
        String report = """
                {"version":1,"pid":4242,"transport":"p2p","role":"server",
                 "interface":{"name":"tun0","index":7,"mtu":1420,"addresses":["10.9.0.1/24","fd00::1/64"],
                   "rxPackets":20,"rxBytes":2048,"txPackets":10,"txBytes":1000,"drops":0},
                 "startedAt":"2026-01-02T03:04:05Z","uptimeSeconds":3723,
                 "process":{"residentBytes":55574528,"threads":17,"openFds":33},
                 "peers":[{"id":"aa11","endpoint":"198.51.100.2:49737","allowedIps":["10.9.0.2/32"],"connected":true,
                   "lastHandshake":"2026-01-02T03:04:05Z","rttMicros":420,"rxPackets":5,"rxBytes":3145728,
                   "txPackets":6,"txBytes":600,"drops":2,"info":{"path":"by hole punching"}},
                  {"id":"bb22","allowedIps":[],"connected":false,"rxPackets":0,"rxBytes":0,"txPackets":0,
                   "txBytes":0,"drops":0}],
                 "counters":{"malformed":1}}
                """;
        String text = StatusFormat.human(JSON.readTree(report), Instant.parse("2026-01-02T03:05:08Z"));
        assertEquals("""
                interface: tun0
                  transport: p2p (server), pid 4242, up 1 h 2 min 3 s
                  addresses: 10.9.0.1/24, fd00::1/64
                  mtu: 1420
                  transfer: 2.00 KiB received (20 packets), 1000 B sent (10 packets)
                  process: 53.00 MiB resident, 17 threads, 33 open fds
                  counters: malformed 1

                peer: aa11
                  endpoint: 198.51.100.2:49737
                  allowed ips: 10.9.0.2/32
                  state: connected
                  latest handshake: 1 min 3 s ago
                  rtt: 0.42 ms
                  transfer: 3.00 MiB received (5 packets), 600 B sent (6 packets), 2 dropped
                  path: by hole punching

                peer: bb22
                  allowed ips: (none)
                  state: not connected
                  transfer: 0 B received (0 packets), 0 B sent (0 packets)
                """, text);
    }

    @Test
    void unitsAndDurations() {
        assertEquals("1023 B", StatusFormat.bytes(1023));
        assertEquals("1.00 KiB", StatusFormat.bytes(1024));
        assertEquals("1.50 GiB", StatusFormat.bytes(3L << 29));
        assertEquals("?", StatusFormat.bytes(-1));
        assertEquals("0 s", StatusFormat.duration(0));
        assertEquals("2 d 1 s", StatusFormat.duration(2 * 86400 + 1));
        assertEquals("9.87 ms", StatusFormat.rtt(9_870));
        assertEquals("25 ms", StatusFormat.rtt(25_400));
    }

    @Test
    void saysClearlyWhenNoTunnelRuns() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute("status");
        assertEquals(ExitCodes.FAILURE, code);
        assertEquals("tunctl: no tunnel running in this network namespace\n", err.toString());
        err.getBuffer().setLength(0);
        code = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute("status", "tun7", "--json");
        assertEquals(ExitCodes.FAILURE, code);
        assertTrue(err.toString().startsWith("tunctl: no tunnel running on tun7 in this network namespace"), err.toString());
        assertEquals("", out.toString());
    }
}
