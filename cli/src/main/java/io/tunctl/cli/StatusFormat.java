package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code tunctl status} for people: a status report (the control socket's JSON) as wg-style indented lines. */
final class StatusFormat {
    private StatusFormat() {}

    static String human(JsonNode r, Instant now) {
        StringBuilder b = new StringBuilder();
        JsonNode i = r.path("interface");
        b.append("interface: ").append(i.path("name").asText("?")).append('\n');
        String role = r.hasNonNull("role") ? " (" + r.get("role").asText() + ")" : "";
        line(b, "transport", r.path("transport").asText("?") + role + ", pid " + r.path("pid").asLong()
                + ", up " + duration(r.path("uptimeSeconds").asLong()));
        List<String> addrs = new ArrayList<>();
        i.path("addresses").forEach(a -> addrs.add(a.asText()));
        line(b, "addresses", addrs.isEmpty() ? "(none)" : String.join(", ", addrs));
        line(b, "mtu", i.path("mtu").asText());
        line(b, "transfer", transfer(i));
        JsonNode p = r.path("process");
        line(b, "process", bytes(p.path("residentBytes").asLong(-1)) + " resident, "
                + p.path("threads").asLong(-1) + " threads, " + p.path("openFds").asLong(-1) + " open fds");
        if (r.path("counters").size() > 0) {
            List<String> cs = new ArrayList<>();
            r.path("counters").properties().forEach(e -> cs.add(e.getKey() + " " + e.getValue().asLong()));
            line(b, "counters", String.join(", ", cs));
        }
        if (r.hasNonNull("statusError")) line(b, "status error", r.get("statusError").asText());
        for (JsonNode peer : r.path("peers")) {
            b.append('\n').append("peer: ").append(peer.path("id").asText()).append('\n');
            if (peer.hasNonNull("endpoint")) line(b, "endpoint", peer.get("endpoint").asText());
            List<String> ips = new ArrayList<>();
            peer.path("allowedIps").forEach(a -> ips.add(a.asText()));
            line(b, "allowed ips", ips.isEmpty() ? "(none)" : String.join(", ", ips));
            line(b, "state", peer.path("connected").asBoolean() ? "connected" : "not connected");
            if (peer.hasNonNull("lastHandshake")) line(b, "latest handshake", ago(peer.get("lastHandshake").asText(), now));
            if (peer.hasNonNull("rttMicros")) line(b, "rtt", rtt(peer.get("rttMicros").asLong()));
            line(b, "transfer", transfer(peer));
            peer.path("info").properties().forEach(e -> line(b, e.getKey(), e.getValue().asText()));
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append("  ").append(label).append(": ").append(value).append('\n');
    }

    private static String transfer(JsonNode n) {
        String s = bytes(n.path("rxBytes").asLong()) + " received (" + n.path("rxPackets").asLong() + " packets), "
                + bytes(n.path("txBytes").asLong()) + " sent (" + n.path("txPackets").asLong() + " packets)";
        long drops = n.path("drops").asLong();
        return drops == 0 ? s : s + ", " + drops + " dropped";
    }

    /** wg's units: B, KiB, MiB, GiB, TiB with two decimals. */
    static String bytes(long n) {
        if (n < 0) return "?";
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** {@code 1 h 2 min 3 s}, largest units first, zeros left out; {@code 0 s} for nothing. */
    static String duration(long seconds) {
        if (seconds <= 0) return "0 s";
        long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
        List<String> parts = new ArrayList<>();
        if (d > 0) parts.add(d + " d");
        if (h > 0) parts.add(h + " h");
        if (m > 0) parts.add(m + " min");
        if (s > 0) parts.add(s + " s");
        return String.join(" ", parts);
    }

    private static String ago(String instant, Instant now) {
        try {
            long s = Duration.between(Instant.parse(instant), now).toSeconds();
            return s < 0 ? instant : duration(s) + " ago";
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    static String rtt(long micros) {
        return micros < 10_000 ? String.format(Locale.ROOT, "%.2f ms", micros / 1000.0) : (micros / 1000) + " ms";
    }
}
