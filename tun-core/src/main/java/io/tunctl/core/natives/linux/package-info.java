/**
 * Hand-written FFM bindings for Linux, in the shape jextract generates: one class per C header
 * ({@code libc_h}, {@code if_tun_h}, {@code rtnetlink_h}) holding constants and lazily linked functions, and one
 * class per struct ({@code ifreq}, {@code nlmsghdr}, ...) with {@code layout()}, {@code field$offset()} and
 * accessors. The C declarations they follow live in {@code native-headers/}; the layout check test compiles
 * those with gcc and compares every size, offset and constant with these classes.
 *
 * <p>Not exported. Names follow C, not Java conventions, so that a later jextract run diffs cleanly.
 */
package io.tunctl.core.natives.linux;
