package io.tunctl.core.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ProcessFootprintTest {
    private static final String STATUS = """
            Name:\tjava
            Umask:\t0022
            State:\tS (sleeping)
            VmPeak:\t 2871344 kB
            VmHWM:\t   70212 kB
            VmRSS:\t   61440 kB
            RssAnon:\t   40000 kB
            Threads:\t14
            """;

    @Test
    void readsSizesAndCountsFromStatusText() {
        assertEquals(61440, ProcessFootprint.statusKb(STATUS, "VmRSS"));
        assertEquals(14, ProcessFootprint.statusKb(STATUS, "Threads"));
        assertEquals(70212, ProcessFootprint.statusKb(STATUS, "VmHWM"));
    }

    @Test
    void aMissingOrGarbledKeyIsMinusOne() {
        assertEquals(-1, ProcessFootprint.statusKb(STATUS, "VmSwap"));
        assertEquals(-1, ProcessFootprint.statusKb(STATUS, "Rss")); // a prefix of RssAnon is not RssAnon
        assertEquals(-1, ProcessFootprint.statusKb("VmRSS:\tlots kB\n", "VmRSS"));
        assertEquals(-1, ProcessFootprint.statusKb("", "VmRSS"));
    }

    @Test
    void thisProcessHasMemoryThreadsAndDescriptors() {
        ProcessFootprint f = ProcessFootprint.current();
        assertTrue(f.residentBytes() > 1 << 20, f.toString());
        assertTrue(f.threads() >= 1, f.toString());
        assertTrue(f.openFds() >= 3, f.toString()); // stdin, stdout, stderr at least
    }
}
