package io.tunctl.core.natives.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What the Windows binding classes share: the linker, the system DLL lookups (held by lazily initialised holders
 * with an automatic arena, so a DLL stays loaded while its bindings are reachable), and the
 * {@code GetLastError} capture. Nothing here touches a Windows-only capture name or DLL until a function is first
 * called, so these classes load on Linux for the layout check and the pure request builders' tests.
 */
public final class Natives {
    private Natives() {}

    static final Linker LINKER = Linker.nativeLinker();

    /** The capture option and its reader exist only on Windows: made on first use. */
    private static final class LastError {
        static final Linker.Option OPTION = Linker.Option.captureCallState("GetLastError");
        static final VarHandle HANDLE = Linker.Option.captureStateLayout()
                .varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
    }

    static Linker.Option captureLastError() { return LastError.OPTION; }

    /** Allocates a segment a binding can capture {@code GetLastError()} into. */
    public static MemorySegment allocateCapture(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    /** The {@code GetLastError()} value a previous call captured into {@code capture}. */
    public static int lastError(MemorySegment capture) {
        return (int) LastError.HANDLE.get(capture, 0L);
    }

    /** A system DLL, loaded once ({@code LoadLibrary} semantics: found on the system path). */
    static SymbolLookup systemLibrary(String dll) {
        return SymbolLookup.libraryLookup(dll, Arena.ofAuto());
    }

    static MethodHandle downcall(SymbolLookup library, String libraryName, String name, FunctionDescriptor desc,
                                 Linker.Option... options) {
        MemorySegment addr = library.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(libraryName + " has no symbol " + name));
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
