package org.plateau.cli;

import java.io.PrintStream;
import java.util.Set;

/** One command of {@code plateau COMMAND [options]}. */
interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** The options with their meaning: what {@code plateau help COMMAND} shows and the parser accepts. */
    Usage usage();

    default Set<String> valueOptions() {
        return usage().valueOptions();
    }

    default Set<String> switches() {
        return usage().switches();
    }

    /** Runs the command; results go to {@code out} (one JSON object), progress to {@code err}. */
    void run(Options options, PrintStream out, PrintStream err);
}
