package io.tunctl.transport.p2p.dht.rpc;

import java.util.concurrent.Executor;

/**
 * The single thread a {@link DhtNode} lives on, and its clock: a socket event loop in production, a manual clock in
 * tests ({@code ManualScheduler}), so timeouts, retries and ticks can be driven without waiting.
 */
interface Scheduler extends Executor {
    /** Milliseconds on a monotonic clock. */
    long nowMillis();

    /** Runs {@code task} on this scheduler's thread after {@code delayMillis}; the handle cancels it. */
    Cancellable schedule(Runnable task, long delayMillis);

    /** Whether the caller is on this scheduler's thread. */
    boolean inThread();

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    /** A scheduler on a Netty event loop. */
    static Scheduler of(io.netty.channel.EventLoop loop) {
        return new Scheduler() {
            @Override
            public long nowMillis() {
                return System.nanoTime() / 1_000_000;
            }

            @Override
            public Cancellable schedule(Runnable task, long delayMillis) {
                var f = loop.schedule(task, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public boolean inThread() {
                return loop.inEventLoop();
            }

            @Override
            public void execute(Runnable command) {
                loop.execute(command);
            }
        };
    }
}
