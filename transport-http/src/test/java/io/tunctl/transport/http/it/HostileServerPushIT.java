package io.tunctl.transport.http.it;

import io.tunctl.core.runtime.DefaultTunnelContext;
import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.Root;
import io.tunctl.core.tun.LinuxInterface;
import io.tunctl.core.tun.NetworkNamespace;
import io.tunctl.transport.http.HttpTunnel;
import io.tunctl.transport.http.client.HttpTunnelClient;
import io.tunctl.transport.http.config.Endpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile tapotun server (a raw socket server of the test's own, in a namespace of the test's own) pushes each bad
 * {@code x-tun-conf} the issue found applied; between two of them it pushes the good parameters again, so the
 * client's backoff restarts. After every bad push the client's TUN has exactly the addresses and routes of the good
 * one; a changed good push leaves exactly one address.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileServerPushIT {
    private static final String DEV = "tnhpush0";
    private static final String GOOD = "3AUYCh8AAg==";      // v1 mtu 1500, 10.31.0.2/24
    private static final String CHANGED = "3AUYCh8AAw==";   // v1 mtu 1500, 10.31.0.3/24
    private static final List<String> BAD = List.of(
            "ZAUACh8AAg==",   // 10.31.0.2/0
            "//8YCh8AAg==",   // mtu 65535
            "ZAUYfwAAAQ==",   // 127.0.0.1/24
            "ZAUY/////w==",   // 255.255.255.255
            "ZAUY4AAAAQ==",   // 224.0.0.1
            "ZAUYAAAAAA==",   // 0.0.0.0
            // v2: 10.31.0.2/24 and 224.0.0.1, no routes
            "ZAUYAgofAALgAAABAA==",
            GOOD + "\r\nx-tun-conf: " + CHANGED); // the header twice

    /** One answer per GET, in order; PUTs are read and dropped. */
    private static final class EvilServer implements AutoCloseable {
        final ServerSocket listener;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        final AtomicInteger served = new AtomicInteger();
        final List<Socket> open = new ArrayList<>();
        final Thread thread;

        EvilServer(ServerSocket listener) {
            this.listener = listener;
            thread = Thread.ofVirtual().start(this::acceptLoop);
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    synchronized (open) { open.add(s); }
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setSoTimeout(60_000);
                InputStream in = s.getInputStream();
                String head = readHead(in);
                if (head.startsWith("PUT")) {
                    in.transferTo(OutputStream.nullOutputStream());
                    return;
                }
                String conf = answers.poll(30, TimeUnit.SECONDS);
                if (conf == null) return;
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nx-tun-conf: " + conf + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                served.incrementAndGet();
                Thread.sleep(300); // long enough for the client to apply (or refuse), then the stream ends
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException | InterruptedException ignored) {
                // the client went away; the next GET is served by the next connection
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && b.size() < 16384) {
                b.write(c);
                String s = b.toString(StandardCharsets.US_ASCII);
                if (s.endsWith("\r\n\r\n")) return s;
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (open) { for (Socket s : open) s.close(); }
        }
    }

    @Test
    void badPushesAreRefusedAndLeaveTheTunAsTheLastGoodOneLeftIt() throws Exception {
        Root.require();
        try (Netns ns = Netns.create("tn-hpush")) {
            NetworkNamespace netns = NetworkNamespace.named(ns.name());
            try (EvilServer evil = new EvilServer(netns.call(
                    () -> new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))))) {
                Endpoints.Client spec = new Endpoints.Client(DEV,
                        URI.create("http://127.0.0.1:" + evil.listener.getLocalPort() + "/"), "test", null, true,
                        new Endpoints.Mark(0, 0));
                DefaultTunnelContext ctx = new DefaultTunnelContext(LinuxInterface::create, null,
                        System.getLogger("tunctl.test.hostile-push"));
                evil.answers.add(GOOD);
                HttpTunnel tunnel = netns.call(() -> HttpTunnel.open(List.of(spec), ctx, null));
                try {
                    HttpTunnelClient client = tunnel.clients().getFirst();
                    waitFor(() -> addresses(ns).equals(List.of("10.31.0.2/24")), "the good push applied");
                    String routes = routes(ns);
                    assertTrue(routes.contains("10.31.0.0/24 proto kernel"), routes);
                    String mtu = ns.ip("-o", "link", "show", "dev", DEV);
                    assertTrue(mtu.contains("mtu 1500"), mtu);

                    for (int i = 0; i < BAD.size(); i++) {
                        String bad = BAD.get(i);
                        int refusedBefore = (int) client.pushesRefused();
                        evil.answers.add(bad);
                        int servedTarget = evil.served.get() + 1;
                        waitFor(() -> evil.served.get() >= servedTarget, "bad push " + i + " served");
                        if (i < BAD.size() - 1) {
                            waitFor(() -> client.pushesRefused() > refusedBefore, "bad push " + bad + " refused");
                        } else {
                            Thread.sleep(1000); // the duplicate header is a protocol error, counted apart
                        }
                        assertEquals(List.of("10.31.0.2/24"), addresses(ns), "after " + bad);
                        assertEquals(routes, routes(ns), "after " + bad);
                        assertTrue(ns.ip("-o", "link", "show", "dev", DEV).contains("mtu 1500"), "after " + bad);
                        evil.answers.add(GOOD); // the client retries; this one resets its backoff
                        int goodTarget = evil.served.get() + 1;
                        waitFor(() -> evil.served.get() >= goodTarget, "good push after " + bad);
                    }

                    evil.answers.add(CHANGED);
                    waitFor(() -> addresses(ns).equals(List.of("10.31.0.3/24")), "the changed push applied alone");
                    assertEquals(BAD.size() - 1, client.pushesRefused());
                } finally {
                    tunnel.close();
                }
            }
        }
    }

    private static List<String> addresses(Netns ns) {
        List<String> out = new ArrayList<>();
        var shown = ns.exec("ip", "-o", "-4", "addr", "show", "dev", DEV);
        if (!shown.ok()) return out; // no TUN yet: the client makes it on the first parameters it accepts
        for (String line : shown.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) if (f[i].equals("inet")) out.add(f[i + 1]);
        }
        return out;
    }

    private static String routes(Netns ns) {
        return ns.ip("route", "show", "table", "all", "dev", DEV).replaceAll("(?m)^.*(fe80|ff00|multicast).*$\\n?", "");
    }

    private static void waitFor(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(50);
        }
    }
}
