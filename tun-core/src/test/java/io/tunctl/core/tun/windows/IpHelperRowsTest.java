package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.MIB_IPFORWARD_ROW2;
import io.tunctl.core.natives.windows.MIB_IPINTERFACE_ROW;
import io.tunctl.core.natives.windows.MIB_UNICASTIPADDRESS_ROW;
import io.tunctl.core.packet.Cidr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The IP Helper rows byte by byte, at the x64 offsets the SDK gives (checked against mingw-w64 by
 * WindowsLayoutCheckIT), written here by hand and independently of the binding classes. Rows start zeroed: on
 * Windows the Initialize* call fills the defaults first, and these builders set what tunctl decides on top.
 */
class IpHelperRowsTest {
    private static final long LUID = 0x0006_0000_0100_0000L; // IF_TYPE_PROP_VIRTUAL (53 = 0x35)-style value, any will do

    private static ByteBuffer expected(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(MemorySegment m) { return m.toArray(ValueLayout.JAVA_BYTE); }

    @Test
    void unicastAddressIpv4() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_UNICASTIPADDRESS_ROW.allocate(a);
            IpHelperRows.unicastAddress(row, LUID, Cidr.parse("192.0.2.1/24"));
            ByteBuffer e = expected(80);
            e.putShort(0, (short) 2).put(4, (byte) 192).put(5, (byte) 0).put(6, (byte) 2).put(7, (byte) 1); // SOCKADDR_IN
            e.putLong(32, LUID);                  // InterfaceLuid
            e.putInt(44, 1).putInt(48, 1);        // IpPrefixOriginManual, IpSuffixOriginManual
            e.putInt(52, -1).putInt(56, -1);      // Valid/PreferredLifetime infinite
            e.put(60, (byte) 24);                 // OnLinkPrefixLength
            e.putInt(64, 4);                      // IpDadStatePreferred
            assertArrayEquals(e.array(), bytes(row));
        }
    }

    @Test
    void unicastAddressIpv6() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_UNICASTIPADDRESS_ROW.allocate(a);
            IpHelperRows.unicastAddress(row, LUID, Cidr.parse("2001:db8::1/64"));
            byte[] r = bytes(row);
            assertEquals(23, r[0]); // AF_INET6 on Windows
            assertArrayEquals(HexFormat.of().parseHex("20010db8000000000000000000000001"), java.util.Arrays.copyOfRange(r, 8, 24));
            assertEquals(64, r[60]);
        }
    }

    @Test
    void routeIntoTheTunnel() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_IPFORWARD_ROW2.allocate(a);
            IpHelperRows.route(row, LUID, Cidr.parse("10.20.0.0/16"), null, null);
            ByteBuffer e = expected(104);
            e.putLong(0, LUID);
            e.putShort(12, (short) 2).put(16, (byte) 10).put(17, (byte) 20); // DestinationPrefix.Prefix
            e.put(40, (byte) 16);                                            // DestinationPrefix.PrefixLength
            e.putShort(44, (short) 2);                                       // NextHop 0.0.0.0: on-link
            e.putInt(76, -1).putInt(80, -1);                                 // lifetimes
            e.putInt(84, 0);                                                 // Metric
            e.putInt(88, 3);                                                 // MIB_IPPROTO_NETMGMT
            e.putInt(100, 0);                                                // NlroManual
            assertArrayEquals(e.array(), bytes(row));
        }
    }

    @Test
    void ipv6RouteViaAGatewayWithAMetric() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_IPFORWARD_ROW2.allocate(a);
            IpHelperRows.route(row, LUID, Cidr.parse("2001:db8:1::/48"), Cidr.parseAddress("2001:db8::fe"), 25);
            byte[] r = bytes(row);
            ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(23, b.getShort(12));
            assertArrayEquals(HexFormat.of().parseHex("20010db8000100000000000000000000"), java.util.Arrays.copyOfRange(r, 20, 36));
            assertEquals(48, r[40]);
            assertEquals(23, b.getShort(44));
            assertArrayEquals(HexFormat.of().parseHex("20010db80000000000000000000000fe"), java.util.Arrays.copyOfRange(r, 52, 68));
            assertEquals(25, b.getInt(84));
        }
    }

    @Test
    void badRoutesAreRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_IPFORWARD_ROW2.allocate(a);
            assertThrows(IllegalArgumentException.class, () -> IpHelperRows.route(row, LUID, Cidr.parse("10.0.0.1/8"), null, null));
            assertThrows(IllegalArgumentException.class,
                    () -> IpHelperRows.route(row, LUID, Cidr.parse("10.0.0.0/8"), Cidr.parseAddress("2001:db8::1"), null));
            assertThrows(IllegalArgumentException.class, () -> IpHelperRows.route(row, LUID, Cidr.parse("10.0.0.0/8"), null, -1));
        }
    }

    @Test
    void mtuRowClearsSitePrefixLengthForIpv4Only() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment row = MIB_IPINTERFACE_ROW.allocate(a);
            IpHelperRows.interfaceKey(row, LUID, 2);
            MIB_IPINTERFACE_ROW.SitePrefixLength(row, 64); // as GetIpInterfaceEntry may return it
            IpHelperRows.mtu(row, 1380);
            ByteBuffer b = ByteBuffer.wrap(bytes(row)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(2, b.getShort(0));
            assertEquals(LUID, b.getLong(8));
            assertEquals(0, b.getInt(144));     // SitePrefixLength
            assertEquals(1380, b.getInt(152));  // NlMtu
            IpHelperRows.interfaceKey(row, LUID, 23);
            MIB_IPINTERFACE_ROW.SitePrefixLength(row, 64);
            IpHelperRows.mtu(row, 1280);
            b = ByteBuffer.wrap(bytes(row)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(64, b.getInt(144));
            assertEquals(1280, b.getInt(152));
            assertThrows(IllegalArgumentException.class, () -> IpHelperRows.mtu(row, 67));
        }
    }
}
