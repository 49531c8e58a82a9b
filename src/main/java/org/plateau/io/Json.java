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

    /**
     * For reading files: as strict as JSON is (a field given twice, or text after the document, is
     * an error), and without quoting the file's text in its errors.
     */
    public static final ObjectMapper STRICT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(com.fasterxml.jackson.core.StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /** A configuration file's JSON object; every refusal is one sentence that quotes nothing of the file. */
    public static JsonNode read(Path path) {
        if (!Files.exists(path)) {
            throw new PlateauException("The file " + path + " does not exist.");
        }
        if (!Files.isRegularFile(path)) {
            throw new PlateauException("The path " + path + " is not a regular file.");
        }
        try {
            if (Files.size(path) > (64L << 20)) {
                throw new PlateauException("The file " + path + " is too large to be a configuration file.");
            }
            JsonNode node = STRICT.readTree(path.toFile());
            if (node == null || !node.isObject()) {
                throw new PlateauException("The file " + path + " does not hold a JSON object.");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new PlateauException("The file " + path + " does not exist.");
        } catch (IOException e) {
            throw new PlateauException("The file " + path + " is not valid JSON (" + problem(e) + ").");
        }
    }

    /** What is wrong with a JSON text, and where, without quoting it. */
    public static String problem(IOException e) {
        String where = "";
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            where = " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("Duplicate field")) {
            return "a field is given twice" + where;
        }
        if (m.startsWith("Trailing token")) {
            return "text follows the JSON document" + where;
        }
        if (e instanceof java.nio.charset.CharacterCodingException || m.contains("Invalid UTF-8")) {
            return "it is not UTF-8 text" + where;
        }
        if (m.contains("end-of-input")) {
            return "it ends too early" + where;
        }
        return "unexpected text" + where;
    }
}
