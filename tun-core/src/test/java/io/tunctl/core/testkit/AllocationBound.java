package io.tunctl.core.testkit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The allocation half of the fuzz property: one input may make the code under test allocate at most
 * {@code base + perInputByte × input length} bytes on the calling thread (what
 * {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes} counts). A parser whose allocation follows
 * a length field instead of the bytes received (a 3-byte prefix that makes the receiver allocate 16 MiB) fails it.
 *
 * <p>The first run of a code path in a JVM also pays for class loading and lazy caches (Jackson builds a
 * deserializer per type on first use), so an input over the bound is run once more and only a second excess is a
 * finding: the targets are pure functions of their input, so the rerun does the same work minus the one-time part.
 */
public final class AllocationBound {
    private AllocationBound() {}

    /** Work for one input; may throw the parser's documented exception, which the caller catches inside. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, reached reflectively: test sources
     * are compiled into the module under test, which does not read java.management (tests run on the class path).
     */
    private static final MethodHandle ALLOCATED;

    static {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            type.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
            ALLOCATED = MethodHandles.publicLookup()
                    .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The bound for an input of {@code length} bytes. */
    public static long bound(long base, long perInputByte, int length) {
        return base + perInputByte * length;
    }

    /**
     * Runs {@code body} and fails with an {@link AssertionError} when it allocates more than the bound twice in a
     * row. Exceptions from {@code body} propagate unchanged (a finding for the fuzzer).
     */
    public static void check(String what, int inputLength, long base, long perInputByte, Body body) throws Exception {
        long limit = bound(base, perInputByte, inputLength);
        long used = measure(body);
        if (used <= limit) return;
        long again = measure(body);
        if (again > limit) {
            throw new AssertionError(what + " allocated " + again + " bytes (first run " + used + ") for a "
                    + inputLength + "-byte input; the bound is " + base + " + " + perInputByte + " * length = " + limit);
        }
    }

    private static long measure(Body body) throws Exception {
        long before = allocated();
        body.run();
        return allocated() - before;
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("thread allocation counter", e);
        }
    }
}
