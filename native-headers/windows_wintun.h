/*
 * The Windows declarations tunctl binds in io.tunctl.core.natives.windows: Wintun (wintun.dll), the kernel32 wait
 * and error-text calls, and IP Helper (iphlpapi.dll, netioapi.h) for addresses, routes and MTU.
 *
 * Everything but Wintun comes from the real Windows SDK headers as mingw-w64 ships them; the prototypes below
 * repeat them exactly as bound, so compiling this file makes the compiler check each one. WindowsLayoutCheckIT
 * compiles it with Debian's x86_64-w64-mingw32-gcc and asserts every constant, size and offset of the Java
 * bindings against it.
 *
 * Wintun ships no import library or system header: its API is the function-pointer typedefs of wintun.h
 * (https://git.zx2c4.com/wintun/tree/api/wintun.h, Wintun 0.14), which tunctl resolves from the DLL by name. They
 * are transcribed below as plain prototypes, so for Wintun this is a transcription, not a check against Wintun's
 * own header.
 */
#ifndef TUNCTL_WINDOWS_WINTUN_H
#define TUNCTL_WINDOWS_WINTUN_H

#include <winsock2.h>
#include <ws2ipdef.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>

/* ---- wintun.h (Wintun 0.14) ---- */
typedef struct _WINTUN_ADAPTER *WINTUN_ADAPTER_HANDLE;
typedef struct _TUN_SESSION *WINTUN_SESSION_HANDLE;
#define WINTUN_MIN_RING_CAPACITY 0x20000  /* 128 KiB */
#define WINTUN_MAX_RING_CAPACITY 0x4000000 /* 64 MiB */
#define WINTUN_MAX_IP_PACKET_SIZE 0xFFFF

WINTUN_ADAPTER_HANDLE WINAPI WintunCreateAdapter(LPCWSTR Name, LPCWSTR TunnelType, const GUID *RequestedGUID);
WINTUN_ADAPTER_HANDLE WINAPI WintunOpenAdapter(LPCWSTR Name);
VOID WINAPI WintunCloseAdapter(WINTUN_ADAPTER_HANDLE Adapter);
VOID WINAPI WintunGetAdapterLUID(WINTUN_ADAPTER_HANDLE Adapter, NET_LUID *Luid);
DWORD WINAPI WintunGetRunningDriverVersion(VOID);
WINTUN_SESSION_HANDLE WINAPI WintunStartSession(WINTUN_ADAPTER_HANDLE Adapter, DWORD Capacity);
VOID WINAPI WintunEndSession(WINTUN_SESSION_HANDLE Session);
HANDLE WINAPI WintunGetReadWaitEvent(WINTUN_SESSION_HANDLE Session);
BYTE *WINAPI WintunReceivePacket(WINTUN_SESSION_HANDLE Session, DWORD *PacketSize);
VOID WINAPI WintunReleaseReceivePacket(WINTUN_SESSION_HANDLE Session, const BYTE *Packet);
BYTE *WINAPI WintunAllocateSendPacket(WINTUN_SESSION_HANDLE Session, DWORD PacketSize);
VOID WINAPI WintunSendPacket(WINTUN_SESSION_HANDLE Session, const BYTE *Packet);

/* ---- kernel32 (synchapi.h, handleapi.h, winbase.h), as bound: the compiler checks them against the SDK ---- */
WINBASEAPI HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, WINBOOL bManualReset,
                                      WINBOOL bInitialState, LPCWSTR lpName);
WINBASEAPI WINBOOL WINAPI SetEvent(HANDLE hEvent);
WINBASEAPI WINBOOL WINAPI CloseHandle(HANDLE hObject);
WINBASEAPI DWORD WINAPI WaitForMultipleObjects(DWORD nCount, CONST HANDLE *lpHandles, WINBOOL bWaitAll,
                                               DWORD dwMilliseconds);
WINBASEAPI DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                                       LPWSTR lpBuffer, DWORD nSize, va_list *Arguments);

/* ---- iphlpapi (netioapi.h), as bound ---- */
NETIO_STATUS NETIOAPI_API_ ConvertInterfaceLuidToIndex(CONST NET_LUID *InterfaceLuid, PNET_IFINDEX InterfaceIndex);
VOID NETIOAPI_API_ InitializeUnicastIpAddressEntry(PMIB_UNICASTIPADDRESS_ROW Row);
NETIO_STATUS NETIOAPI_API_ CreateUnicastIpAddressEntry(CONST MIB_UNICASTIPADDRESS_ROW *Row);
NETIO_STATUS NETIOAPI_API_ DeleteUnicastIpAddressEntry(CONST MIB_UNICASTIPADDRESS_ROW *Row);
VOID NETIOAPI_API_ InitializeIpForwardEntry(PMIB_IPFORWARD_ROW2 Row);
NETIO_STATUS NETIOAPI_API_ CreateIpForwardEntry2(CONST MIB_IPFORWARD_ROW2 *Row);
NETIO_STATUS NETIOAPI_API_ DeleteIpForwardEntry2(CONST MIB_IPFORWARD_ROW2 *Row);
VOID NETIOAPI_API_ InitializeIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);
NETIO_STATUS NETIOAPI_API_ GetIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);
NETIO_STATUS NETIOAPI_API_ SetIpInterfaceEntry(PMIB_IPINTERFACE_ROW Row);

#endif
