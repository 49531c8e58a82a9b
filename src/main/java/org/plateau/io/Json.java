package org.plateau.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.plateau.PlateauException;

/** The one JSON mapper of the program, and reading JSON files with errors a user can act on. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Records as result files hold them: snake_case field names, one compact line each. */
    public static final ObjectMapper RECORDS = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .propertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {}

    public static JsonNode read(Path path) {
        try {
            if (Files.size(path) > (64L << 20)) {
                throw new PlateauException("The file " + path + " is too large to be a configuration file.");
            }
            JsonNode node = MAPPER.readTree(path.toFile());
            if (node == null || !node.isObject()) {
                throw new PlateauException("The file " + path + " does not hold a JSON object.");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new PlateauException("The file " + path + " does not exist.");
        } catch (IOException e) {
            if (!Files.exists(path)) {
                throw new PlateauException("The file " + path + " does not exist.");
            }
            throw new PlateauException("The file " + path + " is not valid JSON (" + firstLine(e.getMessage()) + ").");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
