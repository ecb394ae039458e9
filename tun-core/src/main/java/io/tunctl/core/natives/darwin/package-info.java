/**
 * Hand-written FFM bindings for macOS (Darwin, x86_64 and arm64) in jextract's shape: utun through a kernel control
 * socket ({@code kern_control_h}), interface ioctls ({@code sockio_h}), routing sockets ({@code route_h}) and libc
 * ({@code libc_h}); struct classes emitted by {@code native-headers/structgen.py}. Declarations:
 * {@code native-headers/darwin_utun.h}, checked with clang's Darwin targets by DarwinLayoutCheckIT (an ABI check of
 * a header transcribed from XNU, not an SDK check). Nothing links until a function is first called, so these
 * classes load on any OS. Not exported.
 */
package io.tunctl.core.natives.darwin;
