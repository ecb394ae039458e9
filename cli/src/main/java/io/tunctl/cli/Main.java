package io.tunctl.cli;

/** Entry point placeholder; the commands land with the CLI commit. */
public final class Main {
    public static void main(String[] args) {
        System.out.println("tunctl");
    }
}
