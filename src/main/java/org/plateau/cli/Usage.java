package org.plateau.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A command's options, declared once: what {@code plateau help COMMAND} prints, in aligned
 * columns, and what the parser accepts.
 */
public final class Usage {

    /** Where descriptions start, and how wide a line may grow. */
    private static final int COLUMN = 26;
    private static final int WIDTH = 104;

    private record Option(String name, String value, String description) {
        String label() {
            return "--" + name + (value == null ? "" : " " + value);
        }
    }

    private final List<Option> options = new ArrayList<>();

    /** An option that takes a value, shown as {@code --name VALUE}. */
    public Usage value(String name, String placeholder, String description) {
        options.add(new Option(name, placeholder, description));
        return this;
    }

    /** An option without a value. */
    public Usage flag(String name, String description) {
        options.add(new Option(name, null, description));
        return this;
    }

    /** Another block of options appended (shared ones, such as the model's). */
    public Usage with(Usage other) {
        options.addAll(other.options);
        return this;
    }

    public Set<String> valueOptions() {
        Set<String> out = new LinkedHashSet<>();
        options.stream().filter(o -> o.value() != null).forEach(o -> out.add(o.name()));
        return out;
    }

    public Set<String> switches() {
        Set<String> out = new LinkedHashSet<>();
        options.stream().filter(o -> o.value() == null).forEach(o -> out.add(o.name()));
        return out;
    }

    /** Two spaces, the option padded to one column, its description wrapped under itself. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Option o : options) {
            String label = "  " + o.label();
            List<String> lines = wrap(o.description(), WIDTH - COLUMN);
            if (label.length() >= COLUMN - 1) {
                b.append(label).append('\n');
                label = "";
            }
            for (String line : lines) {
                b.append(String.format("%-" + COLUMN + "s%s%n", label, line));
                label = "";
            }
        }
        return b.toString().stripTrailing();
    }

    private static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        out.add(line.toString());
        return out;
    }
}
