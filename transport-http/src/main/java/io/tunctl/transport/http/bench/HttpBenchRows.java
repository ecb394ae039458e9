package io.tunctl.transport.http.bench;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import io.tunctl.transport.http.wire.Tokens;

import java.util.List;
import java.util.Map;

/**
 * The http transport's rows in {@code tunctl bench}. Bench-only: registered as a {@link Benchmarkable} service of
 * its own, never used by the transport itself.
 */
public final class HttpBenchRows implements Benchmarkable {

    @Override
    public String transport() { return "http"; }

    /**
     * Row {@code http}: the server in B (its TUN gets tunnelB), the client in A (it gets tunnelA from the server),
     * plain HTTP over the underlay, TSO on. Row {@code http-tls} puts nginx with TLS in front of the server.
     */
    @Override
    public List<Setup> benchSetups(Network net) {
        String b = Cidr.addressString(net.underlayB());
        String host = net.underlayB() instanceof java.net.Inet6Address ? "[" + b + "]" : b;
        String clientIp = Cidr.addressString(net.tunnelA().addressBytes());
        int mtu = Math.min(net.mtu(), 9000);
        String token = Tokens.sha1Hex("bench");
        // (no text blocks in main sources: a source scanner in the build chokes on them)
        String server = String.format("[ { \"name\": \"tnbh0\", \"port\": %d, \"net\": \"%s\", \"mtu\": %d,%n"
                        + "    \"clients\": [ { \"token\": \"%s\", \"ip\": \"%s\" } ] } ]%n",
                net.port(), net.tunnelB(), mtu, token, clientIp);
        String client = String.format("[ { \"name\": \"tnbh0\", \"server\": \"http://%s:%d/ip\", \"token\": \"bench\" } ]%n",
                host, net.port());
        return List.of(new Setup("http", client, server), tlsSetup(net, host, mtu, token, clientIp));
    }

    /**
     * Row {@code http-tls}: the deployment this transport is made for. nginx in B terminates TLS on port+1 with a
     * throw-away CA (openssl) and proxies, unbuffered, to the server on 127.0.0.1:port+2; the client trusts the CA.
     */
    private static Setup tlsSetup(Network net, String host, int mtu, String token, String clientIp) {
        int tls = net.port() + 1;
        int plain = net.port() + 2;
        String server = String.format("[ { \"name\": \"tnbh1\", \"port\": %d, \"listen\": \"127.0.0.1\", \"net\": \"%s\","
                        + " \"mtu\": %d,%n    \"clients\": [ { \"token\": \"%s\", \"ip\": \"%s\" } ] } ]%n",
                plain, net.tunnelB(), mtu, token, clientIp);
        String client = String.format("[ { \"name\": \"tnbh1\", \"server\": \"https://%s:%d/ip\", \"token\": \"bench\","
                + " \"ca\": \"%%DIR%%/ca.pem\" } ]%n", host, tls);
        String nginx = String.join("\n",
                "worker_processes 1;", "user root;", "pid %DIR%/nginx.pid;", "error_log %DIR%/nginx-error.log;",
                "events { worker_connections 256; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path %DIR%; proxy_temp_path %DIR%;",
                "  fastcgi_temp_path %DIR%; uwsgi_temp_path %DIR%; scgi_temp_path %DIR%;",
                "  server {",
                "    listen " + host + ":" + tls + " ssl;",
                "    ssl_certificate %DIR%/server.pem; ssl_certificate_key %DIR%/server.key;",
                "    location / {",
                "      proxy_pass http://127.0.0.1:" + plain + ";",
                "      proxy_http_version 1.1; proxy_set_header Connection \"\";",
                "      proxy_buffering off; proxy_request_buffering off; client_max_body_size 0;",
                "      proxy_read_timeout 1h; proxy_send_timeout 1h; client_body_timeout 1h; send_timeout 1h;",
                "    }",
                "  }",
                "}", "");
        String ec = "ec_paramgen_curve:prime256v1";
        List<Step> steps = List.of(
                Step.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "ca.key",
                        "-out", "ca.pem", "-days", "2", "-subj", "/CN=tunctl bench CA"),
                Step.run("openssl", "req", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "server.key",
                        "-out", "server.csr", "-subj", "/CN=" + Cidr.addressString(net.underlayB())),
                Step.run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext"),
                Step.serve(tls, "nginx", "-p", "%DIR%", "-c", "%DIR%/nginx.conf", "-g", "daemon off;"));
        return new Setup("http-tls", client, server,
                Map.of("nginx.conf", nginx, "san.ext",
                        "subjectAltName=IP:" + Cidr.addressString(net.underlayB()) + "\n"),
                steps);
    }
}
