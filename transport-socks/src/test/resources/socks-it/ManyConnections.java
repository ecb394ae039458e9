import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens N TCP connections at once to host:port (an HTTP server), sends a GET on each, reads each answer to the end;
 * prints "ok=<n> failed=<m>". Args: host port n path.
 */
public class ManyConnections {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        String path = args[3];
        AtomicInteger ok = new AtomicInteger(), failed = new AtomicInteger();
        java.util.Map<String, AtomicInteger> why = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1), done = new CountDownLatch(n);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket()) {
                    start.await();
                    s.connect(new InetSocketAddress(host, port), 20_000);
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    out.write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes());
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] b = new byte[8192];
                    long total = 0;
                    for (int r; (r = in.read(b)) > 0; ) total += r;
                    if (total > 0) ok.incrementAndGet(); else failed.incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                    why.computeIfAbsent(e.toString(), k -> new AtomicInteger()).incrementAndGet();
                } finally {
                    done.countDown();
                }
            }));
        }
        start.countDown();
        done.await();
        System.out.println("ok=" + ok.get() + " failed=" + failed.get());
        why.forEach((k, v) -> System.err.println(v + " x " + k));
    }
}
