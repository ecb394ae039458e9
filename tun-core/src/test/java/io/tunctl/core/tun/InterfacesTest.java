package io.tunctl.core.tun;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterfacesTest {

    @Test
    void osFromOsName() throws IOException {
        assertEquals(Interfaces.Os.LINUX, Interfaces.os("Linux"));
        assertEquals(Interfaces.Os.MACOS, Interfaces.os("Mac OS X"));
        assertEquals(Interfaces.Os.WINDOWS, Interfaces.os("Windows 11"));
        assertEquals(Interfaces.Os.WINDOWS, Interfaces.os("Windows Server 2022"));
        assertEquals(Interfaces.Os.LINUX, Interfaces.os(System.getProperty("os.name")), "this machine");
    }

    @Test
    void otherOsesAreAClearError() {
        for (String n : new String[] {"FreeBSD", "SunOS", "AIX", "", null}) {
            IOException e = assertThrows(IOException.class, () -> Interfaces.os(n));
            assertTrue(e.getMessage().contains("tunctl runs on Linux, macOS (utun) and Windows (Wintun)"), e.getMessage());
        }
    }
}
