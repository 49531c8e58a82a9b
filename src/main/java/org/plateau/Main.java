package org.plateau;

import org.plateau.cli.Cli;

/**
 * Entry point. With no arguments it opens the desktop explorer; with a command it runs headless
 * and prints one JSON object.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // The CPU natives ship inside the program; never reach for the network to find them.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.exit(new Cli().run(args, System.out, System.err));
    }
}
