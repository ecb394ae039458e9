package io.tunctl.core.runtime;

import io.tunctl.core.packet.Cidr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A full tunnel on macOS and Windows, as nospoon makes it there (its spec, §6), in commands: the server's NAT and the
 * client's routes and DNS, each step with the command that takes it back ({@link HostSteps}). These systems have
 * no socket marks that routing rules can see, so the client's kill switch is nospoon's: two /1 routes into the TUN
 * that stay while the process lives, and a host route around the tunnel for each endpoint the tunnel itself uses.
 * Unlike nospoon, the routes are not dropped when the client reconnects. Linux uses {@link AutoRoute} and
 * {@link ServerNat} instead. Pure: building and parsing only; tests check the commands.
 */
public final class FullTunnelCommands {
    private FullTunnelCommands() {}

    /** nospoon's check on interface and service names, so that no argument can carry another command. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_ .-]{1,64}");
    /** Windows NAT and NRPT objects are found again by these names. */
    public static final String WINDOWS_NAT = "TunctlNAT";
    public static final String WINDOWS_NRPT_COMMENT = "tunctl full tunnel";

    /** The default route's gateway and interface (macOS: its name; Windows: its index). */
    public record Gateway(String address, String device) {}

    private static String checked(String name, String what) {
        if (name == null || !NAME.matcher(name).matches() || name.isBlank()) {
            throw new IllegalArgumentException("Invalid interface name: " + name + " (" + what + ")");
        }
        return name;
    }

    private static String address(String a) {
        return Cidr.addressString(Cidr.parseAddress(a)); // refuses anything that is not an address
    }

    // ------------------------------------------------------------------------------------------ macOS

    /** {@code route -n get default}: its {@code gateway:} and {@code interface:} lines. */
    public static Gateway parseDarwinDefault(String routeGetDefault) throws IOException {
        String gw = field(routeGetDefault, "gateway"), dev = field(routeGetDefault, "interface");
        if (gw == null || dev == null) throw new IOException("Cannot detect default gateway");
        return new Gateway(address(gw), checked(dev, "default route"));
    }

    private static String field(String text, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*(\\S+)\\s*$").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** From {@code networksetup -listallhardwareports}: the service whose {@code Device:} is {@code device}. */
    public static String darwinService(String listAllHardwarePorts, String device) {
        String port = null;
        for (String line : listAllHardwarePorts.split("\n")) {
            line = line.strip();
            if (line.startsWith("Hardware Port:")) port = line.substring("Hardware Port:".length()).strip();
            else if (line.startsWith("Device:") && line.substring(7).strip().equals(device)) return port;
        }
        return null;
    }

    /** {@code networksetup -getdnsservers}: the servers, or none when it says there aren't any. */
    public static List<String> parseDarwinDns(String getDnsServers) {
        if (getDnsServers.contains("aren't any")) return List.of();
        List<String> out = new ArrayList<>();
        for (String line : getDnsServers.split("\n")) if (!line.isBlank()) out.add(address(line.strip()));
        return out;
    }

    /**
     * The client's routes: a host route around the tunnel for each of {@code exempt} (the tunnel's own endpoints),
     * then 0.0.0.0/1 and 128.0.0.0/1 into {@code utun} (strict), then ::/1 and 8000::/1 (loose: IPv6 goes into the
     * tunnel and no further).
     */
    public static List<HostSteps.Step> darwinClientRoutes(String utun, Gateway gw, List<String> exempt) {
        checked(utun, "tunnel interface");
        List<HostSteps.Step> s = new ArrayList<>();
        for (String host : exempt) s.add(darwinExempt(host, gw));
        for (String net : List.of("0.0.0.0/1", "128.0.0.0/1")) {
            s.add(HostSteps.Step.strict(List.of("route", "add", "-net", net, "-interface", utun),
                    List.of("route", "delete", "-net", net, "-interface", utun)));
        }
        for (String net : List.of("::/1", "8000::/1")) {
            s.add(HostSteps.Step.loose(List.of("route", "add", "-inet6", "-net", net, "-interface", utun),
                    List.of("route", "delete", "-inet6", "-net", net, "-interface", utun)));
        }
        return s;
    }

    /** A host route for one more endpoint of the tunnel's own (nospoon adds one per new server address). */
    public static HostSteps.Step darwinExempt(String host, Gateway gw) {
        String h = address(host);
        return HostSteps.Step.strict(List.of("route", "add", "-host", h, gw.address()),
                List.of("route", "delete", "-host", h, gw.address()));
    }

    /** DNS of {@code service} set to {@code servers}, and back to {@code saved} ({@code Empty} if none). */
    public static HostSteps.Step darwinDns(String service, List<String> servers, List<String> saved) {
        checked(service, "network service");
        List<String> set = new ArrayList<>(List.of("networksetup", "-setdnsservers", service));
        for (String a : servers) set.add(address(a));
        List<String> back = new ArrayList<>(List.of("networksetup", "-setdnsservers", service));
        if (saved.isEmpty()) back.add("Empty");
        else for (String a : saved) back.add(address(a));
        return HostSteps.Step.strict(set, back);
    }

    /**
     * pf.conf with the server's NAT: {@code nat on OUT from SUBNET to any -> (OUT)} after the last
     * {@code nat-anchor} line, and the two pass rules before the {@code load anchor} line (or at the end).
     */
    public static String darwinPfConf(String original, String utun, Cidr subnet, String out) {
        checked(utun, "tunnel interface");
        checked(out, "outInterface");
        List<String> lines = new ArrayList<>(List.of(original.split("\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        String nat = "nat on " + out + " from " + subnet.network() + " to any -> (" + out + ")";
        int lastNatAnchor = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().startsWith("nat-anchor")) lastNatAnchor = i;
        lines.add(lastNatAnchor + 1, nat);
        int load = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().startsWith("load anchor")) { load = i; break; }
        List<String> pass = List.of("pass in quick on " + utun + " all", "pass out quick on " + out + " all");
        lines.addAll(load < 0 ? lines.size() : load, pass);
        return String.join("\n", lines) + "\n";
    }

    /** Forwarding on, the rewritten pf.conf loaded and pf enabled; back to /etc/pf.conf on close. */
    public static List<HostSteps.Step> darwinServerNat(String pfConfFile, String forwardingBefore) {
        return List.of(
                HostSteps.Step.strict(List.of("sysctl", "-w", "net.inet.ip.forwarding=1"),
                        List.of("sysctl", "-w", "net.inet.ip.forwarding=" + Integer.parseInt(forwardingBefore.strip()))),
                HostSteps.Step.strict(List.of("pfctl", "-f", pfConfFile), List.of("pfctl", "-f", "/etc/pf.conf")),
                HostSteps.Step.loose(List.of("pfctl", "-e"), List.of()));
    }

    // ------------------------------------------------------------------------------------------ Windows

    private static List<String> powershell(String script) {
        return List.of("powershell", "-NoProfile", "-NoLogo", "-Command", script);
    }

    /** The PowerShell that prints the default route's next hop and interface index, for {@link #parseWindowsDefault}. */
    public static List<String> windowsDefaultQuery() {
        return powershell("Get-NetRoute -DestinationPrefix '0.0.0.0/0' | Sort-Object RouteMetric | "
                + "Select-Object -First 1 | ForEach-Object { \"$($_.NextHop) $($_.InterfaceIndex)\" }");
    }

    public static Gateway parseWindowsDefault(String output) throws IOException {
        String[] f = output.strip().split("\\s+");
        if (f.length != 2 || !f[1].matches("\\d{1,9}")) throw new IOException("Cannot detect default gateway");
        return new Gateway(address(f[0]), f[1]);
    }

    /** As on macOS: host routes for the tunnel's endpoints, the two /1 routes (strict), IPv6 ::/1 and 8000::/1. */
    public static List<HostSteps.Step> windowsClientRoutes(int tunIndex, Gateway gw, List<String> exempt) {
        List<HostSteps.Step> s = new ArrayList<>();
        for (String host : exempt) s.add(windowsExempt(host, gw));
        for (String net : List.of("0.0.0.0", "128.0.0.0")) {
            s.add(HostSteps.Step.strict(List.of("route", "add", net, "mask", "128.0.0.0", "0.0.0.0", "metric", "1",
                    "if", Integer.toString(tunIndex)), List.of("route", "delete", net, "mask", "128.0.0.0")));
        }
        for (String net : List.of("::/1", "8000::/1")) {
            s.add(HostSteps.Step.loose(List.of("netsh", "interface", "ipv6", "add", "route", net,
                    "interface=" + tunIndex, "metric=1"), List.of("netsh", "interface", "ipv6", "delete", "route",
                    net, "interface=" + tunIndex)));
        }
        return s;
    }

    public static HostSteps.Step windowsExempt(String host, Gateway gw) {
        String h = address(host);
        return HostSteps.Step.strict(List.of("route", "add", h, "mask", "255.255.255.255", gw.address(), "metric",
                "1", "if", gw.device()), List.of("route", "delete", h, "mask", "255.255.255.255"));
    }

    /** An NRPT rule for every name ({@code .}), found again by its comment; the DNS cache flushed both ways. */
    public static List<HostSteps.Step> windowsDns(List<String> servers) {
        StringBuilder list = new StringBuilder();
        for (String a : servers) list.append(list.isEmpty() ? "" : ",").append('\'').append(address(a)).append('\'');
        return List.of(
                HostSteps.Step.strict(powershell("Add-DnsClientNrptRule -Namespace '.' -NameServers " + list
                                + " -Comment '" + WINDOWS_NRPT_COMMENT + "'"),
                        powershell("Get-DnsClientNrptRule | Where-Object { $_.Comment -eq '" + WINDOWS_NRPT_COMMENT
                                + "' } | ForEach-Object { Remove-DnsClientNrptRule -Name $_.Name -Force }")),
                HostSteps.Step.loose(List.of("ipconfig", "/flushdns"), List.of("ipconfig", "/flushdns")));
    }

    /** Forwarding on the TUN (and {@code out} if given) and a NetNat for the subnet (loose: nospoon warns and goes on). */
    public static List<HostSteps.Step> windowsServerNat(String tun, Cidr subnet, String out) {
        List<HostSteps.Step> s = new ArrayList<>();
        for (String ifName : out == null ? List.of(tun) : List.of(tun, out)) {
            checked(ifName, "interface");
            s.add(HostSteps.Step.strict(List.of("netsh", "interface", "ipv4", "set", "interface", ifName,
                    "forwarding=enabled"), List.of("netsh", "interface", "ipv4", "set", "interface", ifName,
                    "forwarding=disabled")));
        }
        s.add(HostSteps.Step.loose(powershell("New-NetNat -Name '" + WINDOWS_NAT
                        + "' -InternalIPInterfaceAddressPrefix '" + subnet.network() + "'"),
                powershell("Remove-NetNat -Name '" + WINDOWS_NAT + "' -Confirm:$false")));
        return s;
    }
}
