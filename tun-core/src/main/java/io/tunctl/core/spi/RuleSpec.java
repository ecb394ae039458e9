package io.tunctl.core.spi;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A policy routing rule: packets with {@code fwmark} (under {@code mask}) look up {@code table};
 * {@code invert} makes it "not fwmark" (tapotun's and wg-quick's way of keeping the tunnel's own traffic out).
 *
 * @param family   4 or 6
 * @param priority rule priority, or null for the kernel's choice
 */
public record RuleSpec(
        @JsonProperty("family") int family,
        @JsonProperty("fwmark") long fwmark,
        @JsonProperty("mask") Long mask,
        @JsonProperty("table") int table,
        @JsonProperty("priority") Integer priority,
        @JsonProperty("invert") boolean invert) {

    @Override
    public String toString() {
        return "ipv" + family + (invert ? " not" : "") + " fwmark 0x" + Long.toHexString(fwmark)
                + (mask != null ? "/0x" + Long.toHexString(mask) : "") + " lookup " + table
                + (priority != null ? " priority " + priority : "");
    }
}
