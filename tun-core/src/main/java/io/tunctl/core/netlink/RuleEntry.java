package io.tunctl.core.netlink;

/**
 * A policy rule as the kernel lists it ({@code ip rule}).
 *
 * @param family   4 or 6
 * @param fwmark   FRA_FWMARK, 0 when absent
 * @param mask     FRA_FWMASK, 0 when absent
 * @param priority FRA_PRIORITY, 0 when absent (the kernel omits it for priority 0)
 * @param action   FR_ACT_TO_TBL (1) for "lookup"
 */
public record RuleEntry(int family, long fwmark, long mask, int table, int priority, boolean invert, int action) {
    @Override
    public String toString() {
        return priority + ": ipv" + family + (invert ? " not" : "") + " fwmark 0x" + Long.toHexString(fwmark)
                + "/0x" + Long.toHexString(mask) + " lookup " + table + " action " + action;
    }
}
