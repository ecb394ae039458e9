package io.tunctl.cli;

/** tunctl's documented exit codes (listed in --help). */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** Runtime failure: a device, netlink, socket or peer error; the message says which call failed. */
    public static final int FAILURE = 1;
    /** Bad usage or an invalid config file; nothing was changed on the system. */
    public static final int USAGE = 2;
}
