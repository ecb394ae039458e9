package io.tunctl.transport.socks.config;

import java.time.Duration;

/**
 * Go's duration syntax ({@code time.ParseDuration}), which nano-tun's files and flags use: a sequence of decimal
 * numbers with units {@code ns us µs ms s m h}, e.g. {@code 300ms}, {@code 1m30s}, {@code 1.5h}; an optional sign;
 * {@code 0} alone. Negative durations are rejected here because no setting means anything by them.
 */
public final class GoDuration {
    private GoDuration() {}

    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("empty duration");
        if (s.startsWith("-")) throw new IllegalArgumentException("negative duration '" + text + "'");
        if (s.startsWith("+")) s = s.substring(1);
        if (s.equals("0")) return Duration.ZERO;
        long nanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            if (i == start) throw new IllegalArgumentException("bad duration '" + text + "' (want e.g. 5s, 1m30s, 250ms)");
            String number = s.substring(start, i);
            int u = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
            String unit = s.substring(u, i);
            long scale = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("missing unit in duration '" + text + "' (want e.g. 5s, 1m30s)");
                default -> throw new IllegalArgumentException("unknown unit '" + unit + "' in duration '" + text
                        + "' (units: ns, us, ms, s, m, h)");
            };
            double value;
            try {
                value = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number '" + number + "' in duration '" + text + "'");
            }
            double add = value * scale;
            if (add > Long.MAX_VALUE - (double) nanos) throw new IllegalArgumentException("duration '" + text + "' is too long");
            nanos += (long) add;
        }
        return Duration.ofNanos(nanos);
    }

    /** Go's own spelling of {@code d} ({@code 1m30s}, {@code 250ms}, {@code 0s}). */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n == 0) return "0s";
        if (n < 1_000_000_000L && n % 1_000_000L == 0) return n / 1_000_000L + "ms";
        StringBuilder b = new StringBuilder();
        long h = n / 3_600_000_000_000L;
        long m = n / 60_000_000_000L % 60;
        long s = n / 1_000_000_000L % 60;
        long rest = n % 1_000_000_000L;
        if (h > 0) b.append(h).append('h');
        if (h > 0 || m > 0) b.append(m).append('m');
        b.append(s);
        if (rest != 0) b.append('.').append(String.format("%09d", rest).replaceAll("0+$", ""));
        return b.append('s').toString();
    }
}
