package io.tunctl.core.tun;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NativeWarmUpTest {

    /** Every call answers as a Linux kernel does, unprivileged: the training's links are the ones up uses. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void everyCallAnswersAsOnLinux() throws Exception {
        assertEquals(NativeWarmUp.CALLS, NativeWarmUp.run());
    }
}
