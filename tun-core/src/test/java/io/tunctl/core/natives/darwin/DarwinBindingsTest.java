package io.tunctl.core.natives.darwin;

import io.tunctl.core.testkit.CrossLayoutCheck;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of the Darwin bindings that need no C compiler (the compiler-backed check is DarwinLayoutCheckIT). */
class DarwinBindingsTest {

    @Test
    void offsetsAgreeWithJavaLayouts() throws ReflectiveOperationException {
        List<String> bad = CrossLayoutCheck.offsetsAgainstLayouts(DarwinBindings.STRUCTS.keySet());
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void errnoNamesMatchConstants() throws ReflectiveOperationException {
        int n = 0;
        for (Method m : libc_h.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 0 && m.getName().matches("E[A-Z]+")) {
                assertEquals(m.getName(), libc_h.errnoName((int) m.invoke(null)));
                n++;
            }
        }
        assertTrue(n >= 25, "errno constants found: " + n);
    }

    @Test
    void darwinNumbersThatDifferFromLinux() {
        // the values a Linux habit would get wrong
        assertEquals(30, libc_h.AF_INET6());
        assertEquals(35, libc_h.EAGAIN());
        assertEquals(4, libc_h.O_NONBLOCK());
        assertEquals(0xffff, libc_h.SOL_SOCKET());
        assertEquals(92, rt_msghdr.sizeof());
        assertEquals(32, ifreq.sizeof());
    }
}
