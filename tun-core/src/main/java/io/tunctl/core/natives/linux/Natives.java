package io.tunctl.core.natives.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What every binding class shares: the linker, the libc lookup, the errno capture layout and the native-access
 * check. Function handles link lazily, one holder class per function, as jextract does.
 */
public final class Natives {
    private Natives() {}

    static final Linker LINKER = Linker.nativeLinker();
    /** libc is already loaded into every JVM; the default lookup finds its symbols. */
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** Layout of the segment a {@code captureCallState("errno")} call writes errno into. */
    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Allocates a segment that a syscall binding can capture errno into. */
    public static MemorySegment allocateCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno a previous call captured into {@code capture}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static MethodHandle downcall(String name, FunctionDescriptor desc, Linker.Option... options) {
        MemorySegment addr = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(addr, desc, options);
    }

    /**
     * Fails with the exact JVM flag to add when this module was not granted native access.
     * Call it at every public entry point that is about to touch native code.
     */
    public static void requireNativeAccess() {
        Module m = Natives.class.getModule();
        if (!m.isNativeAccessEnabled()) {
            throw new IllegalStateException(nativeAccessHint(m));
        }
    }

    static String nativeAccessHint(Module m) {
        String who = m.isNamed() ? m.getName() : "ALL-UNNAMED";
        return "tunctl uses the FFM API to reach the kernel and needs native access: "
                + "start java with --enable-native-access=" + who;
    }

    /** Rethrows what a {@code invokeExact} on a downcall handle may throw (nothing checked, in practice). */
    static AssertionError unreachable(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new AssertionError("should not reach here", t);
    }
}
