package io.tunctl.transport.socks.host;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code exclude.processes}: whether a flow's application end belongs to one of the listed executables (then it
 * goes direct, with tunctl's mark). A table of the listed processes' sockets ({@link ProcessTable}) is rebuilt
 * every {@code refresh} on a thread of its own. A lookup that misses asks for a fresh scan and completes when it is
 * done: a full one (every process) at most once a second, otherwise a quick one of the listed processes already
 * known (their new sockets: a local proxy that is excluded dials again and again), or none when no listed process
 * runs. Scans are never concurrent; lookups that miss meanwhile share the next one. Nothing here runs on the
 * caller's thread but a set lookup, so an event loop or the packet pump never waits for {@code /proc}.
 */
public final class ProcessExclusion implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProcessExclusion.class.getName());
    private static final long MISS_RESCAN_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** nano-tun's budget for one scan. */
    private static final long SCAN_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final CompletableFuture<Boolean> YES = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> NO = CompletableFuture.completedFuture(false);

    private final Set<String> names;
    private final Path proc;
    private final ScheduledExecutorService scanner;
    private volatile ProcessTable.Result table = ProcessTable.Result.EMPTY;
    private long lastScanStart = System.nanoTime() - 2 * MISS_RESCAN_NANOS;
    private CompletableFuture<Void> running;

    /**
     * @param names   process names, normalised ({@link ProcessTable#normalise})
     * @param refresh how often the table is rebuilt
     * @param proc    the proc file system
     */
    public ProcessExclusion(List<String> names, Duration refresh, Path proc) {
        this.names = Set.copyOf(names.stream().map(ProcessTable::normalise).toList());
        this.proc = proc;
        this.scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tunctl-process-scan");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, refresh.toMillis());
        scanner.scheduleWithFixedDelay(this::scanNow, 0, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether the socket at {@code local} (the flow's source: the application's end) belongs to a listed process.
     * Completes at once on a hit, or when a miss may not rescan yet; otherwise after a rescan, on the scanner's
     * thread.
     */
    public CompletableFuture<Boolean> excluded(boolean tcp, InetSocketAddress local) {
        if (ProcessTable.contains(table.endpoints(), tcp, local.getAddress(), local.getPort())) return YES;
        CompletableFuture<Void> scan;
        synchronized (this) {
            scan = running;
            if (scan == null) {
                boolean full = System.nanoTime() - lastScanStart >= MISS_RESCAN_NANOS;
                if (!full && table.pids().isEmpty()) return NO;
                scan = startScan(full);
            }
        }
        return scan.thenApply(v -> ProcessTable.contains(table.endpoints(), tcp, local.getAddress(), local.getPort()));
    }

    /** The listed processes' sockets as of the last scan. */
    public Set<ProcessTable.Endpoint> endpoints() { return table.endpoints(); }

    private synchronized CompletableFuture<Void> startScan(boolean full) {
        if (running != null) return running;
        CompletableFuture<Void> f = new CompletableFuture<>();
        running = f;
        if (full) lastScanStart = System.nanoTime();
        try {
            scanner.execute(() -> runScan(f, full));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            running = null;
            f.complete(null);
        }
        return f;
    }

    private void scanNow() {
        CompletableFuture<Void> f;
        synchronized (this) {
            if (running != null) return;
            f = new CompletableFuture<>();
            running = f;
            lastScanStart = System.nanoTime();
        }
        runScan(f, true);
    }

    private void runScan(CompletableFuture<Void> f, boolean full) {
        try {
            long deadline = System.nanoTime() + SCAN_BUDGET_NANOS;
            if (full) {
                table = ProcessTable.scan(proc, names, deadline);
            } else {
                table = ProcessTable.rescan(proc, table.pids(), deadline);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "socks: process scan failed: " + e);
        } finally {
            synchronized (this) {
                running = null;
            }
            f.complete(null);
        }
    }

    @Override
    public void close() {
        scanner.shutdownNow();
        CompletableFuture<Void> f;
        synchronized (this) {
            f = running;
        }
        if (f != null) f.complete(null); // a waiting flow goes on (not excluded) rather than hang
    }
}
