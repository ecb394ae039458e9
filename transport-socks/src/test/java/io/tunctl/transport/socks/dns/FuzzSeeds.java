package io.tunctl.transport.socks.dns;

import io.tunctl.core.testkit.FuzzInput;
import io.tunctl.core.testkit.SeedWriter;
import io.tunctl.transport.socks.config.NanoTunConfigFuzzer;
import io.tunctl.transport.socks.proxy.Socks5UdpHeaderFuzzer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the seed corpora of transport-socks's fuzz targets from the unit tests' DNS builders and nano-tun files:
 * {@code java -cp <test class path> io.tunctl.transport.socks.dns.FuzzSeeds} from the transport-socks directory.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        SeedWriter w = new SeedWriter(Path.of(args.length > 0 ? args[0] : "src/test/resources"));
        List<byte[]> dns = new ArrayList<>();
        byte[] a = Wire.query(0x1234, "example.com", Wire.A, 0);
        byte[] aaaa = Wire.query(7, "www.Example.ORG", Wire.AAAA, 1232);
        byte[] txt = Wire.query(9, "t.example", Wire.TXT, 4096);
        dns.add(FuzzInput.join(List.of(a, Wire.answer(a, 3, 0))));
        dns.add(FuzzInput.join(List.of(aaaa, Wire.answer(aaaa, 40, 1232))));
        dns.add(FuzzInput.join(List.of(txt, Wire.answer(txt, 200, 4096))));
        dns.add(FuzzInput.join(List.of(a)));
        w.write(DnsMessagesFuzzer.class, dns);

        HexFormat hex = HexFormat.of();
        w.write(Socks5UdpHeaderFuzzer.class, hex.parseHex("000000010a00000200356869"),
                hex.parseHex("0000000420010db80000000000000000000000010035"), hex.parseHex("000001010a0000020035"),
                hex.parseHex("000000030b6578616d706c652e636f6d0035"));

        List<byte[]> configs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/nanotun"))) {
            for (Path f : files.sorted().toList()) {
                configs.add(prefixed(1, Files.readAllBytes(f)));
                configs.add(prefixed(0, Files.readAllBytes(f)));
            }
        }
        configs.add(prefixed(2, """
                {"transport": "socks", "interface": {"mtu": 1500},
                 "socks": {"proxy": "socks5://127.0.0.1:1080", "dns": {"listen": "198.18.0.2:53"}}}
                """.getBytes(StandardCharsets.UTF_8)));
        w.write(NanoTunConfigFuzzer.class, configs);
    }

    private static byte[] prefixed(int b, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = (byte) b;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
