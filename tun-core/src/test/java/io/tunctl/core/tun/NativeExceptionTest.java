package io.tunctl.core.tun;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NativeExceptionTest {

    @Test
    void tunsetiffPermissionNamesCapability() {
        NativeException e = NativeException.syscall("ioctl", "TUNSETIFF", "tun0", 1);
        assertEquals("ioctl(TUNSETIFF, \"tun0\"): EPERM (Operation not permitted): needs CAP_NET_ADMIN (run as root)",
                e.getMessage());
        assertEquals("ioctl(TUNSETIFF)", e.call());
        assertEquals("tun0", e.argument());
        assertEquals(1, e.errno());
        assertEquals("EPERM", e.errnoName());
        assertEquals("Operation not permitted", e.description());
        assertEquals(NativeException.HINT_NET_ADMIN, e.hint());
    }

    @Test
    void socketMarkPermissionNamesCapability() {
        NativeException e = NativeException.syscall("setsockopt", "SO_MARK", "fd 12 mark 0x51820", 1);
        assertEquals("setsockopt(SO_MARK, \"fd 12 mark 0x51820\"): EPERM (Operation not permitted): needs CAP_NET_ADMIN"
                + " (run as root)", e.getMessage());
        assertEquals("setsockopt(SO_MARK)", e.call());
        assertEquals("needs CAP_NET_RAW to rebind a bound socket (run as root)",
                NativeException.syscall("setsockopt", "SO_BINDTODEVICE", "fd 3 dev eth0", 1).hint());
        assertNull(NativeException.syscall("setsockopt", "SO_RCVBUF", "fd 3", 1).hint());
    }

    @Test
    void missingTunDeviceSaysModprobe() {
        NativeException e = NativeException.syscall("open", null, "/dev/net/tun", 2);
        assertEquals("open(\"/dev/net/tun\"): ENOENT (No such file or directory): /dev/net/tun missing: modprobe tun",
                e.getMessage());
    }

    @Test
    void openTunWithoutPermission() {
        assertEquals(NativeException.HINT_NET_ADMIN, NativeException.syscall("open", null, "/dev/net/tun", 13).hint());
    }

    @Test
    void busyNameIsInUse() {
        NativeException e = NativeException.syscall("ioctl", "TUNSETIFF", "tun7", 16);
        assertEquals("EBUSY", e.errnoName());
        assertEquals(true, e.getMessage().contains("name \"tun7\" in use"), e.getMessage());
    }

    @Test
    void netlinkErrorNamesOperationAndTarget() {
        NativeException e = NativeException.netlink("RTM_NEWADDR", "192.0.2.1/24 dev tun0", 17, null);
        assertEquals("RTM_NEWADDR 192.0.2.1/24 dev tun0: EEXIST (File exists)", e.getMessage());
        assertNull(e.hint());
        NativeException p = NativeException.netlink("RTM_NEWROUTE", "0.0.0.0/0 dev tun0", 1, "boom");
        assertEquals("RTM_NEWROUTE 0.0.0.0/0 dev tun0: EPERM (Operation not permitted): kernel says \"boom\": "
                + "needs CAP_NET_ADMIN (run as root)", p.getMessage());
    }

    @Test
    void unknownErrnoStillNamed() {
        NativeException e = NativeException.syscall("read", null, "tun0", 4095);
        assertEquals("errno 4095", e.errnoName());
        assertNull(e.hint());
    }
}
