package org.plateau.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.plateau.PlateauException;

/**
 * {@code plateau COMMAND [options]}: runs a command and maps what can go wrong to exit codes.
 * 0 success; 2 bad input (one sentence on stderr); 1 anything else, still without a stack trace
 * unless PLATEAU_DEBUG is set.
 */
public final class Cli {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private final Map<String, Command> commands = new LinkedHashMap<>();

    /** A command that has said why it failed (its output is printed) and ends with exit code 1. */
    static final class Failed extends RuntimeException {
        Failed() {
            super(null, null, false, false);
        }
    }

    public Cli() {
        for (Command c : List.of(new ForwardCommand(), new EncodeCommand(), new SynthCommand(),
                new CurveCommand(), new ReproduceCommand(), new LayersCommand(), new CheckCommand(), new BenchCommand())) {
            commands.put(c.name(), c);
        }
    }

    /** Adds commands that live outside this package (the desktop app's screenshot). */
    public Cli with(String name, String summary, Usage usage, Runner runner) {
        commands.put(name, new Command() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public Usage usage() {
                return usage;
            }

            @Override
            public void run(Options options, PrintStream out, PrintStream err) {
                runner.run(options, out, err);
            }
        });
        return this;
    }

    /** --lean-memory's usage line, for a command added with {@link #with} (the window's). */
    public static Usage leanMemoryUsage() {
        return Inputs.leanMemory();
    }

    /** --lean-memory applied as the engine's commands apply it: before anything is loaded, saying so where it cannot act. */
    public static void useLeanMemory(Options o, PrintStream err) {
        Inputs.useLeanMemory(o, err);
    }

    /** A command's body, for {@link #with}. */
    @FunctionalInterface
    public interface Runner {
        void run(Options options, PrintStream out, PrintStream err);
    }

    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            if (args.length > 1 && commands.containsKey(args[1])) {
                Command c = commands.get(args[1]);
                out.println("plateau " + c.name() + ": " + c.summary() + "\n\noptions:\n" + c.usage().render());
            } else {
                printHelp(out);
            }
            return OK;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            out.println("plateau " + version());
            return OK;
        }
        Command command = commands.get(args[0]);
        try {
            if (command == null) {
                throw new PlateauException("Unknown command '" + args[0] + "'; the commands are "
                        + String.join(", ", commands.keySet()) + " (see: plateau help).");
            }
            Options options = Options.parse(command.name(), Arrays.copyOfRange(args, 1, args.length),
                    command.valueOptions(), command.switches());
            command.run(options, out, err);
            out.flush();
            return OK;
        } catch (Failed e) {
            out.flush();
            return FAILED;
        } catch (PlateauException e) {
            err.println("plateau: " + e.getMessage());
            debug(e, err);
            return BAD_INPUT;
        } catch (OutOfMemoryError e) {
            err.println("plateau: out of memory; give Java more with -Xmx, or use a smaller model or fewer steps.");
            return FAILED;
        } catch (RuntimeException e) {
            err.println("plateau: internal error (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                    + "); set PLATEAU_DEBUG=1 for details.");
            debug(e, err);
            return FAILED;
        }
    }

    private void printHelp(PrintStream out) {
        out.println("Plateau " + version() + " — do activations composed of SAE latents behave like GPT-2's own?");
        out.println();
        out.println("usage: plateau                 open the desktop explorer");
        out.println("       plateau COMMAND [options]");
        out.println();
        out.println("commands:");
        commands.values().forEach(c -> out.printf("  %-10s %s%n", c.name(), c.summary()));
        out.println();
        out.println("plateau help COMMAND shows a command's options.");
    }

    public static String version() {
        return org.plateau.Version.current();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void debug(Throwable e, PrintStream err) {
        if (System.getenv("PLATEAU_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }
}
