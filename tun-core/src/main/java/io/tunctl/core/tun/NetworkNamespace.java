package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.libc_h;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A named network namespace ({@code /var/run/netns/<name>}, as {@code ip netns add} makes them) to run code in.
 *
 * <p>Linux lets one thread of a process switch its network namespace with {@code setns(2)}. Each task runs on a
 * fresh platform thread that first enters the namespace and then dies with it, so no pooled thread is ever left
 * in a foreign namespace. Sockets, TUN devices and netlink sockets created by the task belong to the namespace
 * for their whole life, whichever thread uses them later:
 * <pre>{@code
 * TunDevice tun = NetworkNamespace.named("blue").call(() -> TunDevice.open(TunOptions.named("tun0")));
 * }</pre>
 */
public final class NetworkNamespace {
    /** Where iproute2 keeps its named namespaces. */
    public static final String NETNS_DIR = "/var/run/netns/";

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** The namespace {@code ip netns} knows as {@code name}. It is opened when a task runs. */
    public static NetworkNamespace named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad network namespace name '" + name + "'");
        }
        return new NetworkNamespace(name);
    }

    public String name() { return name; }

    public String path() { return NETNS_DIR + name; }

    /** A task that may throw {@link IOException}. */
    @FunctionalInterface
    public interface IoCallable<T> {
        T call() throws IOException;
    }

    /** A task without result that may throw {@link IOException}. */
    @FunctionalInterface
    public interface IoRunnable {
        void run() throws IOException;
    }

    /**
     * Runs {@code task} on a new platform thread inside this namespace and returns its result. Exceptions the task
     * throws are rethrown here; failing to enter the namespace is a {@link NativeException}.
     */
    public <T> T call(IoCallable<T> task) throws IOException {
        Natives.requireNativeAccess();
        String path = path();
        return runOnFreshThread("netns " + name, () -> {
            enter(path);
            return task.call();
        });
    }

    /** Like {@link #call} without a result. */
    public void run(IoRunnable task) throws IOException {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Starts a long-lived platform thread inside this namespace (a server loop, a pump). If entering fails the
     * thread ends without running {@code task} and reports to its uncaught-exception handler.
     */
    public Thread start(String threadName, Runnable task) {
        Natives.requireNativeAccess();
        String path = path();
        return Thread.ofPlatform().name(threadName).start(() -> {
            try {
                enter(path);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            task.run();
        });
    }

    /** Moves the calling thread into the namespace at {@code path}. */
    private static void enter(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Natives.allocateCapture(arena);
            int fd = libc_h.open(errno, arena.allocateFrom(path), libc_h.O_RDONLY() | libc_h.O_CLOEXEC(), 0);
            if (fd < 0) throw NativeException.syscall("open", null, path, Natives.errno(errno));
            try {
                setns(errno, fd, path);
            } finally {
                libc_h.close(errno, fd);
            }
        }
    }

    static void setns(MemorySegment errno, int fd, String what) throws NativeException {
        if (libc_h.setns(errno, fd, libc_h.CLONE_NEWNET()) != 0) {
            throw NativeException.syscall("setns", "CLONE_NEWNET", what, Natives.errno(errno));
        }
    }

    /** Runs {@code task} in the network namespace {@code nsFd} refers to (an open /proc/.../ns/net). */
    static <T> T callIn(int nsFd, String what, IoCallable<T> task) throws IOException {
        return runOnFreshThread("netns " + what, () -> {
            try (Arena arena = Arena.ofConfined()) {
                setns(Natives.allocateCapture(arena), nsFd, what);
            }
            return task.call();
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T runOnFreshThread(String threadName, IoCallable<T> body) throws IOException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name(threadName).unstarted(() -> {
            try {
                result[0] = body.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a task in " + threadName);
        }
        Throwable f = failure[0];
        if (f == null) return (T) result[0];
        if (f instanceof IOException io) throw io;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error err) throw err;
        throw new IOException(f);
    }

    @Override
    public String toString() { return "netns " + name; }
}
