package org.plateau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers, read from the sources: the engine ({@code io, model, sae, perturbation, metrics})
 * reaches nothing above it; JavaFX only in {@code ui}; nothing but {@code Main} reaches {@code ui}
 * or {@code cli}; no cycle between packages. A new import that breaks a rule fails here.
 */
class ArchitectureTest {

    static final Path ROOT = Path.of("src/main/java/org/plateau");
    static final Set<String> ENGINE = Set.of("io", "model", "sae", "perturbation", "metrics");
    static final Pattern USE = Pattern.compile("\\borg\\.plateau\\.([a-z]+)\\.");
    static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    /** package → the packages it uses; "" is the root package (Main, Version, PlateauException). */
    static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = ROOT.relativize(f);
                String pkg = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
                String src = COMMENT.matcher(Files.readString(f)).replaceAll("");
                Set<String> used = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = USE.matcher(src);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
                if (!pkg.equals("ui") && (src.contains("import javafx.") || Pattern.compile("\\bjavafx\\.[a-z]+\\.[A-Z]")
                        .matcher(src).find())) {
                    used.add("<javafx>");
                }
            }
        }
        return out;
    }

    @Test
    void theEngineReachesNothingAboveIt() throws IOException {
        List<String> breaks = new ArrayList<>();
        uses().forEach((p, qs) -> qs.forEach(q -> {
            if (ENGINE.contains(p) && !ENGINE.contains(q)) {
                breaks.add(p + " -> " + q);
            }
        }));
        assertEquals(List.of(), breaks);
    }

    @Test
    void onlyMainReachesTheFrontEndsAndOnlyUiUsesJavaFx() throws IOException {
        List<String> breaks = new ArrayList<>();
        uses().forEach((p, qs) -> qs.forEach(q -> {
            if ((q.equals("ui") || q.equals("cli")) && !p.isEmpty()) {
                breaks.add(p + " -> " + q);
            }
            if (q.equals("<javafx>")) {
                breaks.add(p + " uses JavaFX");
            }
        }));
        assertEquals(List.of(), breaks);
    }

    @Test
    void noCycleBetweenPackages() throws IOException {
        Map<String, Set<String>> uses = uses();
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycles(start, start, new ArrayList<>(List.of(start)), uses, cycles);
        }
        assertEquals(List.of(), cycles);
        assertTrue(uses.size() >= 12, "the sources were read: " + uses.keySet());
    }

    private static void findCycles(String start, String at, List<String> path, Map<String, Set<String>> uses,
            List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                findCycles(start, next, path, uses, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
