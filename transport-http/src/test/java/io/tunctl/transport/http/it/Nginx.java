package io.tunctl.transport.http.it;

import io.tunctl.core.testkit.Netns;
import io.tunctl.core.testkit.ProcessRunner;
import io.tunctl.core.testkit.Root;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real nginx terminating TLS in front of the http transport, with the settings streaming needs (the same
 * block docs/transport-http.md recommends), and a throw-away CA made with openssl. Runs in the foreground as
 * a child (killed by PID on close), optionally inside a test namespace.
 */
public final class Nginx implements AutoCloseable {
    private final Path dir;
    private final Netns ns;
    private final Process process;

    /** The proxy block for the tunnel: no buffering either way, long timeouts, HTTP/1.1 upstream. */
    public static String locationBlock(String upstream) {
        return """
                    location / {
                        proxy_pass http://%s;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_buffering off;
                        proxy_request_buffering off;
                        proxy_cache off;
                        gzip off;
                        client_max_body_size 0;
                        client_body_timeout 1h;
                        proxy_read_timeout 1h;
                        proxy_send_timeout 1h;
                        send_timeout 1h;
                    }
                """.formatted(upstream);
    }

    private Nginx(Path dir, Netns ns, Process process) {
        this.dir = dir;
        this.ns = ns;
        this.process = process;
    }

    /** Makes a CA and a server certificate for {@code localhost} / {@code ip} in {@code dir}; returns the CA file. */
    public static Path makeCertificates(Path dir, String ip) throws IOException {
        Root.ensureCommand("openssl", "openssl");
        Files.createDirectories(dir);
        Path ext = dir.resolve("san.ext");
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:" + ip + "\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tunctl test CA");
        run(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        return dir.resolve("ca.pem");
    }

    private static void run(Path dir, String... cmd) {
        List<String> c = new ArrayList<>(List.of("sh", "-c", "cd '" + dir + "' && exec \"$@\"", "sh"));
        c.addAll(List.of(cmd));
        ProcessRunner.run(Duration.ofSeconds(30), c).orThrow();
    }

    /**
     * Starts nginx listening with TLS on {@code listen} ({@code ip:port}) and proxying to {@code upstream}.
     * {@code dir} must hold server.pem/server.key (see {@link #makeCertificates}).
     */
    public static Nginx start(Path dir, Netns ns, String listen, String upstream) throws IOException {
        Root.ensureCommand("nginx", "nginx-light");
        for (String d : new String[] {"body", "proxy", "fastcgi", "uwsgi", "scgi"}) Files.createDirectories(dir.resolve(d));
        String conf = """
                worker_processes 1;
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                # old workers drop long-lived streams this soon after a reload; clients reconnect to the new ones
                worker_shutdown_timeout 2s;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen %2$s ssl;
                        ssl_certificate %1$s/server.pem;
                        ssl_certificate_key %1$s/server.key;
                %3$s
                    }
                }
                """.formatted(dir, listen, locationBlock(upstream));
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        List<String> cmd = List.of("nginx", "-p", dir.toString(), "-c", file.toString(), "-g", "daemon off;");
        File log = dir.resolve("nginx.out").toFile();
        Process p;
        if (ns != null) {
            p = ns.start(log, cmd.toArray(String[]::new));
        } else {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        }
        Nginx n = new Nginx(dir, ns, p);
        n.awaitListening(listen);
        return n;
    }

    private void awaitListening(String listen) throws IOException {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon);
        int port = Integer.parseInt(listen.substring(colon + 1));
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            if (!process.isAlive()) throw new IOException("nginx exited: " + log());
            boolean up;
            if (ns == null) {
                try (Socket s = new Socket(host, port)) {
                    up = true;
                } catch (IOException e) {
                    up = false;
                }
            } else {
                up = ns.exec("sh", "-c", "ss -ltn | grep -q ':" + port + " '").ok();
            }
            if (up) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("nginx did not listen on " + listen + ": " + log());
    }

    /** {@code nginx -s reload}: new workers start, old ones finish (and drop streams after 2 s). */
    public void reload() {
        List<String> cmd = new ArrayList<>(List.of("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(), "-s", "reload"));
        if (ns != null) ns.exec(cmd.toArray(String[]::new)).orThrow();
        else ProcessRunner.run(Duration.ofSeconds(10), cmd).orThrow();
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("nginx.out")) + "\n" + (Files.exists(dir.resolve("error.log"))
                    ? String.join("\n", Files.readAllLines(dir.resolve("error.log")).stream()
                    .filter(l -> l.contains("[emerg]") || l.contains("[error]") || l.contains("[crit]")).toList()) : "");
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // SIGTERM: the master stops its workers itself (killing workers first would make it respawn them)
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle w : workers) w.destroyForcibly();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
