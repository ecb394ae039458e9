package io.tunctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.tunctl.core.runtime.ControlSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tunctl status [<tun>] [--json]}: asks running tunnels of this network namespace, through their control
 * sockets, for their interface, peers, counters and process figures.
 */
@Command(name = "status", description = {
        "Show the running tunnels of this network namespace: interface, addresses, peers (their IPs, bytes,",
        "last handshake, RTT where the transport knows it), counters, and the process's memory and threads.",
        "Asks each 'tunctl up' over its control socket (/run/tunctl/netns-<inode>/<tun>.sock, root only)."})
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUEST = "{\"command\":\"status\"}";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TUN", arity = "0..1", description = "the interface; none: every running tunnel")
    String tun;

    @Option(names = "--json", description = {"JSON (format version 1; fields may be added): one object for TUN,",
            "else an array of them."})
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<JsonNode> reports = new ArrayList<>();
        if (tun != null) {
            Path p = ControlSocket.path(tun);
            try {
                Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IOException("no tunnel running on " + tun + " in this network namespace (no " + p + ")");
            } catch (AccessDeniedException e) {
                throw needsRoot(p);
            }
            JsonNode r = ask(p);
            if (r == null) throw new IOException("no tunnel running on " + tun + " (" + p + " is left from a stopped run)");
            reports.add(r);
        } else {
            List<Path> sockets;
            try {
                sockets = ControlSocket.list();
            } catch (AccessDeniedException e) {
                throw needsRoot(Path.of(e.getFile()));
            }
            for (Path p : sockets) {
                JsonNode r = ask(p);
                if (r != null) reports.add(r);
            }
            if (reports.isEmpty()) throw new IOException("no tunnel running in this network namespace");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            if (tun != null) {
                out.println(reports.getFirst().toPrettyString());
            } else {
                ArrayNode a = JSON.createArrayNode();
                reports.forEach(a::add);
                out.println(a.toPrettyString());
            }
        } else {
            Instant now = Instant.now();
            for (int i = 0; i < reports.size(); i++) {
                if (i > 0) out.println();
                out.print(StatusFormat.human(reports.get(i), now));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The report on socket {@code p}, or null when nobody listens there any more. */
    private static JsonNode ask(Path p) throws IOException {
        String line;
        try {
            line = ControlSocket.request(p, REQUEST, TIMEOUT);
        } catch (ConnectException stale) {
            return null;
        } catch (AccessDeniedException denied) {
            throw needsRoot(p);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Permission denied")) throw needsRoot(p);
            throw e;
        }
        JsonNode r;
        try {
            r = JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException(p + ": not a tunctl status answer: " + e.getMessage());
        }
        if (r == null || !r.isObject()) throw new IOException(p + ": not a tunctl status answer");
        if (r.has("error")) throw new IOException(p + ": " + r.get("error").asText());
        return r;
    }

    private static IOException needsRoot(Path p) {
        return new IOException("needs root (run as root): " + p + " is readable by root only");
    }
}
