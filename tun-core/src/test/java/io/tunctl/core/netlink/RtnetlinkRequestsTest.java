package io.tunctl.core.netlink;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte-exact request encoding; the address and rule requests equal what iproute2 sends for the same command (checked with strace). */
class RtnetlinkRequestsTest {
    private final Arena arena = Arena.ofAuto();
    private final NetlinkWriter w = new NetlinkWriter(arena.allocate(4096, 8));

    private static String hex(MemorySegment m) {
        return HexFormat.of().formatHex(m.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void newAddressIpv4() {
        int len = RtnetlinkRequests.address(w, 1, true, 7, Cidr.parse("192.0.2.1/24"));
        assertEquals(40, len);
        // nlmsghdr: len 40, RTM_NEWADDR (20), REQUEST|ACK|EXCL|CREATE (0x605), seq 1, pid 0
        // ifaddrmsg: AF_INET, /24, flags 0, scope 0, index 7; IFA_LOCAL and IFA_ADDRESS 192.0.2.1
        assertEquals("28000000" + "1400" + "0506" + "01000000" + "00000000"
                + "02180000" + "07000000"
                + "08000200" + "c0000201"
                + "08000100" + "c0000201", hex(w.message()));
    }

    @Test
    void deleteAddressIpv6HasNoCreateFlags() {
        int len = RtnetlinkRequests.address(w, 9, false, 3, Cidr.parse("2001:db8::1/64"));
        assertEquals(16 + 8 + 20 + 20, len);
        MemorySegment m = w.message();
        assertEquals(21, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_DELADDR
        assertEquals(0x5, m.get(ValueLayout.JAVA_SHORT, 6)); // REQUEST|ACK
        assertEquals(10, m.get(ValueLayout.JAVA_BYTE, 16)); // AF_INET6
        assertEquals(64, m.get(ValueLayout.JAVA_BYTE, 17));
        Map<Integer, MemorySegment> attrs = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(8));
        assertEquals("20010db8000000000000000000000001", hex(attrs.get(2)));
        assertEquals("20010db8000000000000000000000001", hex(attrs.get(1)));
    }

    @Test
    void routeViaGatewayWithMetricInBigTable() {
        RouteSpec r = new RouteSpec(Cidr.parse("203.0.113.0/24"), "192.0.2.254", 50, 1000);
        RtnetlinkRequests.route(w, 2, true, 7, r);
        MemorySegment m = w.message();
        assertEquals(24, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_NEWROUTE
        // rtmsg: AF_INET, dst_len 24, src 0, tos 0, table UNSPEC (>255), proto BOOT, scope UNIVERSE, UNICAST
        assertEquals("02180000" + "00030001" + "00000000", hex(m.asSlice(16, 12)));
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertEquals(1000, NetlinkReader.u32(a.get(15))); // RTA_TABLE
        assertEquals("cb007100", hex(a.get(1))); // RTA_DST
        assertEquals("c00002fe", hex(a.get(5))); // RTA_GATEWAY
        assertEquals(7, NetlinkReader.u32(a.get(4))); // RTA_OIF
        assertEquals(50, NetlinkReader.u32(a.get(6))); // RTA_PRIORITY
    }

    @Test
    void defaultDeviceRouteHasLinkScopeAndNoDst() {
        RtnetlinkRequests.route(w, 3, true, 4, RouteSpec.parse("0.0.0.0/0"));
        MemorySegment m = w.message();
        assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 17)); // dst_len
        assertEquals((byte) 254, m.get(ValueLayout.JAVA_BYTE, 20)); // table main in rtm_table
        assertEquals((byte) 253, m.get(ValueLayout.JAVA_BYTE, 22)); // RT_SCOPE_LINK
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertFalse(a.containsKey(1));
        assertFalse(a.containsKey(5));
        assertEquals(254, NetlinkReader.u32(a.get(15)));
    }

    @Test
    void routeDestinationHostBitsAreCleared() {
        RtnetlinkRequests.route(w, 3, false, 4, new RouteSpec(Cidr.parse("198.51.100.77/24"), null, null, null));
        MemorySegment m = w.message();
        assertEquals(25, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_DELROUTE
        assertEquals((byte) 255, m.get(ValueLayout.JAVA_BYTE, 22)); // delete: RT_SCOPE_NOWHERE
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertEquals("c6336400", hex(a.get(1)));
    }

    @Test
    void gatewayOfOtherFamilyIsRejected() {
        RouteSpec r = new RouteSpec(Cidr.parse("2001:db8::/32"), "192.0.2.1", null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RtnetlinkRequests.route(w, 1, true, 1, r));
        assertTrue(e.getMessage().contains("gateway family"), e.getMessage());
    }

    @Test
    void invertedFwmarkRule() {
        RuleSpec rule = new RuleSpec(4, 0x51820, 0xffffL, 1000, 100, true);
        int len = RtnetlinkRequests.rule(w, 5, true, rule);
        MemorySegment m = w.message();
        assertEquals(16 + 12 + 4 * 8, len);
        assertEquals(32, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_NEWRULE
        // fib_rule_hdr: AF_INET, 0,0,0, table UNSPEC (1000 > 255), 0,0, FR_ACT_TO_TBL; flags FIB_RULE_INVERT
        assertEquals("02000000" + "00000001" + "02000000", hex(m.asSlice(16, 12)));
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertEquals(0x51820, NetlinkReader.u32(a.get(10)));
        assertEquals(0xffff, NetlinkReader.u32(a.get(16)));
        assertEquals(1000, NetlinkReader.u32(a.get(15)));
        assertEquals(100, NetlinkReader.u32(a.get(6)));
    }

    @Test
    void ruleWithoutMaskOrPriorityOmitsThem() {
        RtnetlinkRequests.rule(w, 5, false, new RuleSpec(6, 1, null, 200, null, false));
        MemorySegment m = w.message();
        assertEquals(33, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_DELRULE
        assertEquals(10, m.get(ValueLayout.JAVA_BYTE, 16)); // AF_INET6
        assertEquals((byte) 200, m.get(ValueLayout.JAVA_BYTE, 20));
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertFalse(a.containsKey(16));
        assertFalse(a.containsKey(6));
        assertThrows(IllegalArgumentException.class,
                () -> RtnetlinkRequests.rule(w, 1, true, new RuleSpec(5, 1, null, 1, null, false)));
    }

    /** The whole rule as {@code ip rule add} words it (same word order), so the bytes equal iproute2's. */
    static RuleSpec everySelector() {
        return RuleSpec.builder(4, 1000).invert(true)
                .from(Cidr.parse("192.0.2.0/24")).to(Cidr.parse("198.51.100.0/24"))
                .fwmark(0x51820, 0xffffL).iif("lo").oif("eth9")
                .uidRange(new RuleSpec.UidRange(1000, 1999)).ipProto(RuleSpec.parseIpProto("tcp"))
                .sport(RuleSpec.PortRange.parse("1024-2048")).dport(RuleSpec.PortRange.of(443))
                .suppressPrefixLength(0).priority(100).build();
    }

    @Test
    void ruleWithEverySelectorEqualsIproute2() {
        // strace -e write=3 ip rule add not from 192.0.2.0/24 to 198.51.100.0/24 fwmark 0x51820/0xffff iif lo
        //   oif eth9 uidrange 1000-1999 ipproto tcp sport 1024-2048 dport 443 lookup 1000 suppress_prefixlength 0
        //   priority 100   (iproute2 6.1; sequence number 5 here)
        int len = RtnetlinkRequests.rule(w, 5, true, everySelector());
        assertEquals(140, len);
        assertEquals("8c000000" + "2000" + "0506" + "05000000" + "00000000"
                // fib_rule_hdr: AF_INET, dst_len 24, src_len 24, tos 0, table UNSPEC, 0, 0, TO_TBL; INVERT
                + "02181800" + "00000001" + "02000000"
                + "08000200" + "c0000200" // FRA_SRC
                + "08000100" + "c6336400" // FRA_DST
                + "08000a00" + "20180500" // FRA_FWMARK
                + "08001000" + "ffff0000" // FRA_FWMASK
                + "07000300" + "6c6f0000" // FRA_IIFNAME "lo\0" + pad
                + "09001100" + "65746839" + "00000000" // FRA_OIFNAME "eth9\0" + pad
                + "0c001400" + "e8030000" + "cf070000" // FRA_UID_RANGE 1000-1999
                + "05001600" + "06000000" // FRA_IP_PROTO tcp + pad
                + "08001700" + "00040008" // FRA_SPORT_RANGE 1024-2048
                + "08001800" + "bb01bb01" // FRA_DPORT_RANGE 443-443
                + "08000f00" + "e8030000" // FRA_TABLE
                + "08000e00" + "00000000" // FRA_SUPPRESS_PREFIXLEN
                + "08000600" + "64000000", // FRA_PRIORITY
                hex(w.message()));
    }

    @Test
    void ruleListedByTheKernelMatchesItsSpec() {
        // a dump lists a rule in the same shape as the request that made it
        RuleSpec spec = everySelector();
        RtnetlinkRequests.rule(w, 5, true, spec);
        RuleEntry e = RtnetlinkRequests.parseRule(w.message());
        assertEquals(4, e.family());
        assertEquals(100, e.priority());
        assertTrue(e.invert());
        assertEquals(Cidr.parse("192.0.2.0/24"), e.from());
        assertEquals(Cidr.parse("198.51.100.0/24"), e.to());
        assertEquals("lo", e.iif());
        assertEquals("eth9", e.oif());
        assertEquals(6, e.ipProto());
        assertEquals(new RuleSpec.PortRange(1024, 2048), e.sport());
        assertEquals(RuleSpec.PortRange.of(443), e.dport());
        assertEquals(new RuleSpec.UidRange(1000, 1999), e.uidRange());
        assertEquals(0, e.suppressPrefixLength());
        assertEquals(1000, e.table());
        assertTrue(e.matches(spec));
        assertTrue(e.matches(spec.withPriority(null)), "priority is compared only when given");
        assertFalse(e.matches(spec.withPriority(101)));
        assertFalse(e.matches(spec.toBuilder().dport(RuleSpec.PortRange.of(444)).build()));
        assertFalse(e.matches(spec.toBuilder().ipProto(null).build()), "a selector less is another rule");
        assertFalse(e.matches(spec.toBuilder().invert(false).build()));
        assertFalse(e.matches(spec.toBuilder().suppressPrefixLength(null).build()));
    }

    @Test
    void ipv6RuleWithoutFwmarkCarriesNoMark() {
        RuleSpec spec = RuleSpec.builder(6, 254).from(Cidr.parse("2001:db8:1::5/48")).oif("tun0")
                .ipProto(RuleSpec.parseIpProto("ipv6-icmp")).build();
        assertEquals(Cidr.parse("2001:db8:1::/48"), spec.from(), "host bits dropped");
        RtnetlinkRequests.rule(w, 6, false, spec);
        MemorySegment m = w.message();
        assertEquals(33, m.get(ValueLayout.JAVA_SHORT, 4)); // RTM_DELRULE
        assertEquals("0a003000" + "fe000001" + "00000000", hex(m.asSlice(16, 12))); // AF_INET6, src_len 48, main
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(12));
        assertFalse(a.containsKey(10), "no FRA_FWMARK");
        assertFalse(a.containsKey(16), "no FRA_FWMASK");
        assertFalse(a.containsKey(1), "no FRA_DST");
        assertEquals("20010db8000100000000000000000000", hex(a.get(2)));
        assertEquals(58, a.get(22).get(ValueLayout.JAVA_BYTE, 0));
        RuleEntry e = RtnetlinkRequests.parseRule(m);
        assertEquals(0, e.fwmark());
        assertNull(e.suppressPrefixLength());
        assertTrue(e.matches(spec));
        assertFalse(e.matches(spec.toBuilder().fwmark(1).build()));
    }

    @Test
    void suppressPrefixLengthMinusOneIsNone() {
        // kernels list FRA_SUPPRESS_PREFIXLEN 0xffffffff for every rule that has none, and the full mask of a mark
        // given without one
        RuleSpec plain = new RuleSpec(4, 0x99, null, 1001, null, false);
        RtnetlinkRequests.rule(w, 7, true, new RuleSpec(4, 0x99, 0xffffffffL, 1001, null, false));
        MemorySegment m = w.message();
        MemorySegment listed = arena.allocate(m.byteSize() + 8);
        listed.copyFrom(m);
        listed.asSlice(m.byteSize()).copyFrom(MemorySegment.ofArray(new byte[] {8, 0, 14, 0, -1, -1, -1, -1}));
        listed.set(ValueLayout.JAVA_INT, 0, (int) listed.byteSize());
        RuleEntry e = RtnetlinkRequests.parseRule(listed);
        assertNull(e.suppressPrefixLength());
        assertTrue(e.matches(plain));
    }

    @Test
    void linkRequests() {
        RtnetlinkRequests.getLinkByName(w, 1, "tun0");
        MemorySegment m = w.message();
        assertEquals(18, m.get(ValueLayout.JAVA_SHORT, 4));
        Map<Integer, MemorySegment> a = NetlinkReader.attributes(m, NetlinkReader.attributesOffset(16));
        assertEquals("74756e3000", hex(a.get(3))); // "tun0\0"
        assertEquals(16 + 16 + 8 + 4, m.byteSize()); // 5-byte string attribute is padded to 8 -> 12 with header

        RtnetlinkRequests.setLinkUp(w, 2, 9, true);
        assertEquals("00000000" + "09000000" + "01000000" + "01000000", hex(w.message().asSlice(16, 16)));
        RtnetlinkRequests.setMtu(w, 3, 9, 1400);
        a = NetlinkReader.attributes(w.message(), NetlinkReader.attributesOffset(16));
        assertEquals(1400, NetlinkReader.u32(a.get(4)));
    }

    @Test
    void dumpRequestUsesDumpFlags() {
        RtnetlinkRequests.dump(w, 4, 26, 10);
        MemorySegment m = w.message();
        assertEquals(0x301, m.get(ValueLayout.JAVA_SHORT, 6));
        assertEquals(28, m.byteSize());
        assertThrows(IllegalArgumentException.class, () -> RtnetlinkRequests.dump(w, 1, 99, 0));
    }

    @Test
    void errorWithExtendedAckText() {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS, error -101, the capped request header, then NLMSGERR_ATTR_MSG
        String text = "Nexthop has invalid gateway";
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        int attrLen = 4 + text.length() + 1;
        int total = 16 + 20 + ((attrLen + 3) & ~3);
        b.putInt(total).putShort((short) 2).putShort((short) 0x300).putInt(77).putInt(0);
        b.putInt(-101);
        b.putInt(64).putShort((short) 24).putShort((short) 0x605).putInt(77).putInt(0);
        b.putShort((short) attrLen).putShort((short) 1).put(text.getBytes()).put((byte) 0);
        MemorySegment m = MemorySegment.ofArray(java.util.Arrays.copyOf(b.array(), total));
        MemorySegment native_ = arena.allocate(total);
        native_.copyFrom(m);
        assertEquals(101, NetlinkReader.error(native_));
        assertEquals(text, NetlinkReader.extAckMessage(native_));
    }

    @Test
    void ackWithoutTlvsHasNoText() {
        MemorySegment m = arena.allocate(36);
        m.set(ValueLayout.JAVA_INT, 0, 36);
        m.set(ValueLayout.JAVA_SHORT, 4, (short) 2);
        m.set(ValueLayout.JAVA_SHORT, 6, (short) 0x100);
        assertEquals(0, NetlinkReader.error(m));
        assertNull(NetlinkReader.extAckMessage(m));
    }
}
