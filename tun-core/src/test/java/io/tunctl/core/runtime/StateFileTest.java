package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.RuleSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateFileTest {
    @TempDir
    Path dir;

    @BeforeEach
    void useTempDir() { System.setProperty("tunctl.state.dir", dir.toString()); }

    @AfterEach
    void restore() { System.clearProperty("tunctl.state.dir"); }

    static final List<RuleSpec> RULES = List.of(
            RuleSpec.builder(4, 254).priority(32764).suppressPrefixLength(0).build(),
            RuleSpec.builder(4, 0x6e74).priority(32765).invert(true).fwmark(0x6e74).build(),
            RuleSpec.builder(6, 100).priority(10).from(Cidr.parse("fd00::/8")).to(Cidr.parse("2001:db8::/32"))
                    .iif("lo").oif("tun0").ipProto(17).sport(RuleSpec.PortRange.of(53))
                    .dport(RuleSpec.PortRange.parse("1000-2000")).uidRange(RuleSpec.UidRange.of(1000))
                    .fwmark(1, 0xffL).build());
    static final List<RouteSpec> ROUTES = List.of(new RouteSpec(Cidr.parse("0.0.0.0/0"), null, null, 0x6e74),
            new RouteSpec(Cidr.parse("::/0"), "fe80::1", 5, null));
    static final List<Nft.Table> TABLES = List.of(new Nft.Table("ip", "tunctl_t0"), new Nft.Table("ip6", "tunctl_t0"));

    @Test
    void roundTripsEveryField() throws IOException {
        StateFile s = StateFile.ofThisProcess("t0", RULES, ROUTES, TABLES);
        StateFile back = StateFile.fromJson(s.toJson());
        assertEquals(s, back);
        assertEquals(RULES, back.rules());
    }

    @Test
    void writesAtomicallyReadsBackDeletes() throws IOException {
        StateFile s = StateFile.ofThisProcess("t0", RULES, ROUTES, TABLES);
        Path p = s.write();
        assertEquals(StateFile.path("t0"), p);
        assertTrue(p.startsWith(dir), p.toString());
        assertTrue(p.getParent().getFileName().toString().startsWith("netns-"), p.toString());
        assertEquals(List.of(p), StateFile.list());
        assertEquals(Optional.of(s), StateFile.read(p));
        assertTrue(s.ownerAlive());
        assertTrue(s.delete());
        assertFalse(s.delete());
        assertEquals(Optional.empty(), StateFile.read(p));
        assertEquals(List.of(), StateFile.list());
    }

    @Test
    void aDeadOrRecycledOwnerIsNotAlive() {
        StateFile self = StateFile.ofThisProcess("t0", List.of(), List.of(), List.of());
        assertFalse(new StateFile(self.pid(), self.startTime() + 1, "t0", List.of(), List.of(), List.of()).ownerAlive());
        assertFalse(new StateFile(Integer.MAX_VALUE, 1, "t0", List.of(), List.of(), List.of()).ownerAlive());
    }

    @Test
    void leftoversOfALiveOwnerAreNotTouched() throws IOException {
        StateFile.ofThisProcess("t0", RULES, ROUTES, TABLES).write();
        assertEquals(List.of(), StateFile.scrubLeftovers(null));
        assertTrue(Files.exists(StateFile.path("t0")), "a live owner's file stays");
    }

    @Test
    void badContentNamesTheFile() throws IOException {
        Path p = StateFile.path("t1");
        Files.createDirectories(p.getParent());
        Files.writeString(p, "{\"pid\": 1, \"rules\": [{\"family\": 5, \"table\": 1}]}");
        IOException e = assertThrows(IOException.class, () -> StateFile.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StateFile.path("../x"));
    }

    @Test
    void startTimeIsField22EvenWithSpacesAndParenthesesInTheName() {
        String stat = "925 (we (ird) name) R 920 920 20039 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 412487 3133440 360";
        assertEquals(412487, StateFile.parseStartTime(stat).getAsLong());
        assertTrue(StateFile.parseStartTime("garbage").isEmpty());
    }

    @Test
    void nftTableNamesAreCheckedSoTheyNeedNoQuoting() {
        assertThrows(IllegalArgumentException.class, () -> new Nft.Table("ip", "a-b"));
        assertThrows(IllegalArgumentException.class, () -> new Nft.Table("arp", "ab"));
        assertThrows(IllegalArgumentException.class, () -> new Nft.Table("ip", "1ab"));
    }
}
