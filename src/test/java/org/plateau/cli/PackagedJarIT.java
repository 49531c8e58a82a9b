package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.plateau.Fixtures;
import org.plateau.io.Json;

/** The packaged program as users run it: {@code java -jar target/plateau.jar COMMAND}. */
class PackagedJarIT {

    record Result(int code, String out, String err) {}

    static Result run(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("target/plateau.jar");
        assertTrue(Files.exists(jar), "package the jar first");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("plateau-out", ".txt");
        Path err = Files.createTempFile("plateau-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finished");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void forwardPrintsOneJsonObjectAndNothingElse() throws Exception {
        Path fixture = Fixtures.tinyA();
        Result r = run("forward", "--model", fixture.resolve("model").toString(), "--tokens", "1,2,3");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals(4, json.path("resid_pre_last").size());
        assertEquals(64, json.path("resid_post_last").size());
        assertEquals(5, json.path("log_probs_last_top5").size());
        assertEquals("", r.err().strip(), "nothing on stderr when all is well");
    }

    @Test
    void badInputExitsWithTwoAndOneSentence() throws Exception {
        Result r = run("forward", "--model", "/no/such/folder", "--tokens", "1,2,3");
        assertEquals(2, r.code());
        assertEquals("plateau: The model folder /no/such/folder does not exist.", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void helpAndVersion() throws Exception {
        Result help = run("help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("curve"));
        Result version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("plateau 0."), version.out());
    }
}
