package io.tunctl.core.packet;

import io.tunctl.core.config.ConfigDocumentFuzzer;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.testkit.FuzzInput;
import io.tunctl.core.testkit.OffloadCases;
import io.tunctl.core.testkit.SeedWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static io.tunctl.core.packet.TestPackets.*;

/**
 * Writes the seed corpora of tun-core's fuzz targets from the unit tests' packet builders and config files:
 * {@code java -cp <test class path> io.tunctl.core.packet.FuzzSeeds} from the tun-core directory.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        SeedWriter w = new SeedWriter(Path.of(args.length > 0 ? args[0] : "src/test/resources"));
        List<byte[]> packets = new ArrayList<>(List.of(hex(PING4_REQUEST), hex(PING6_REQUEST), hex(TCP4_RST),
                hex(ICMP4_PORT_UNREACHABLE), hex(TCP4_SYN_PARTIAL), hex(TCP6_SYN_PARTIAL), hex(UDP4_PARTIAL),
                withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 1)))), withRefChecksum(ipv6(17, udp(1, 2, pattern(100, 2)))),
                Icmp6ControlTest.behindRouterAlert("8f0000000000000104000000ff0200000000000000000000000000fb"),
                ipv6(44, ChecksumTest.concat(hex("1100000100000001"), udp(1, 2, new byte[8])))));
        byte[] d = Ipv4ReassemblerTest.datagram(5, pattern(300, 5), Ipv4ReassemblerTest.OPTIONS);
        packets.add(d);
        packets.add(Ipv4ReassemblerTest.fragment(d, 0, 160, true));
        w.write(PacketViewsFuzzer.class, packets);

        List<byte[]> offload = new ArrayList<>();
        for (OffloadCases.Case c : OffloadCases.seeds(1400)) {
            offload.add(OffloadFuzzer.input(c.flags(), c.gsoType(), c.hdrLen(), c.gsoSize(), c.csumStart(),
                    c.csumOffset(), c.packet()));
        }
        w.write(OffloadFuzzer.class, offload);

        w.write(GsoCoalescerFuzzer.class, coalescerSeeds());

        List<byte[]> reassembly = new ArrayList<>();
        byte[] big = Ipv4ReassemblerTest.datagram(7, pattern(1200, 7), new byte[0]);
        List<byte[]> parts = Ipv4ReassemblerTest.cut(big, 400);
        reassembly.add(FuzzInput.join(parts));
        List<byte[]> reversed = new ArrayList<>(parts);
        Collections.reverse(reversed);
        reassembly.add(FuzzInput.join(reversed));
        reassembly.add(FuzzInput.join(Ipv4ReassemblerTest.cut(d, 160)));
        reassembly.add(FuzzInput.join(List.of(Ipv4ReassemblerTest.fragment(d, 0, 160, true),
                Ipv4ReassemblerTest.fragment(d, 80, 240, true), Ipv4ReassemblerTest.fragment(d, 240, d.length - 32, false))));
        w.write(Ipv4ReassemblerFuzzer.class, reassembly);

        List<byte[]> configs = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/config/interface"))) {
            for (Path f : files.sorted().toList()) {
                byte[] text = Files.readAllBytes(f);
                int name = f.toString().endsWith(".json") ? 1 : 2;
                configs.add(withPrefix(name, text));
                configs.add(withPrefix(0, text)); // the format guessed from the text
            }
        }
        configs.add(withPrefix(1, ("// JSONC\n{\"interface\": {\"name\": \"tun0\", \"mtu\": 1420, /* c */ "
                + "\"addresses\": [\"198.51.100.1/24\", \"2001:db8::1/64\"], \"routes\": [\"0.0.0.0/0\",],},}")
                .getBytes()));
        w.write(ConfigDocumentFuzzer.class, configs);
    }

    private static byte[] withPrefix(int b, byte[] text) {
        byte[] out = new byte[text.length + 1];
        out[0] = (byte) b;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    /** Segments of TCP super-packets (one flow per family, and two interleaved), plus a UDP packet between. */
    private static List<byte[]> coalescerSeeds() {
        byte[] opts = hex("0101080a0001e2400000abcd");
        List<byte[]> seeds = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            List<List<byte[]>> flows = new ArrayList<>();
            for (boolean v6 : new boolean[] {false, true}) {
                byte[] l4 = tcp(40000, 443, 0xffff0000L, 0x01020304L, Tcp.ACK | Tcp.PSH, opts, pattern(5000, 3));
                byte[] p = v6 ? ipv6(6, l4) : ipv4(6, l4);
                int ip = v6 ? 40 : 20;
                put16(p, ip + 16, Checksum.pseudo(seg(p), 0, 6, p.length - ip));
                PacketBatch sp = PacketBatch.allocate(arena, 1, 65599);
                sp.add(p, 0, p.length);
                sp.setOffload(0, Offload.F_NEEDS_CSUM, v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4, ip + 32, 1000, ip, 16);
                PacketBatch segs = PacketBatch.allocate(arena, 16, 1600);
                GsoSegmenter.segment(sp, 0, segs);
                List<byte[]> flow = new ArrayList<>();
                for (int i = 0; i < segs.size(); i++) flow.add(segs.toArray(i));
                flows.add(flow);
                seeds.add(FuzzInput.join(flow));
            }
            List<byte[]> mixed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                mixed.add(flows.get(0).get(i));
                mixed.add(flows.get(1).get(i));
                if (i == 2) mixed.add(withRefChecksum(ipv4(17, udp(1, 2, pattern(100, 1)))));
            }
            seeds.add(FuzzInput.join(mixed));
        }
        return seeds;
    }
}
