package io.tunctl.core.packet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunctl.core.testkit.AllocationBound;
import io.tunctl.core.testkit.FuzzInput;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Coverage-guided fuzz target for IPv4 reassembly of untrusted fragments: up to 32 packets ({@link FuzzInput}
 * records) offered in turn to one small {@link Ipv4Reassembler} (4 datagrams of at most 4000 bytes, 1 ms
 * timeout, 100 µs between packets so timeouts happen too). Property: {@code offer} throws nothing and returns one
 * of its documented values; a completed datagram is an IPv4 packet of the returned length whose header
 * checksum verifies and whose IP header is whole; no more datagrams pending than the table holds; allocation at most {@value #BASE} bytes.
 */
public class Ipv4ReassemblerFuzzer {
    static final long BASE = 16384;
    private static final int DATAGRAMS = 4, BYTES = 4000;

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        List<byte[]> packets = FuzzInput.records(data, 32);
        Ipv4Reassembler r = new Ipv4Reassembler(MemorySegment.ofArray(
                new byte[(int) Ipv4Reassembler.bufferSize(DATAGRAMS, BYTES)]), DATAGRAMS, BYTES, 1_000_000);
        AllocationBound.check("IPv4 reassembler", data.length, BASE, 0, () -> run(r, packets));
    }

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }

    private static void run(Ipv4Reassembler r, List<byte[]> packets) {
        long now = 0;
        for (byte[] p : packets) {
            now += 100_000;
            int res = r.offer(MemorySegment.ofArray(p), 0, p.length, now);
            if (res > 0) {
                MemorySegment c = r.completed();
                long off = r.completedOffset();
                PacketViewsFuzzer.check(res == r.completedLength() && res == Ipv4.totalLength(c, off),
                        "completed length agrees");
                // its IP header is whole and agrees with its length (the transport header is the sender's business)
                PacketValidity v = IpPacket.validate(c.asSlice(off, res));
                PacketViewsFuzzer.check(v.ordinal() >= PacketValidity.TRUNCATED_TRANSPORT_HEADER.ordinal()
                        || v == PacketValidity.VALID, "a reassembled datagram's IP header is whole: " + v);
                PacketViewsFuzzer.check(!Ipv4.isFragment(c, off), "a reassembled datagram is no fragment");
                PacketViewsFuzzer.check(Checksum.verifyIpv4Header(c, off), "its header checksum verifies");
            } else {
                PacketViewsFuzzer.check(res == Ipv4Reassembler.HELD || res == Ipv4Reassembler.NOT_A_FRAGMENT
                        || res == Ipv4Reassembler.DROPPED, "a documented result: " + res);
            }
            PacketViewsFuzzer.check(r.pending() <= DATAGRAMS, "pending within the table");
        }
    }
}
