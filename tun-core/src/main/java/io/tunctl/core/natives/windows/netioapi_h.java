package io.tunctl.core.natives.windows;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * IP Helper's interface configuration API ({@code netioapi.h}, exported by iphlpapi.dll): unicast addresses,
 * routes and per-family interface settings (MTU), each as a {@code MIB_*} row. Declarations:
 * {@code native-headers/windows_wintun.h}, checked by the compiler against mingw-w64's SDK headers. Docs:
 * learn.microsoft.com, "IP Helper functions".
 *
 * <p>These functions return their {@code NETIO_STATUS} (a Win32 error code, {@code NO_ERROR} = 0) instead of
 * setting the last error, so they are linked without a capture. The {@code Initialize*} calls fill a row with
 * the defaults the documentation requires before {@code Create*} ({@code io.tunctl.core.tun.windows.IpHelperRows}
 * then sets what tunctl asks for).
 */
@SuppressWarnings({"unused", "checkstyle:MethodName", "checkstyle:TypeName"})
public final class netioapi_h {
    private netioapi_h() {}

    private static final class IPHLPAPI {
        static final SymbolLookup LOOKUP = Natives.systemLibrary("iphlpapi.dll");
    }

    // ---- <ws2def.h> ----
    /** {@code #define AF_UNSPEC 0} in {@code ws2def.h}. */
    public static int AF_UNSPEC() { return 0; }
    /** {@code #define AF_INET 2} in {@code ws2def.h}. */
    public static int AF_INET() { return 2; }
    /** {@code #define AF_INET6 23} in {@code ws2def.h}. */
    public static int AF_INET6() { return 23; }
    // ---- <nldef.h> ----
    /** {@code NL_PREFIX_ORIGIN IpPrefixOriginManual = 1} in {@code nldef.h}. */
    public static int IpPrefixOriginManual() { return 1; }
    /** {@code NL_SUFFIX_ORIGIN IpSuffixOriginManual = 1} in {@code nldef.h}. */
    public static int IpSuffixOriginManual() { return 1; }
    /** {@code NL_DAD_STATE IpDadStatePreferred = 4} in {@code nldef.h}. */
    public static int IpDadStatePreferred() { return 4; }
    /** {@code NL_ROUTE_ORIGIN NlroManual = 0} in {@code nldef.h}. */
    public static int NlroManual() { return 0; }
    // ---- <iprtrmib.h> ----
    /** {@code MIB_IPFORWARD_PROTO MIB_IPPROTO_NETMGMT = 3} in {@code iprtrmib.h}. */
    public static int MIB_IPPROTO_NETMGMT() { return 3; }

    private static final class ConvertInterfaceLuidToIndex {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "ConvertInterfaceLuidToIndex", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS ConvertInterfaceLuidToIndex(const NET_LUID *InterfaceLuid, PNET_IFINDEX InterfaceIndex);
     * }
     */
    public static int ConvertInterfaceLuidToIndex(MemorySegment InterfaceLuid, MemorySegment InterfaceIndex) {
        try {
            return (int) ConvertInterfaceLuidToIndex.HANDLE.invokeExact(InterfaceLuid, InterfaceIndex);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class InitializeUnicastIpAddressEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "InitializeUnicastIpAddressEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID InitializeUnicastIpAddressEntry(PMIB_UNICASTIPADDRESS_ROW Row);
     * }
     */
    public static void InitializeUnicastIpAddressEntry(MemorySegment Row) {
        try {
            InitializeUnicastIpAddressEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class CreateUnicastIpAddressEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "CreateUnicastIpAddressEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS CreateUnicastIpAddressEntry(const MIB_UNICASTIPADDRESS_ROW *Row);
     * }
     */
    public static int CreateUnicastIpAddressEntry(MemorySegment Row) {
        try {
            return (int) CreateUnicastIpAddressEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class DeleteUnicastIpAddressEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "DeleteUnicastIpAddressEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS DeleteUnicastIpAddressEntry(const MIB_UNICASTIPADDRESS_ROW *Row);
     * }
     */
    public static int DeleteUnicastIpAddressEntry(MemorySegment Row) {
        try {
            return (int) DeleteUnicastIpAddressEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class InitializeIpForwardEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "InitializeIpForwardEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID InitializeIpForwardEntry(PMIB_IPFORWARD_ROW2 Row);
     * }
     */
    public static void InitializeIpForwardEntry(MemorySegment Row) {
        try {
            InitializeIpForwardEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class CreateIpForwardEntry2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "CreateIpForwardEntry2", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS CreateIpForwardEntry2(const MIB_IPFORWARD_ROW2 *Row);
     * }
     */
    public static int CreateIpForwardEntry2(MemorySegment Row) {
        try {
            return (int) CreateIpForwardEntry2.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class DeleteIpForwardEntry2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "DeleteIpForwardEntry2", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS DeleteIpForwardEntry2(const MIB_IPFORWARD_ROW2 *Row);
     * }
     */
    public static int DeleteIpForwardEntry2(MemorySegment Row) {
        try {
            return (int) DeleteIpForwardEntry2.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class InitializeIpInterfaceEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "InitializeIpInterfaceEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * VOID InitializeIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);
     * }
     */
    public static void InitializeIpInterfaceEntry(MemorySegment Row) {
        try {
            InitializeIpInterfaceEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class GetIpInterfaceEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "GetIpInterfaceEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS GetIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);
     * }
     */
    public static int GetIpInterfaceEntry(MemorySegment Row) {
        try {
            return (int) GetIpInterfaceEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }

    private static final class SetIpInterfaceEntry {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Natives.downcall(IPHLPAPI.LOOKUP, "iphlpapi.dll", "SetIpInterfaceEntry", DESC);
    }

    /**
     * {@snippet lang=c :
     * NETIO_STATUS SetIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);
     * }
     */
    public static int SetIpInterfaceEntry(MemorySegment Row) {
        try {
            return (int) SetIpInterfaceEntry.HANDLE.invokeExact(Row);
        } catch (Throwable t) {
            throw Natives.unreachable(t);
        }
    }
}
