package io.tunctl.transport.socks.proxy;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import io.tunctl.transport.socks.testkit.ProxyLab;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyLab} inside a namespace (the mode namespace topologies use): every proxy starts and listens there,
 * on the given address, and not in the root namespace; close() stops them all.
 */
class ProxyLabNetnsIT {

    @Test
    void proxiesRunInsideTheNamespace() throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tpx-lab")) {
            List<String> urls;
            try (ProxyLab lab = new ProxyLab(ns, "127.0.0.1", "::1")) {
                urls = List.of(lab.dante(), lab.danteAuth(), lab.microsocks(), lab.microsocksAuth(), lab.tinyproxy(),
                        lab.tinyproxyAuth(), lab.ssLocal());
                String inside = ns.exec("cat", "/proc/net/tcp", "/proc/net/tcp6").orThrow();
                for (String url : urls) {
                    int port = ProxyUrl.parse(url).port();
                    assertTrue(listens(inside, port), url + " not listening inside " + ns);
                    // the root namespace's 127.0.0.1 is another loopback: nothing there on that port
                    assertThrows(IOException.class, () -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        }
                    }, url + " reachable from the root namespace");
                }
                assertEquals(7, urls.stream().distinct().count());
            }
            String after = ns.exec("cat", "/proc/net/tcp", "/proc/net/tcp6").orThrow();
            for (String url : urls) {
                assertTrue(!listens(after, ProxyUrl.parse(url).port()), url + " still listening after close()");
            }
        }
    }

    private static boolean listens(String procNetTcp, int port) {
        String hexPort = String.format(":%04X ", port);
        return procNetTcp.lines().anyMatch(l -> l.contains(hexPort) && l.trim().split("\\s+")[3].equals("0A")
                && l.trim().split("\\s+")[1].endsWith(hexPort.strip()));
    }
}
