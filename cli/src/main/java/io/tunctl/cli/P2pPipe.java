package io.tunctl.cli;

import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.stream.SecureStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;

/**
 * Joins one connection to stdin/stdout, as {@code nc} does: the peer's messages are written to {@code out} as they
 * arrive, {@code in} is sent until its end, which half-closes the connection. Ends when both sides ended (or the
 * connection breaks).
 */
final class P2pPipe {
    private static final int CHUNK = 60_000;

    private P2pPipe() {}

    /** Pipes until the connection closes; returns the exit code (0 clean, 1 broken). */
    static int run(HyperDhtConnection c, InputStream in, OutputStream out, PrintWriter err)
            throws InterruptedException {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        boolean[] peerEnded = {false};
        c.handler(new SecureStream.Handler() {
            @Override
            public void onMessage(SecureStream s, byte[] buf, int off, int len) {
                try {
                    out.write(buf, off, len);
                    out.flush();
                } catch (IOException e) {
                    s.destroy(); // stdout is gone: nobody reads any more
                }
            }

            @Override
            public void onEnd(SecureStream s) {
                peerEnded[0] = true;
            }

            @Override
            public void onClose(SecureStream s, Throwable cause) {
                // a reset after the peer's end is how hyperdht peers often hang up: not an error
                boolean reset = cause != null && String.valueOf(cause.getMessage()).contains("ECONNRESET");
                closed.complete(peerEnded[0] && reset ? null : cause);
            }
        });
        Thread reader = Thread.ofPlatform().daemon().name("tunctl-p2p-stdin").start(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (!c.stream().isWritable() && !c.isClosed()) {
                        Thread.sleep(1); // UDX back-pressure: the peer is behind
                    }
                    if (c.isClosed()) {
                        return;
                    }
                    c.write(buf, 0, n);
                }
                c.end();
            } catch (IOException | IllegalStateException e) {
                // the connection closed under us; its close says why
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Throwable cause;
        try {
            cause = closed.get();
        } catch (java.util.concurrent.ExecutionException e) {
            cause = e.getCause();
        }
        reader.interrupt();
        try {
            out.flush();
        } catch (IOException ignored) {
            // stdout closed
        }
        if (cause != null) {
            err.println("tunctl: connection closed: " + ErrorHandler.message(cause));
            err.flush();
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}
