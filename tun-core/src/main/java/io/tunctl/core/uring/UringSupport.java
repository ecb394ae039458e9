package io.tunctl.core.uring;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.io_uring_h;
import io.tunctl.core.natives.linux.io_uring_probe;
import io.tunctl.core.natives.linux.io_uring_probe_op;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.tun.NativeException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this process can read and write TUNs through io_uring, probed once (netty's {@code IOUring} shape:
 * {@link #isAvailable()}, {@link #unavailabilityCause()}, {@link #ensureAvailability()}). The probe reads
 * {@code kernel.io_uring_disabled}, sets up a small ring (which fails with EPERM under that sysctl, or where a
 * seccomp filter forbids io_uring, and with ENOSYS on a kernel without it), and asks the kernel which opcodes it has
 * ({@code IORING_REGISTER_PROBE}): the TUN path needs {@code IORING_OP_READ_MULTISHOT} (Linux 6.7) and provided-buffer
 * rings (5.19), both there when the multishot read is.
 */
public final class UringSupport {
    private static final System.Logger LOG = System.getLogger(UringSupport.class.getName());
    private static final Path DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");

    private UringSupport() {}

    /** The outcome of one probe: null cause when available. */
    public record Probe(String cause) {
        public boolean available() { return cause == null; }
    }

    private static final class Once {
        static final Probe PROBE = probeNow();
    }

    /** True when TUN I/O can go through io_uring in this process (probed on first call). */
    public static boolean isAvailable() { return Once.PROBE.available(); }

    /** Why not, or empty when available. */
    public static Optional<String> unavailabilityCause() { return Optional.ofNullable(Once.PROBE.cause()); }

    /** Throws an {@link IOException} with the reason when io_uring cannot be used. */
    public static void ensureAvailability() throws IOException {
        if (!isAvailable()) throw new IOException("io_uring is not available: " + Once.PROBE.cause());
    }

    private static volatile boolean logged;

    /**
     * For {@code io: auto}: true when io_uring is available; otherwise logs why (once per process, whatever the
     * number of devices) and returns false, so the caller uses poll and readv/writev.
     */
    public static boolean useForAuto() {
        if (isAvailable()) return true;
        if (!logged) {
            synchronized (UringSupport.class) {
                if (!logged) {
                    logged = true;
                    LOG.log(System.Logger.Level.WARNING, "io_uring not used for TUN I/O: {0}; using poll and "
                            + "read/write instead", Once.PROBE.cause());
                }
            }
        }
        return false;
    }

    /** Probes now, bypassing the cached result (tests change the sysctl between probes). */
    public static Probe probeNow() {
        String kernel = read(Path.of("/proc/sys/kernel/osrelease")).orElse("unknown");
        Optional<String> disabled = read(DISABLED);
        if (disabled.isPresent() && disabled.get().equals("2")) {
            return new Probe("kernel.io_uring_disabled=2 (io_uring is switched off for every process; "
                    + "sysctl -w kernel.io_uring_disabled=0 allows it)");
        }
        if (!Natives.class.getModule().isNativeAccessEnabled()) return new Probe("no native access");
        try (Arena arena = Arena.ofConfined()) {
            IoUring ring;
            try {
                ring = IoUring.open(arena, 4);
            } catch (NativeException e) {
                int errno = e.errno();
                if (errno == libc_h.ENOSYS()) {
                    return new Probe("io_uring_setup: ENOSYS: kernel " + kernel + " has no io_uring "
                            + "(older than 5.1 or built without CONFIG_IO_URING)");
                }
                if (errno == libc_h.EPERM() || errno == libc_h.EACCES()) {
                    String why = disabled.isPresent() && disabled.get().equals("1")
                            ? "kernel.io_uring_disabled=1 and this process is neither in kernel.io_uring_group nor "
                                    + "CAP_SYS_ADMIN"
                            : "forbidden, e.g. by a seccomp filter (container runtimes block io_uring by default)";
                    return new Probe("io_uring_setup: " + libc_h.errnoName(errno) + ": " + why);
                }
                return new Probe(e.getMessage());
            }
            MemorySegment errno = ring.errno();
            int ops = 256;
            MemorySegment probe = arena.allocate(io_uring_probe.sizeof() + ops * io_uring_probe_op.sizeof(), 8);
            if (io_uring_h.io_uring_register(errno, ring.fd(), io_uring_h.IORING_REGISTER_PROBE(), probe, ops) < 0) {
                return new Probe("io_uring_register(IORING_REGISTER_PROBE): " + libc_h.errnoName(Natives.errno(errno))
                        + ": kernel " + kernel + " is older than 5.6");
            }
            int op = io_uring_h.IORING_OP_READ_MULTISHOT();
            int last = io_uring_probe.last_op(probe) & 0xff;
            boolean has = false;
            if (op <= last && op < (io_uring_probe.ops_len(probe) & 0xff)) {
                MemorySegment entry = io_uring_probe_op.asSlice(probe.asSlice(io_uring_probe.sizeof()), op);
                has = (io_uring_probe_op.flags(entry) & io_uring_h.IO_URING_OP_SUPPORTED()) != 0;
            }
            if (!has) {
                return new Probe("kernel " + kernel + " has no IORING_OP_READ_MULTISHOT (Linux 6.7 and later)");
            }
            return new Probe(null);
        }
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
