package io.tunctl.core.natives.windows;

/**
 * The Win32 error codes tunctl tells apart, from {@code winerror.h}: what {@code GetLastError()} captures after a
 * Wintun or kernel32 call, and what IP Helper functions return. Declarations: {@code native-headers/windows_wintun.h}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class winerror_h {
    private winerror_h() {}

    // ---- <winerror.h> ----
    /** {@code #define ERROR_SUCCESS 0L} in {@code winerror.h}. */
    public static int ERROR_SUCCESS() { return 0; }
    /** {@code #define ERROR_FILE_NOT_FOUND 2L} in {@code winerror.h}. */
    public static int ERROR_FILE_NOT_FOUND() { return 2; }
    /** {@code #define ERROR_PATH_NOT_FOUND 3L} in {@code winerror.h}. */
    public static int ERROR_PATH_NOT_FOUND() { return 3; }
    /** {@code #define ERROR_ACCESS_DENIED 5L} in {@code winerror.h}. */
    public static int ERROR_ACCESS_DENIED() { return 5; }
    /** {@code #define ERROR_INVALID_HANDLE 6L} in {@code winerror.h}. */
    public static int ERROR_INVALID_HANDLE() { return 6; }
    /** {@code #define ERROR_NOT_ENOUGH_MEMORY 8L} in {@code winerror.h}. */
    public static int ERROR_NOT_ENOUGH_MEMORY() { return 8; }
    /** {@code #define ERROR_INVALID_DATA 13L} in {@code winerror.h}. */
    public static int ERROR_INVALID_DATA() { return 13; }
    /** {@code #define ERROR_HANDLE_EOF 38L} in {@code winerror.h}. */
    public static int ERROR_HANDLE_EOF() { return 38; }
    /** {@code #define ERROR_NOT_SUPPORTED 50L} in {@code winerror.h}. */
    public static int ERROR_NOT_SUPPORTED() { return 50; }
    /** {@code #define ERROR_INVALID_PARAMETER 87L} in {@code winerror.h}. */
    public static int ERROR_INVALID_PARAMETER() { return 87; }
    /** {@code #define ERROR_BUFFER_OVERFLOW 111L} in {@code winerror.h}. */
    public static int ERROR_BUFFER_OVERFLOW() { return 111; }
    /** {@code #define ERROR_MOD_NOT_FOUND 126L} in {@code winerror.h}. */
    public static int ERROR_MOD_NOT_FOUND() { return 126; }
    /** {@code #define ERROR_PROC_NOT_FOUND 127L} in {@code winerror.h}. */
    public static int ERROR_PROC_NOT_FOUND() { return 127; }
    /** {@code #define ERROR_ALREADY_EXISTS 183L} in {@code winerror.h}. */
    public static int ERROR_ALREADY_EXISTS() { return 183; }
    /** {@code #define ERROR_NO_MORE_ITEMS 259L} in {@code winerror.h}. */
    public static int ERROR_NO_MORE_ITEMS() { return 259; }
    /** {@code #define ERROR_NOT_FOUND 1168L} in {@code winerror.h}. */
    public static int ERROR_NOT_FOUND() { return 1168; }
    /** {@code #define ERROR_DEVICE_NOT_AVAILABLE 4319L} in {@code winerror.h}. */
    public static int ERROR_DEVICE_NOT_AVAILABLE() { return 4319; }
    /** {@code #define ERROR_OBJECT_ALREADY_EXISTS 5010L} in {@code winerror.h}. */
    public static int ERROR_OBJECT_ALREADY_EXISTS() { return 5010; }

    /** The symbolic name of a Win32 error code ({@code ERROR_ACCESS_DENIED}), or {@code error N (0xN)}. */
    public static String errorName(int code) {
        return switch (code) {
            case 0 -> "ERROR_SUCCESS";
            case 2 -> "ERROR_FILE_NOT_FOUND";
            case 3 -> "ERROR_PATH_NOT_FOUND";
            case 5 -> "ERROR_ACCESS_DENIED";
            case 6 -> "ERROR_INVALID_HANDLE";
            case 8 -> "ERROR_NOT_ENOUGH_MEMORY";
            case 13 -> "ERROR_INVALID_DATA";
            case 38 -> "ERROR_HANDLE_EOF";
            case 50 -> "ERROR_NOT_SUPPORTED";
            case 87 -> "ERROR_INVALID_PARAMETER";
            case 111 -> "ERROR_BUFFER_OVERFLOW";
            case 126 -> "ERROR_MOD_NOT_FOUND";
            case 127 -> "ERROR_PROC_NOT_FOUND";
            case 183 -> "ERROR_ALREADY_EXISTS";
            case 259 -> "ERROR_NO_MORE_ITEMS";
            case 1168 -> "ERROR_NOT_FOUND";
            case 4319 -> "ERROR_DEVICE_NOT_AVAILABLE";
            case 5010 -> "ERROR_OBJECT_ALREADY_EXISTS";
            default -> "error " + Integer.toUnsignedString(code) + " (0x" + Integer.toHexString(code) + ")";
        };
    }
}
