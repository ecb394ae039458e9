package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.core.testkit.SeedWriter;
import io.tunctl.transport.p2p.secretstream.SecretStreamSeeds;
import io.tunctl.transport.p2p.udx.UdxHeaderFuzzer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the seed corpora of transport-p2p's fuzz targets: the wire vectors of the unit tests (the hex literals of
 * {@code DhtMessagesTest} and the Noise tests, recorded from the Node peers) under every decoder, UDX headers, and
 * a secret stream's real frames. {@code java -cp <test class path> io.tunctl.transport.p2p.dht.messages.FuzzSeeds}
 * from the transport-p2p directory.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    private static final Pattern HEX = Pattern.compile("\"((?:[0-9a-f]{2}){2,})\"");

    public static void main(String[] args) throws IOException {
        SeedWriter w = new SeedWriter(Path.of(args.length > 0 ? args[0] : "src/test/resources"));
        String tests = Files.readString(Path.of("src/test/java/io/tunctl/transport/p2p/dht/messages/DhtMessagesTest.java"))
                + Files.readString(Path.of("src/test/java/io/tunctl/transport/p2p/noise/NoiseIkHandshakeTest.java"));
        List<byte[]> vectors = new ArrayList<>();
        Matcher m = HEX.matcher(tests.replaceAll("\"\\s*\\+\\s*\"", ""));
        while (m.find()) vectors.add(HexFormat.of().parseHex(m.group(1)));
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] v : vectors) {
            for (int selector = 0; selector < 9; selector++) seeds.add(HyperdhtMessagesFuzzer.input(selector, v));
        }
        w.write(HyperdhtMessagesFuzzer.class, seeds);

        HexFormat hex = HexFormat.of();
        w.write(UdxHeaderFuzzer.class,
                hex.parseHex("ff010100" + "07000000" + "00000100" + "05000000" + "02000000" + "68656c6c6f"),
                hex.parseHex("ff010400" + "07000000" + "00000100" + "05000000" + "02000000"
                        + "0a0000000c000000" + "1000000014000000"),
                hex.parseHex("ff010108" + "07000000" + "00000100" + "05000000" + "02000000" + "0000000000000000" + "ab"),
                hex.parseHex("ff010200" + "07000000" + "00000100" + "05000000" + "02000000"));
        SecretStreamSeeds.write(w);
    }
}
