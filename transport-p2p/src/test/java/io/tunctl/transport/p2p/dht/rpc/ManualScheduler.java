package io.tunctl.transport.p2p.dht.rpc;

import java.util.PriorityQueue;

/** A single-threaded fake clock: tasks run only inside {@link #advance}, in time order. */
final class ManualScheduler implements Scheduler {
    private record Task(long at, long seq, Runnable run, boolean[] cancelled) { }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000;
    private long seq;
    private long ran;

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + Math.max(0, delayMillis), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public boolean inThread() {
        return true;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0);
    }

    /** Runs every task due within the next {@code millis}, moving the clock as it goes (bounded). */
    void advance(long millis) {
        long end = now + millis;
        while (!tasks.isEmpty() && tasks.peek().at <= end) {
            Task t = tasks.poll();
            now = Math.max(now, t.at);
            if (!t.cancelled[0]) {
                if (++ran > 50_000_000) {
                    throw new IllegalStateException("runaway simulation");
                }
                t.run.run();
            }
        }
        now = end;
    }
}
