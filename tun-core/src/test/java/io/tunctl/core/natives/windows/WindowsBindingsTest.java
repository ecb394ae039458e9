package io.tunctl.core.natives.windows;

import io.tunctl.core.testkit.CrossLayoutCheck;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of the Windows bindings that need no compiler and no Windows (the compiler check is WindowsLayoutCheckIT). */
class WindowsBindingsTest {

    @Test
    void offsetsAgreeWithJavaLayouts() throws ReflectiveOperationException {
        List<String> bad = CrossLayoutCheck.offsetsAgainstLayouts(WindowsBindings.STRUCTS.keySet());
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void errorNamesMatchConstants() throws ReflectiveOperationException {
        int n = 0;
        for (Method m : winerror_h.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 0 && m.getName().startsWith("ERROR_")) {
                assertEquals(m.getName(), winerror_h.errorName((int) m.invoke(null)));
                n++;
            }
        }
        assertTrue(n >= 15, "error constants found: " + n);
        assertEquals("error 3221225473 (0xc0000001)", winerror_h.errorName(0xC0000001));
    }

    @Test
    void wintunMustBeLoadedFromAPathThatExists() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wintun_h.load(java.nio.file.Path.of("no-such-dir", "wintun.dll")));
        assertTrue(e.getMessage().contains("no-such-dir"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> wintun_h.WintunGetRunningDriverVersion(null));
    }
}
