package io.tunctl.transport.p2p.vpn;

import io.tunctl.transport.p2p.crypto.KeyEncoding;

import java.io.PrintStream;

/**
 * nospoon's event lines, word for word (nospoon-compat spec §1), on stdout (errors on stderr), because scripts
 * written for nospoon scrape them. Everything else tunctl says goes to its logger.
 */
public final class NospoonLog {
    private final PrintStream out;
    private final PrintStream err;

    public NospoonLog(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static NospoonLog standard() { return new NospoonLog(System.out, System.err); }

    /** nospoon's short form of a key: its first 8 hex characters and an ellipsis. */
    public static String shortKey(byte[] publicKey) { return KeyEncoding.toHex(publicKey).substring(0, 8) + "..."; }

    public static String shortKey(String hex) { return hex.substring(0, 8) + "..."; }

    public void line(String s) {
        synchronized (out) {
            out.println(s);
            out.flush();
        }
    }

    public void error(String s) {
        synchronized (err) {
            err.println(s);
            err.flush();
        }
    }

    void clientConnected(String shortKey, String ip) {
        line("Client connected: " + shortKey + (ip == null ? "" : " \u2192 " + ip));
    }

    void routeAdded(String ip, String shortKey) { line("Route added: " + ip + " \u2192 client " + shortKey); }

    void clientDisconnected(String shortKey) { line("Client disconnected: " + shortKey); }

    void routeRemoved(String ip) { line("Route removed: " + ip); }

    void firewalled(String shortKey) { line("Firewalled unknown peer: " + shortKey); }

    void serverConnectionError(String shortKey, String message) {
        error("Connection error (" + shortKey + "): " + message);
    }

    void connectedToServer() { line("Connected to server"); }

    void remoteReachable(String at) { line("Remote reachable at " + at); }

    void clientConnectionError(String message) { error("Connection error: " + message); }

    void reconnecting(long delayMillis) {
        line("Connection lost. Reconnecting in " + Math.round(delayMillis / 1000.0) + "s...");
    }

    void shuttingDown() {
        line("");
        line("Shutting down...");
    }
}
