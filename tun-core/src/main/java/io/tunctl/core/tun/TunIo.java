package io.tunctl.core.tun;

import java.util.Locale;

/**
 * How a Linux TUN device moves packets: {@link #POLL} ({@code poll(2)} then {@code read}/{@code readv} until
 * {@code EAGAIN}, {@code write}/{@code writev} per packet), {@link #URING} (a multishot read on a provided-buffer
 * ring keeps reads in flight, writes go in batches, one {@code io_uring_enter} each) or {@link #AUTO} (io_uring where
 * {@link io.tunctl.core.uring.UringSupport} finds it usable, else poll, with the reason logged once per process).
 * {@code URING} fails with the reason where io_uring cannot be used.
 *
 * <p>The default is {@code poll}, or what the system property {@value #PROPERTY} says; a config's
 * {@code interface.io} overrides both.
 */
public enum TunIo {
    POLL, URING, AUTO;

    /** System property naming the default ({@code poll}, {@code uring}, {@code auto}). */
    public static final String PROPERTY = "tunctl.tun.io";

    /** The default: {@value #PROPERTY} when set (bad values fail), else {@link #POLL}. */
    public static TunIo defaultIo() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) return POLL;
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + ": " + e.getMessage(), e);
        }
    }

    /** {@code poll}, {@code uring} or {@code auto} (any case). */
    public static TunIo parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "poll" -> POLL;
            case "uring", "io_uring" -> URING;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("'" + s + "' is not poll, uring or auto");
        };
    }

    /** The config word: {@code poll}, {@code uring}, {@code auto}. */
    public String word() { return name().toLowerCase(Locale.ROOT); }
}
