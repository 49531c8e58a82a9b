package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.plateau.io.Json;

/** Runs the command line in this JVM and keeps what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new Cli().run(args, o, e);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    JsonNode json() {
        assertEquals(0, exitCode, "exit code; stderr: " + err);
        try {
            return Json.MAPPER.readTree(out);
        } catch (IOException e) {
            throw new AssertionError("stdout is not one JSON object: " + out, e);
        }
    }

    /** Bad input: exit code 2, one sentence on stderr, nothing on stdout, no stack trace. */
    void assertRefused(String mentioning) {
        assertEquals(2, exitCode, "exit code; stderr: " + err);
        String message = err.strip();
        assertEquals(1, message.lines().count(), "one line on stderr: " + err);
        assertTrue(message.startsWith("plateau: "), message);
        assertTrue(message.endsWith("."), "a sentence: " + message);
        assertFalse(message.contains("Exception") || message.contains("\tat "), "no stack trace: " + message);
        assertTrue(message.toLowerCase().contains(mentioning.toLowerCase()), "'" + mentioning + "' in: " + message);
        assertEquals("", out, "nothing on stdout");
    }
}
