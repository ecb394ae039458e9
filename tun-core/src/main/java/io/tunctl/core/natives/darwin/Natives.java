package io.tunctl.core.natives.darwin;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What the Darwin binding classes share: the linker, the libSystem lookup (the JVM's default lookup on macOS), the
 * errno capture and the native-access check. Function handles link lazily, one holder class per function, so
 * loading these classes on Linux (for the layout check and the pure codecs' tests) links nothing.
 */
public final class Natives {
    private Natives() {}

    static final Linker LINKER = Linker.nativeLinker();

    /** Layout of the segment a {@code captureCallState("errno")} call writes errno into. */
    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Allocates a segment that a binding can capture errno into. */
    public static MemorySegment allocateCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno a previous call captured into {@code capture}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static MethodHandle downcall(String name, FunctionDescriptor desc, Linker.Option... options) {
        SymbolLookup libSystem = LINKER.defaultLookup();
        MemorySegment addr = libSystem.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libSystem symbol not found: " + name));
        return LINKER.downcallHandle(addr, desc, options);
    }

    /** Fails with the exact JVM flag to add when this module was not granted native access. */
    public static void requireNativeAccess() {
        io.tunctl.core.natives.linux.Natives.requireNativeAccess();
    }

    static AssertionError unreachable(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new AssertionError("should not reach here", t);
    }
}
