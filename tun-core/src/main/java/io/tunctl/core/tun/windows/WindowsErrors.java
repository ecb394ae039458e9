package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.kernel32_h;
import io.tunctl.core.natives.windows.winerror_h;
import io.tunctl.core.tun.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Turns a Win32 error code into a {@link NativeException} with its name, Windows' own text and a hint. */
final class WindowsErrors {
    private WindowsErrors() {}

    static final String HINT_ADMIN = "needs Administrator (run from an elevated prompt)";

    static NativeException of(String call, String argument, int code) {
        return NativeException.platform(call, null, argument, code, winerror_h.errorName(code), message(code),
                hint(call, code));
    }

    static String hint(String call, int code) {
        if (code == winerror_h.ERROR_ACCESS_DENIED()) return HINT_ADMIN;
        if (code == winerror_h.ERROR_ALREADY_EXISTS() || code == winerror_h.ERROR_OBJECT_ALREADY_EXISTS()) {
            return call.startsWith("Wintun") ? "an adapter of that name exists: pick another name" : null;
        }
        if (code == winerror_h.ERROR_FILE_NOT_FOUND() && call.equals("WintunOpenAdapter")) {
            return "no Wintun adapter of that name";
        }
        return null;
    }

    /** {@code FormatMessageW}'s text for {@code code} (the system's language), or empty if it has none. */
    static String message(int code) {
        try (Arena a = Arena.ofConfined()) {
            int chars = 512;
            MemorySegment buf = a.allocate(ValueLayout.JAVA_CHAR, chars);
            int n = kernel32_h.FormatMessageW(io.tunctl.core.natives.windows.Natives.allocateCapture(a),
                    kernel32_h.FORMAT_MESSAGE_FROM_SYSTEM() | kernel32_h.FORMAT_MESSAGE_IGNORE_INSERTS(),
                    MemorySegment.NULL, code, 0, buf, chars, MemorySegment.NULL);
            if (n <= 0) return "";
            return decode(buf, n);
        } catch (RuntimeException | Error e) {
            return ""; // not on Windows, or no native access: the symbolic name still says what happened
        }
    }

    /** UTF-16LE text of {@code units} units, trailing CR/LF and dot-space trimmed as Windows ends its messages. */
    static String decode(MemorySegment utf16, int units) {
        byte[] b = utf16.asSlice(0, units * 2L).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.UTF_16LE).strip();
    }
}
