package io.tunctl.transport.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.testkit.SeedWriter;
import io.tunctl.transport.http.config.TapotunConfigFuzzer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the seed corpora of transport-http's fuzz targets from the unit tests' frame builders and tapotun files:
 * {@code java -cp <test class path> io.tunctl.transport.http.wire.FuzzSeeds} from the transport-http directory.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        SeedWriter w = new SeedWriter(Path.of(args.length > 0 ? args[0] : "src/test/resources"));
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int len : new int[] {20, 60, 1400, 1500}) frames.writeBytes(WireTest.wireFrame(len, len));
        byte[] body = frames.toByteArray();
        byte[] keepAlive = {0, 0};
        List<byte[]> seeds = new ArrayList<>();
        for (int control : new int[] {0, 1, 4, 8 | 4, 0x50}) {
            seeds.add(prefixed(control, body));
            seeds.add(prefixed(control | 2, chunked(body, 700)));
        }
        seeds.add(prefixed(1, concat(keepAlive, WireTest.wireFrame(40, 1), keepAlive)));
        seeds.add(prefixed(3, concat(chunked(WireTest.wireFrame(40, 1), 9),
                "0;ext=1\r\nTrailer: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
        w.write(HttpBodyFuzzer.class, seeds);

        byte[] ip = {10, 0, 0, 2};
        TunConf v1 = TunConf.v1(1500, 24, ip);
        TunConf v2 = TunConf.v2(1400, 16, List.of(ip, new byte[] {10, 0, 0, 3}),
                List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("0.0.0.0/0")));
        w.write(TunConfFuzzer.class, v1.toBytes(), v2.toBytes(), v1.toHeader().getBytes(StandardCharsets.US_ASCII),
                v2.toHeader().getBytes(StandardCharsets.US_ASCII));

        List<byte[]> configs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/tapotun"))) {
            for (Path f : files.sorted().toList()) {
                configs.add(prefixed(1, Files.readAllBytes(f)));
                configs.add(prefixed(0, Files.readAllBytes(f)));
            }
        }
        configs.add(prefixed(2, """
                transport: http
                interface: { mtu: 1400 }
                http:
                  - name: tap0
                    server: https://vpn.example.com/tun
                    token: secret
                """.getBytes(StandardCharsets.UTF_8)));
        w.write(TapotunConfigFuzzer.class, configs);
    }

    private static byte[] chunked(byte[] body, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int p = 0; p < body.length; p += size) {
            int n = Math.min(size, body.length - p);
            ByteBuf b = ChunkedBody.start(UnpooledByteBufAllocator.DEFAULT, n);
            b.writeBytes(body, p, n);
            out.writeBytes(ByteBufUtil.getBytes(ChunkedBody.finish(b)));
            b.release();
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] prefixed(int b, byte[] rest) {
        return concat(new byte[] {(byte) b}, rest);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
