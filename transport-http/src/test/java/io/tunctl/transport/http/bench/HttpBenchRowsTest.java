package io.tunctl.transport.http.bench;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import io.tunctl.transport.http.config.ConfigCompiler;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.config.HttpConfig;
import io.tunctl.transport.http.config.TapotunFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

class HttpBenchRowsTest {

    private static Benchmarkable.Network network() throws Exception {
        return new Benchmarkable.Network(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"),
                Cidr.parse("203.0.113.1/30"), Cidr.parse("203.0.113.2/30"), 5555, 1420);
    }

    @Test
    void registeredAsABenchServiceForTheHttpTransport() {
        // the class-path registration (META-INF/services); module-info's provides is checked by javac
        List<Benchmarkable> found = ServiceLoader.load(Benchmarkable.class).stream()
                .map(ServiceLoader.Provider::get).filter(b -> b instanceof HttpBenchRows).toList();
        assertEquals(1, found.size());
        assertEquals("http", found.getFirst().transport());
    }

    @Test
    void rowsAreHttpThenHttpTlsWithValidTapotunFiles(@TempDir Path dir) throws Exception {
        List<Benchmarkable.Setup> setups = new HttpBenchRows().benchSetups(network());
        assertEquals(List.of("http", "http-tls"), setups.stream().map(Benchmarkable.Setup::row).toList());

        Benchmarkable.Setup plain = setups.getFirst();
        Endpoints.Client c = (Endpoints.Client) compiled(plain.configA()).getFirst();
        assertEquals("http://192.0.2.2:5555/ip", c.server().toString());
        Endpoints.Server s = (Endpoints.Server) compiled(plain.configB()).getFirst();
        assertEquals(Cidr.parse("203.0.113.2/30"), s.net());
        assertEquals("203.0.113.1", s.clients().getFirst().ipString());
        assertTrue(plain.stepsB().isEmpty());

        Benchmarkable.Setup tls = setups.get(1);
        Files.createFile(dir.resolve("ca.pem")); // made by the openssl steps in a real run
        Endpoints.Client tc = (Endpoints.Client) compiled(tls.configA().replace("%DIR%", dir.toString())).getFirst();
        assertEquals("https://192.0.2.2:5556/ip", tc.server().toString());
        Endpoints.Server ts = (Endpoints.Server) compiled(tls.configB()).getFirst();
        assertEquals(5557, ts.port());
        assertEquals(List.of("openssl", "openssl", "openssl", "nginx"),
                tls.stepsB().stream().map(st -> st.command().getFirst()).toList());
        assertEquals(5556, tls.stepsB().getLast().readyPort());
        assertTrue(tls.files().get("nginx.conf").contains("proxy_pass http://127.0.0.1:5557;"));
    }

    private static List<Endpoints.Endpoint> compiled(String text) throws ConfigException {
        ConfigDocument doc = ConfigDocument.parse(Path.of("bench.json"), text);
        HttpConfig c = TapotunFile.recognise(doc).orElseThrow();
        ConfigProblems p = new ConfigProblems(doc);
        List<Endpoints.Endpoint> eps = ConfigCompiler.compile(c, p);
        assertTrue(p.isEmpty(), () -> p.list().toString());
        return eps;
    }
}
