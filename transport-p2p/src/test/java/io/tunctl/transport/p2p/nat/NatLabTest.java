package io.tunctl.transport.p2p.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunctl.transport.p2p.nat.NatLab.Nat;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The pure parts of {@link NatLab}: router rulesets and the namespace names it cleans up. */
class NatLabTest {
    @Test
    void consistentRouterMasqueradesWithoutPortFlagsAndDropsUnsolicitedInput() {
        String rules = NatLab.routerRules(Nat.CONSISTENT, true);
        assertTrue(rules.contains("oifname \"wan0\" masquerade\n"), rules);
        assertTrue(rules.contains("type filter hook input priority filter; policy accept;"), rules);
        assertTrue(rules.contains("iifname \"wan0\" counter drop"), rules);
        assertTrue(rules.contains("type filter hook forward priority filter; policy drop;"), rules);
        assertTrue(rules.contains("iifname \"wan0\" ct state established,related accept"), rules);
    }

    @Test
    void randomRoutersRandomizeThePort() {
        assertTrue(NatLab.routerRules(Nat.RANDOM, true).contains("masquerade random\n"));
        assertTrue(NatLab.routerRules(Nat.FULLY_RANDOM, true).contains("masquerade fully-random\n"));
    }

    @Test
    void withoutTheFirewallThereIsNoInputChain() {
        String rules = NatLab.routerRules(Nat.CONSISTENT, false);
        assertFalse(rules.contains("hook input"), rules);
        assertTrue(rules.contains("hook forward"), rules);
    }

    @Test
    void unsolicitedDropsAreSummedFromTheCounters() {
        String listed = """
                table ip natlab {
                	chain forward {
                		type filter hook forward priority filter; policy drop;
                		iifname "wan0" ct state established,related accept
                		iifname != "wan0" accept
                		counter packets 2 bytes 120 comment "unsolicited from the WAN"
                	}
                	chain input {
                		type filter hook input priority filter; policy accept;
                		iifname "wan0" ct state established,related accept
                		iifname "wan0" counter packets 17 bytes 1020 drop comment "unsolicited from the WAN"
                	}
                }
                """;
        assertEquals(19, NatLab.Router.unsolicitedDropped(listed));
        assertEquals(0, NatLab.Router.unsolicitedDropped("table ip natlab {\n}\n"));
    }

    @Test
    void ownerPidIsTheNameWithoutItsFourHexDigits() {
        assertEquals(OptionalLong.of(12345), NatLab.ownerPid("tnnat-hub-12345a0f3"));
        assertEquals(OptionalLong.of(7), NatLab.ownerPid("tnnat-rc12-71234"));
        assertEquals(OptionalLong.empty(), NatLab.ownerPid("tn-udx-12345"));
        assertEquals(OptionalLong.empty(), NatLab.ownerPid("tnnat-hub-123"));
        assertEquals(OptionalLong.empty(), NatLab.ownerPid("tnnat-hub"));
    }
}
