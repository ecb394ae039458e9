package io.tunctl.core.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DnsOverrideTest {
    @TempDir
    Path dir;

    @Test
    void rewritesResolvConfInPlaceAndPutsItBack() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        String before = "# managed by someone\nnameserver 192.0.2.53\noptions edns0\n";
        Files.writeString(conf, before);
        Object inode = Files.getAttribute(conf, "unix:ino");
        try (DnsOverride dns = DnsOverride.rewrite("tun0", List.of(InetAddress.getByName("1.1.1.1"),
                InetAddress.getByName("2001:db8::53")), conf)) {
            assertEquals("# tunctl full-tunnel DNS\nnameserver 1.1.1.1\nnameserver 2001:db8::53\n", Files.readString(conf));
            // in place: a bind mount over the file (ip netns exec's /etc/netns/<ns>/resolv.conf) keeps working
            assertEquals(inode, Files.getAttribute(conf, "unix:ino"));
        }
        assertEquals(before, Files.readString(conf));
    }

    @Test
    void aFileThatWasNotThereIsRemovedAgain() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        DnsOverride dns = DnsOverride.rewrite("tun0", List.of(InetAddress.getByName("1.1.1.1")), conf);
        assertTrue(Files.exists(conf));
        dns.close();
        dns.close(); // twice is fine
        assertFalse(Files.exists(conf));
    }
}
