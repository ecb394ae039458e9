/**
 * Hand-written FFM bindings for Windows (x64) in jextract's shape: Wintun ({@code wintun_h}, from a DLL at an
 * explicit path), kernel32 ({@code kernel32_h}), IP Helper ({@code netioapi_h}) and error codes
 * ({@code winerror_h}); struct classes emitted by {@code native-headers/structgen.py}. Declarations:
 * {@code native-headers/windows_wintun.h}, checked against mingw-w64's SDK headers by WindowsLayoutCheckIT. No DLL
 * is loaded and no Windows-only capture state is named until a function is first called, so these classes load
 * on any OS. Not exported.
 */
package io.tunctl.core.natives.windows;
