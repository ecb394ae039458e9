package io.tunctl.transport.socks.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessTableTest {
    /** The fixtures are little-endian x86 dumps; on a big-endian host the words read the other way. */
    private static final boolean LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
               1: 010012C6:D431 5000020A:0050 02 00000001:00000000 01:00000000 00000000     0        0 777 2 0000000000000000 20 4 0 10 -1
               2: 010012C6:D432 5000020A:0050 01 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 20 4 30 10 -1
            garbage line
            """;

    static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF0000010012C6:D433 0000000000000000FFFF00005000020A:0050 01 00000000:00000000 00:00000000 00000000     0        0 779 1 0000000000000000 20 4 30 10 -1
               1: BADCFEFD00007698000000000100000:C350 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 780 1 0000000000000000 100 0 0 10 0
               2: BADCFEFD000076980000000001000000:C350 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 781 1 0000000000000000 100 0 0 10 0
            """;

    static final String UDP = """
               sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              100: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 900 2 0000000000000000 0
            """;

    @Test
    void parsesTcpLinesSkippingHeadersAndGarbage() {
        if (!LE) return;
        List<ProcessTable.Socket> s = ProcessTable.parseNet(TCP);
        assertEquals(3, s.size());
        assertEquals(new ProcessTable.Socket(InetAddress.ofLiteral("127.0.0.1"), 53, 0x0A, 4242), s.get(0));
        assertEquals(new ProcessTable.Socket(InetAddress.ofLiteral("198.18.0.1"), 0xD431, ProcessTable.TCP_SYN_SENT, 777),
                s.get(1));
        assertEquals(ProcessTable.TCP_ESTABLISHED, s.get(2).state());
    }

    @Test
    void ipv4MappedAddressesAreUnmappedAndIpv6WordsAreInHostOrder() {
        if (!LE) return;
        List<ProcessTable.Socket> s = ProcessTable.parseNet(TCP6);
        // line 1's address has 31 digits and is skipped; line 2 is fdfe:dcba:9876::1, word by word
        assertEquals(2, s.size());
        assertEquals(InetAddress.ofLiteral("198.18.0.1"), s.get(0).local());
        assertEquals(0xD433, s.get(0).port());
        assertEquals(InetAddress.ofLiteral("fdfe:dcba:9876::1"), s.get(1).local());
        assertEquals(50000, s.get(1).port());
        assertEquals(781, s.get(1).inode());
    }

    @Test
    void addressWordsDecode() {
        if (!LE) return;
        assertEquals(InetAddress.ofLiteral("fdfe:dcba:9876::1"), ProcessTable.address("BADCFEFD000076980000000001000000"));
        assertEquals(InetAddress.ofLiteral("10.2.0.80"), ProcessTable.address("5000020A"));
        assertNull(ProcessTable.address("123"));
    }

    @Test
    void socketInodeOnlyFromSocketLinks() {
        assertEquals(12345, ProcessTable.socketInode("socket:[12345]"));
        assertEquals(-1, ProcessTable.socketInode("pipe:[12345]"));
        assertEquals(-1, ProcessTable.socketInode("/dev/null"));
        assertEquals(-1, ProcessTable.socketInode("socket:[x]"));
    }

    @Test
    void processNameFromCommOrFromTheExecutableWhenCommIsCut() {
        assertEquals("curl", ProcessTable.processName("curl", "/usr/bin/curl", "curl"));
        // 15 characters: perhaps cut, the executable's basename says
        assertEquals("excludedcurlwithlongname",
                ProcessTable.processName("excludedcurlwit", "/tmp/x/excludedcurlwithlongname", null));
        assertEquals("excludedcurlwithlongname",
                ProcessTable.processName("excludedcurlwit", null, "/tmp/x/excludedcurlwithlongname"));
        assertEquals("excludedcurlwithlongname",
                ProcessTable.processName("excludedcurlwit", "/tmp/x/excludedcurlwithlongname (deleted)", null));
        // a basename that does not extend the comm is someone else's (an interpreter, a renamed thread)
        assertEquals("exactlyfifteen1", ProcessTable.processName("exactlyfifteen1", "/usr/bin/java", "java"));
    }

    @Test
    void normalisesAsNanoTun() {
        assertEquals("firefox", ProcessTable.normalise("  FireFox.EXE "));
        assertTrue(ProcessTable.mayMatch("CURL", Set.of("curl")));
        assertFalse(ProcessTable.mayMatch("curl2", Set.of("curl")));
        assertTrue(ProcessTable.mayMatch("excludedcurlwit", Set.of("excludedcurlwithlongname")));
    }

    @Test
    void udpWildcardBindsMatchAnyAddressOfThatPortTcpDoesNot() {
        var any4 = new ProcessTable.Endpoint(false, InetAddress.ofLiteral("0.0.0.0"), 8080);
        var any6 = new ProcessTable.Endpoint(false, InetAddress.ofLiteral("::"), 9090);
        var tcp = new ProcessTable.Endpoint(true, InetAddress.ofLiteral("198.18.0.1"), 5000);
        Set<ProcessTable.Endpoint> e = Set.of(any4, any6, tcp);
        InetAddress host = InetAddress.ofLiteral("198.18.0.1");
        assertTrue(ProcessTable.contains(e, false, host, 8080));
        assertTrue(ProcessTable.contains(e, false, host, 9090)); // [::] takes IPv4 too
        assertTrue(ProcessTable.contains(e, false, InetAddress.ofLiteral("fdfe:dcba:9876::1"), 9090));
        assertFalse(ProcessTable.contains(e, false, InetAddress.ofLiteral("fdfe:dcba:9876::1"), 8080));
        assertTrue(ProcessTable.contains(e, true, host, 5000));
        assertFalse(ProcessTable.contains(e, true, host, 8080));
        assertFalse(ProcessTable.contains(e, false, host, 5000));
    }

    /** A fake /proc: two processes, one listed, with sockets in every table. */
    @Test
    void scanKeepsOnlyTheListedProcessesSockets(@TempDir Path proc) throws IOException {
        if (!LE) return;
        process(proc, 100, "excludedcurl", 777, 900, 779);
        process(proc, 200, "curl", 778, 4242);
        Path net = Files.createDirectories(proc.resolve("self/net"));
        Files.writeString(net.resolve("tcp"), TCP);
        Files.writeString(net.resolve("tcp6"), TCP6);
        Files.writeString(net.resolve("udp"), UDP);
        // no udp6: a kernel without IPv6
        ProcessTable.Result r = ProcessTable.scan(proc, Set.of("excludedcurl"), System.nanoTime() + 5_000_000_000L);
        Set<ProcessTable.Endpoint> got = r.endpoints();
        assertEquals(Set.of(proc.resolve("100")), r.pids());
        assertEquals(Set.of(
                new ProcessTable.Endpoint(true, InetAddress.ofLiteral("198.18.0.1"), 0xD431),   // SYN_SENT
                new ProcessTable.Endpoint(true, InetAddress.ofLiteral("198.18.0.1"), 0xD433),   // tcp6, mapped
                new ProcessTable.Endpoint(false, InetAddress.ofLiteral("0.0.0.0"), 8080)), got);
        assertEquals(ProcessTable.Result.EMPTY, ProcessTable.scan(proc, Set.of("nothing"), System.nanoTime() + 5_000_000_000L));
        // a quick rescan of the known process sees what it has now, and drops it when it is gone
        Files.delete(proc.resolve("100/fd/3"));
        assertEquals(2, ProcessTable.rescan(proc, r.pids(), System.nanoTime() + 5_000_000_000L).endpoints().size());
        Files.walk(proc.resolve("100")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        assertEquals(ProcessTable.Result.EMPTY, ProcessTable.rescan(proc, r.pids(), System.nanoTime() + 5_000_000_000L));
    }

    static void process(Path proc, int pid, String comm, long... inodes) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(p.resolve("comm"), comm + "\n");
        Path fd = Files.createDirectories(p.resolve("fd"));
        Files.createSymbolicLink(fd.resolve("0"), Path.of("pipe:[1]"));
        for (int i = 0; i < inodes.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i + 3)), Path.of("socket:[" + inodes[i] + "]"));
        }
    }
}
