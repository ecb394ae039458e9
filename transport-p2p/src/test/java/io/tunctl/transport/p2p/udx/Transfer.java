package io.tunctl.transport.p2p.udx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Bulk transfer helpers shared by the UDX ITs and the peer main: random bytes out, SHA-256 of both sides. */
final class Transfer {
    private Transfer() {
    }

    /** Writes {@code total} pseudo-random bytes with back-pressure, then END; returns their SHA-256 (hex). */
    static String sendRandom(UdxStream stream, long total, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[65536];
        for (long sent = 0; sent < total;) {
            int n = (int) Math.min(chunk.length, total - sent);
            random.nextBytes(chunk);
            sha.update(chunk, 0, n);
            while (!stream.awaitWritable(Duration.ofSeconds(1))) {
                if (stream.isClosed()) {
                    throw new IllegalStateException("stream closed while sending: " + stream.stats());
                }
            }
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(n);
            buf.writeBytes(chunk, 0, n);
            try {
                stream.write(buf);
            } catch (java.io.IOException e) {
                // say why the stream closed, not just that it did
                stream.closeFuture().exceptionally(cause -> {
                    e.addSuppressed(cause);
                    return null;
                });
                throw new java.io.IOException(e.getMessage() + " after " + sent + " bytes: " + stream.stats(), e);
            }
            sent += n;
        }
        stream.end();
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Reads to EOF; returns {count, sha256 hex, System.nanoTime() of the first byte (0 if none)}. */
    static Object[] receiveAll(UdxStream stream) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        long count = 0;
        long firstByteNs = 0;
        try (InputStream in = stream.inputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (firstByteNs == 0 && n > 0) {
                    firstByteNs = System.nanoTime();
                }
                sha.update(buf, 0, n);
                count += n;
            }
        }
        return new Object[] {count, HexFormat.of().formatHex(sha.digest()), firstByteNs};
    }

    /**
     * Runs {@code task} on a new platform thread. (Not {@code supplyAsync}: on a 2-CPU machine the common pool has
     * one thread, and a blocked reader would starve the writer.)
     */
    static <T> java.util.concurrent.CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    static double mbPerSecond(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }
}
