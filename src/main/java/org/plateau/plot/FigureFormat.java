package org.plateau.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.plateau.PlateauException;

/** What a figure is written as: a picture (PNG), or vector graphics for papers (SVG, PDF). */
public enum FigureFormat {
    PNG, SVG, PDF;

    /** The file extension, without the dot. */
    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code png,svg,pdf}: the formats named, in order, each once. */
    public static List<FigureFormat> parseList(String list) {
        List<FigureFormat> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.strip().toUpperCase(Locale.ROOT);
            try {
                FigureFormat f = valueOf(p);
                if (!out.contains(f)) {
                    out.add(f);
                }
            } catch (IllegalArgumentException e) {
                throw new PlateauException("Unknown figure format '" + part.strip() + "': use "
                        + String.join(", ", Arrays.stream(values()).map(FigureFormat::extension).toList()) + ".");
            }
        }
        if (out.isEmpty()) {
            throw new PlateauException("--figure-format needs at least one of png, svg, pdf.");
        }
        return out;
    }

    /** The format a file name asks for by its extension, or PNG. */
    public static FigureFormat ofFile(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".svg") ? SVG : n.endsWith(".pdf") ? PDF : PNG;
    }
}
