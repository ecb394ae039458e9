package io.tunctl.transport.p2p.udx;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link UdxStream}'s deadlines ({@link System#nanoTime()} values, 0 = not armed) behind one task scheduled on
 * the event loop for the earliest of them. A later deadline never reschedules; an earlier one replaces the task.
 * The stream checks which deadlines passed when the task runs. Confined to the event loop.
 */
final class Timers {
    long rto;
    long tlp;
    long reorder;
    long pace;
    long zeroWindow;
    long linger;
    long keepalive;
    /** Keepalive interval in nanoseconds, 0 = off. */
    long keepaliveInterval;

    private final EventLoop loop;
    private final Runnable onTimer;
    private ScheduledFuture<?> timer;
    private long timerAt;

    Timers(EventLoop loop, Runnable onTimer) {
        this.loop = loop;
        this.onTimer = onTimer;
    }

    /** Schedules the task for the earliest armed deadline, unless it is scheduled for that or earlier already. */
    void arm(long now) {
        long d = Long.MAX_VALUE;
        d = earlier(d, rto);
        d = earlier(d, tlp);
        d = earlier(d, reorder);
        d = earlier(d, pace);
        d = earlier(d, zeroWindow);
        d = earlier(d, linger);
        d = earlier(d, keepalive);
        if (d == Long.MAX_VALUE) {
            return;
        }
        if (timer != null && timerAt - d <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = loop.schedule(onTimer, Math.max(0, d - now), TimeUnit.NANOSECONDS);
    }

    private static long earlier(long d, long t) {
        return t != 0 && t - d < 0 ? t : d;
    }

    /** The task is running: the next {@link #arm} schedules a new one. */
    void fired() {
        timer = null;
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The deadlines of sending (everything but linger and keepalive) are off: the stream closed. */
    void clearSending() {
        rto = tlp = reorder = pace = zeroWindow = 0;
    }

    static boolean passed(long deadline, long now) {
        return deadline != 0 && deadline - now <= 0;
    }
}
