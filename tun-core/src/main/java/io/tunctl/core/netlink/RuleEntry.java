package io.tunctl.core.netlink;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RuleSpec;

import java.util.Objects;

/**
 * A policy rule as the kernel lists it ({@code ip rule}). Selectors the rule does not have are null (0 for the
 * mark and mask, which the kernel leaves out when they are 0).
 *
 * @param family               4 or 6 (another {@code AF_*} value as is)
 * @param priority             FRA_PRIORITY, 0 when absent (the kernel omits it for priority 0)
 * @param invert               FIB_RULE_INVERT ({@code not})
 * @param fwmark               FRA_FWMARK, 0 when absent
 * @param mask                 FRA_FWMASK, 0 when absent
 * @param from                 FRA_SRC with the header's {@code src_len}, or null
 * @param to                   FRA_DST with the header's {@code dst_len}, or null
 * @param iif                  FRA_IIFNAME, or null
 * @param oif                  FRA_OIFNAME, or null
 * @param ipProto              FRA_IP_PROTO, or null
 * @param sport                FRA_SPORT_RANGE, or null
 * @param dport                FRA_DPORT_RANGE, or null
 * @param uidRange             FRA_UID_RANGE, or null
 * @param suppressPrefixLength FRA_SUPPRESS_PREFIXLEN, or null
 * @param table                FRA_TABLE, or the header's table
 * @param action               FR_ACT_TO_TBL (1) for "lookup"
 */
public record RuleEntry(int family, int priority, boolean invert, long fwmark, long mask, Cidr from, Cidr to,
                        String iif, String oif, Integer ipProto, RuleSpec.PortRange sport, RuleSpec.PortRange dport,
                        RuleSpec.UidRange uidRange, Integer suppressPrefixLength, int table, int action) {

    /**
     * Whether this is the rule {@code spec} describes: a lookup of the same table with exactly the same selectors
     * (the priority compared only when the spec gives one). A mark given without a mask is stored by the kernel
     * with mask 0xffffffff, and mark 0 without a mask is no mark at all.
     */
    public boolean matches(RuleSpec spec) {
        long mark = spec.fwmark() == null ? 0 : spec.fwmark();
        long specMask = spec.mask() != null ? spec.mask() : (mark != 0 ? 0xffffffffL : 0);
        return family == spec.family() && action == 1 && table == spec.table() && invert == spec.invert()
                && fwmark == mark && mask == specMask
                && Objects.equals(from, spec.from()) && Objects.equals(to, spec.to())
                && Objects.equals(iif, spec.iif()) && Objects.equals(oif, spec.oif())
                && Objects.equals(ipProto, spec.ipProto())
                && Objects.equals(sport, spec.sport()) && Objects.equals(dport, spec.dport())
                && Objects.equals(uidRange, spec.uidRange())
                && Objects.equals(suppressPrefixLength, spec.suppressPrefixLength())
                && (spec.priority() == null || priority == spec.priority());
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(priority) + ": ipv" + family + (invert ? " not" : "") + " from "
                + (from == null ? "all" : from) + (to != null ? " to " + to : "")
                + (fwmark != 0 || mask != 0 ? " fwmark 0x" + Long.toHexString(fwmark) + "/0x" + Long.toHexString(mask) : "")
                + (iif != null ? " iif " + iif : "") + (oif != null ? " oif " + oif : "")
                + (uidRange != null ? " uidrange " + uidRange : "")
                + (ipProto != null ? " ipproto " + RuleSpec.ipProtoName(ipProto) : "")
                + (sport != null ? " sport " + sport : "") + (dport != null ? " dport " + dport : "")
                + " lookup " + Integer.toUnsignedString(table)
                + (suppressPrefixLength != null ? " suppress_prefixlength " + suppressPrefixLength : "")
                + " action " + action;
    }
}
