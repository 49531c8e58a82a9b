package org.plateau.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.plateau.PlateauException;

/**
 * {@code --name value} options and {@code --flag} switches of one command. Every option must be
 * one the command declares; anything else is refused with the list of what it takes.
 */
public final class Options {

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> flags = new ArrayList<>();

    private Options(String command) {
        this.command = command;
    }

    /**
     * @param withValue options that take a value
     * @param switches options that take none
     */
    public static Options parse(String command, String[] args, Set<String> withValue, Set<String> switches) {
        Options o = new Options(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new PlateauException("Unexpected argument '" + a + "' for " + command
                        + "; options look like --name value (see: plateau help " + command + ").");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name) && inline == null) {
                o.flags.add(name);
            } else if (withValue.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.length) {
                        throw new PlateauException("The option --" + name + " needs a value.");
                    }
                    v = args[++i];
                }
                if (o.values.put(name, v) != null) {
                    throw new PlateauException("The option --" + name + " is given twice.");
                }
            } else {
                List<String> known = new ArrayList<>();
                withValue.forEach(k -> known.add("--" + k));
                switches.forEach(k -> known.add("--" + k));
                known.sort(null);
                throw new PlateauException("Unknown option --" + name + " for " + command + "; it takes "
                        + String.join(", ", known) + ".");
            }
        }
        return o;
    }

    public String command() {
        return command;
    }

    public boolean has(String name) {
        return values.containsKey(name) || flags.contains(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new PlateauException("The command " + command + " needs --" + name + ".");
        }
        return v;
    }

    public long getLong(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new PlateauException("The option --" + name + " takes a whole number, not '" + v + "'.");
        }
    }

    public int getInt(String name, int fallback) {
        long v = getLong(name, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new PlateauException("The option --" + name + " is out of range: " + v + ".");
        }
        return (int) v;
    }

    public double getDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new PlateauException("The option --" + name + " takes a number, not '" + v + "'.");
        }
    }

    /** Comma-separated token ids. */
    public int[] getTokens(String name) {
        return org.plateau.model.TokenIds.parse(require(name), "The option --" + name);
    }
}
