package io.tunctl.core.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process holds of the machine, for metrics endpoints: resident memory, threads and open file descriptors,
 * as the kernel counts them ({@code /proc/self}), not as the JVM estimates them. A value that cannot be read is -1.
 *
 * @param residentBytes {@code VmRSS}: anonymous and file-backed pages in memory, shared ones included
 * @param threads       every thread of the process, the JVM's own included
 * @param openFds       entries of {@code /proc/self/fd}
 */
public record ProcessFootprint(long residentBytes, int threads, int openFds) {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path FDS = Path.of("/proc/self/fd");

    /** Reads the current figures (a few microseconds: one small file and one directory listing). */
    public static ProcessFootprint current() {
        String status;
        try {
            status = Files.readString(STATUS);
        } catch (IOException | RuntimeException e) {
            status = "";
        }
        long rssKb = statusKb(status, "VmRSS");
        return new ProcessFootprint(rssKb < 0 ? -1 : rssKb * 1024, (int) statusKb(status, "Threads"), countFds());
    }

    /**
     * The number after {@code key:} in a {@code /proc/<pid>/status} text (kB for sizes, a count for
     * {@code Threads}), or -1 when the key is missing or its value is not a number.
     */
    static long statusKb(String status, String key) {
        String prefix = key + ":";
        int at = 0;
        while (at < status.length()) {
            int end = status.indexOf('\n', at);
            if (end < 0) end = status.length();
            if (status.startsWith(prefix, at)) {
                String[] words = status.substring(at + prefix.length(), end).trim().split("\\s+");
                try {
                    return Long.parseLong(words[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            at = end + 1;
        }
        return -1;
    }

    private static int countFds() {
        int n = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(FDS)) {
            for (Path ignored : d) n++;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n - 1; // the listing's own descriptor
    }
}
