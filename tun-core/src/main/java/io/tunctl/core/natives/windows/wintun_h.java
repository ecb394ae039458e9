package io.tunctl.core.natives.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Wintun, the layer-3 TUN driver for Windows (https://www.wintun.net), as its {@code wintun.h} (0.14) declares it.
 * Wintun ships as a signed {@code wintun.dll} beside the application, not as a system library, so the DLL is
 * loaded from an explicit path with {@link #load(Path)} before any function is called; the functions resolve
 * their symbols on first use. Declarations: {@code native-headers/windows_wintun.h}.
 *
 * <p>Each function checks that the DLL is loaded before its holder class links the symbol: a holder whose
 * initialisation failed would stay broken for the life of the JVM, even after a later {@link #load}.
 *
 * <p>Functions documented to set the last error take a leading capture segment
 * ({@code captureCallState("GetLastError")}); the {@code void} ones do not fail.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class wintun_h {
    private wintun_h() {}

    /** The loaded DLL; a lookup whose arena is automatic, so the DLL stays loaded while this class is. */
    private static final class Library {
        static volatile SymbolLookup lookup;
        static volatile Path path;

        static SymbolLookup lookup() {
            SymbolLookup l = lookup;
            if (l == null) throw new IllegalStateException("wintun.dll is not loaded: call wintun_h.load(path) first");
            return l;
        }
    }

    /**
     * Loads {@code wintun.dll} from {@code dll} (once per JVM; a second call with the same path does nothing).
     *
     * @throws IllegalArgumentException when the file is missing or cannot be loaded, naming the path
     * @throws IllegalStateException    when another path was loaded before
     */
    public static synchronized void load(Path dll) {
        Path abs = dll.toAbsolutePath().normalize();
        if (Library.lookup != null) {
            if (!Library.path.equals(abs)) {
                throw new IllegalStateException("wintun.dll already loaded from " + Library.path + ", not " + abs);
            }
            return;
        }
        if (!Files.isRegularFile(abs)) throw new IllegalArgumentException(abs + " does not exist");
        Library.lookup = SymbolLookup.libraryLookup(abs, Arena.ofAuto());
        Library.path = abs;
    }

    /** The path {@link #load} loaded, or null. */
    public static Path loadedFrom() { return Library.path; }

    // ---- <wintun.h> ----
    /** {@code #define WINTUN_MIN_RING_CAPACITY 0x20000} in {@code wintun.h}. */
    public static int WINTUN_MIN_RING_CAPACITY() { return 0x20000; }
    /** {@code #define WINTUN_MAX_RING_CAPACITY 0x4000000} in {@code wintun.h}. */
    public static int WINTUN_MAX_RING_CAPACITY() { return 0x4000000; }
    /** {@code #define WINTUN_MAX_IP_PACKET_SIZE 0xFFFF} in {@code wintun.h}. */
    public static int WINTUN_MAX_IP_PACKET_SIZE() { return 0xFFFF; }

    private static final class WintunCreateAdapter {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunCreateAdapter", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * WINTUN_ADAPTER_HANDLE WintunCreateAdapter(LPCWSTR Name, LPCWSTR TunnelType, const GUID *RequestedGUID);
     * }
     * NULL on failure (last error set). Needs Administrator.
     */
    public static MemorySegment WintunCreateAdapter(MemorySegment lastError, MemorySegment Name, MemorySegment TunnelType, MemorySegment RequestedGUID) {
        Library.lookup();
        try {
            return (MemorySegment) WintunCreateAdapter.HANDLE.invokeExact(lastError, Name, TunnelType, RequestedGUID);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunOpenAdapter {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunOpenAdapter", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * WINTUN_ADAPTER_HANDLE WintunOpenAdapter(LPCWSTR Name);
     * }
     * NULL on failure (last error set).
     */
    public static MemorySegment WintunOpenAdapter(MemorySegment lastError, MemorySegment Name) {
        Library.lookup();
        try {
            return (MemorySegment) WintunOpenAdapter.HANDLE.invokeExact(lastError, Name);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunCloseAdapter {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunCloseAdapter", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID WintunCloseAdapter(WINTUN_ADAPTER_HANDLE Adapter);
     * }
     * Removes an adapter this process created.
     */
    public static void WintunCloseAdapter(MemorySegment Adapter) {
        Library.lookup();
        try {
            WintunCloseAdapter.HANDLE.invokeExact(Adapter);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunGetAdapterLUID {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunGetAdapterLUID", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID WintunGetAdapterLUID(WINTUN_ADAPTER_HANDLE Adapter, NET_LUID *Luid);
     * }
     */
    public static void WintunGetAdapterLUID(MemorySegment Adapter, MemorySegment Luid) {
        Library.lookup();
        try {
            WintunGetAdapterLUID.HANDLE.invokeExact(Adapter, Luid);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunGetRunningDriverVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunGetRunningDriverVersion", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * DWORD WintunGetRunningDriverVersion(VOID);
     * }
     * 0 when no driver is loaded (last error set).
     */
    public static int WintunGetRunningDriverVersion(MemorySegment lastError) {
        Library.lookup();
        try {
            return (int) WintunGetRunningDriverVersion.HANDLE.invokeExact(lastError);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunStartSession {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunStartSession", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * WINTUN_SESSION_HANDLE WintunStartSession(WINTUN_ADAPTER_HANDLE Adapter, DWORD Capacity);
     * }
     * {@code Capacity}: a power of two between the MIN and MAX ring capacities. NULL on failure.
     */
    public static MemorySegment WintunStartSession(MemorySegment lastError, MemorySegment Adapter, int Capacity) {
        Library.lookup();
        try {
            return (MemorySegment) WintunStartSession.HANDLE.invokeExact(lastError, Adapter, Capacity);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunEndSession {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunEndSession", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID WintunEndSession(WINTUN_SESSION_HANDLE Session);
     * }
     */
    public static void WintunEndSession(MemorySegment Session) {
        Library.lookup();
        try {
            WintunEndSession.HANDLE.invokeExact(Session);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunGetReadWaitEvent {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunGetReadWaitEvent", DESC);
    }

    /**
     * {@snippet lang=c :
     * HANDLE WintunGetReadWaitEvent(WINTUN_SESSION_HANDLE Session);
     * }
     * Owned by the session: never closed by the caller.
     */
    public static MemorySegment WintunGetReadWaitEvent(MemorySegment Session) {
        Library.lookup();
        try {
            return (MemorySegment) WintunGetReadWaitEvent.HANDLE.invokeExact(Session);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunReceivePacket {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunReceivePacket", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * BYTE *WintunReceivePacket(WINTUN_SESSION_HANDLE Session, DWORD *PacketSize);
     * }
     * NULL with ERROR_NO_MORE_ITEMS when the ring is empty, ERROR_HANDLE_EOF when the adapter is going away, ERROR_INVALID_DATA when the ring is corrupt. Never blocks.
     */
    public static MemorySegment WintunReceivePacket(MemorySegment lastError, MemorySegment Session, MemorySegment PacketSize) {
        Library.lookup();
        try {
            return (MemorySegment) WintunReceivePacket.HANDLE.invokeExact(lastError, Session, PacketSize);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunReleaseReceivePacket {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunReleaseReceivePacket", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID WintunReleaseReceivePacket(WINTUN_SESSION_HANDLE Session, const BYTE *Packet);
     * }
     */
    public static void WintunReleaseReceivePacket(MemorySegment Session, MemorySegment Packet) {
        Library.lookup();
        try {
            WintunReleaseReceivePacket.HANDLE.invokeExact(Session, Packet);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunAllocateSendPacket {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunAllocateSendPacket", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * BYTE *WintunAllocateSendPacket(WINTUN_SESSION_HANDLE Session, DWORD PacketSize);
     * }
     * NULL with ERROR_BUFFER_OVERFLOW when the ring is full, ERROR_HANDLE_EOF when the adapter is going away. Never blocks.
     */
    public static MemorySegment WintunAllocateSendPacket(MemorySegment lastError, MemorySegment Session, int PacketSize) {
        Library.lookup();
        try {
            return (MemorySegment) WintunAllocateSendPacket.HANDLE.invokeExact(lastError, Session, PacketSize);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WintunSendPacket {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(Library.lookup(), "wintun.dll", "WintunSendPacket", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID WintunSendPacket(WINTUN_SESSION_HANDLE Session, const BYTE *Packet);
     * }
     */
    public static void WintunSendPacket(MemorySegment Session, MemorySegment Packet) {
        Library.lookup();
        try {
            WintunSendPacket.HANDLE.invokeExact(Session, Packet);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
