package io.tunctl.examples.udp;

import io.tunctl.core.testkit.PacketDeviceContract;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Two UDP devices on loopback pass the device contract. */
class UdpDeviceTest extends PacketDeviceContract {
    @Override
    protected Pair open() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        UdpDevice a = UdpDevice.open(new InetSocketAddress(lo, 0), null, 1420);
        UdpDevice b = UdpDevice.open(new InetSocketAddress(lo, 0), a.localAddress(), 1420);
        a.peer(b.localAddress());
        return new Pair(a, b, null);
    }

    /** Datagrams: a full socket buffer drops, as a NIC does. */
    @Override
    protected boolean lossless() {
        return false;
    }
}
