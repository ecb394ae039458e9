package io.tunctl.core.tun;

/** Child-JVM probe for {@link TunDeviceIT}: opens a TUN and prints the error message (exit 0) or "opened" (exit 3). */
public final class OpenTunProbe {
    private OpenTunProbe() {}

    public static void main(String[] args) throws Exception {
        try (TunDevice tun = TunDevice.open(TunOptions.named(args[0]))) {
            System.out.println("opened " + tun.name());
            System.exit(3);
        } catch (NativeException e) {
            System.out.println(e.getMessage());
        }
    }
}
