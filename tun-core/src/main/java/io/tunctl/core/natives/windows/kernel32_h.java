package io.tunctl.core.natives.windows;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The kernel32 calls tunctl uses on Windows: events and waits ({@code synchapi.h}, {@code winbase.h}), handles
 * ({@code handleapi.h}) and error text ({@code FormatMessageW}). Declarations: {@code native-headers/windows_wintun.h},
 * checked by the compiler against mingw-w64's SDK headers. Docs: learn.microsoft.com, "Synchronization Functions"
 * and "FormatMessageW".
 *
 * <p>Functions that report failure through {@code GetLastError()} take a leading capture segment
 * ({@link Natives#allocateCapture}) into which it is captured ({@code captureCallState("GetLastError")}): never
 * call {@code GetLastError} afterwards, the JVM may have overwritten it.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class kernel32_h {
    private kernel32_h() {}

    private static final class KERNEL32 {
        static final SymbolLookup LOOKUP = Natives.systemLibrary("kernel32.dll");
    }

    // ---- <winbase.h> ----
    /** {@code #define INFINITE 0xFFFFFFFF} in {@code winbase.h}. */
    public static int INFINITE() { return 0xFFFFFFFF; }
    /** {@code #define WAIT_OBJECT_0 ((STATUS_WAIT_0) + 0)} in {@code winbase.h}. */
    public static int WAIT_OBJECT_0() { return 0; }
    /** {@code #define WAIT_ABANDONED ((STATUS_ABANDONED_WAIT_0) + 0)} in {@code winbase.h}. */
    public static int WAIT_ABANDONED() { return 0x80; }
    /** {@code #define WAIT_TIMEOUT 258} in {@code winbase.h}. */
    public static int WAIT_TIMEOUT() { return 258; }
    /** {@code #define WAIT_FAILED ((DWORD) 0xFFFFFFFF)} in {@code winbase.h}. */
    public static int WAIT_FAILED() { return 0xFFFFFFFF; }
    /** {@code #define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200} in {@code winbase.h}. */
    public static int FORMAT_MESSAGE_IGNORE_INSERTS() { return 0x00000200; }
    /** {@code #define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000} in {@code winbase.h}. */
    public static int FORMAT_MESSAGE_FROM_SYSTEM() { return 0x00001000; }
    /** {@code #define FORMAT_MESSAGE_FROM_HMODULE 0x00000800} in {@code winbase.h}. */
    public static int FORMAT_MESSAGE_FROM_HMODULE() { return 0x00000800; }

    private static final class CreateEventW {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(KERNEL32.LOOKUP, "kernel32.dll", "CreateEventW", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName);
     * }
     * Returns NULL on failure.
     */
    public static MemorySegment CreateEventW(MemorySegment lastError, MemorySegment lpEventAttributes, int bManualReset, int bInitialState, MemorySegment lpName) {
        try {
            return (MemorySegment) CreateEventW.HANDLE.invokeExact(lastError, lpEventAttributes, bManualReset, bInitialState, lpName);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class SetEvent {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(KERNEL32.LOOKUP, "kernel32.dll", "SetEvent", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * BOOL SetEvent(HANDLE hEvent);
     * }
     */
    public static int SetEvent(MemorySegment lastError, MemorySegment hEvent) {
        try {
            return (int) SetEvent.HANDLE.invokeExact(lastError, hEvent);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class CloseHandle {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(KERNEL32.LOOKUP, "kernel32.dll", "CloseHandle", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * BOOL CloseHandle(HANDLE hObject);
     * }
     */
    public static int CloseHandle(MemorySegment lastError, MemorySegment hObject) {
        try {
            return (int) CloseHandle.HANDLE.invokeExact(lastError, hObject);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class WaitForMultipleObjects {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle HANDLE = Natives.downcall(KERNEL32.LOOKUP, "kernel32.dll", "WaitForMultipleObjects", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds);
     * }
     */
    public static int WaitForMultipleObjects(MemorySegment lastError, int nCount, MemorySegment lpHandles, int bWaitAll, int dwMilliseconds) {
        try {
            return (int) WaitForMultipleObjects.HANDLE.invokeExact(lastError, nCount, lpHandles, bWaitAll, dwMilliseconds);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class FormatMessageW {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(KERNEL32.LOOKUP, "kernel32.dll", "FormatMessageW", DESC, Natives.captureLastError());
    }

    /**
     * {@snippet lang=c :
     * DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize, va_list *Arguments);
     * }
     * Returns the number of UTF-16 units written (without the NUL), 0 on failure.
     */
    public static int FormatMessageW(MemorySegment lastError, int dwFlags, MemorySegment lpSource, int dwMessageId, int dwLanguageId, MemorySegment lpBuffer, int nSize, MemorySegment Arguments) {
        try {
            return (int) FormatMessageW.HANDLE.invokeExact(lastError, dwFlags, lpSource, dwMessageId, dwLanguageId, lpBuffer, nSize, Arguments);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
