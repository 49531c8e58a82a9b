package org.plateau;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The packaged program as users run it, {@code java -jar target/plateau.jar ARGS}, started by the integration tests. */
public final class PlateauJar {

    public record Result(int code, String out, String err) {}

    private PlateauJar() {}

    /** The command line that starts the packaged jar with this JVM's java. */
    public static List<String> command(String... args) {
        Path jar = Path.of("target/plateau.jar");
        assertTrue(Files.exists(jar), "package the jar first");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /**
     * Runs to the end (at most five minutes) and returns what it printed. Output goes through files, not pipes, so a
     * chatty program never blocks on a full pipe; the files are removed afterwards so that runs leave nothing in /tmp.
     */
    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("plateau-jar-run");
        try {
            ProcessBuilder pb = new ProcessBuilder(command(args));
            pb.environment().putAll(env);
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("still running after five minutes: " + String.join(" ", args));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
