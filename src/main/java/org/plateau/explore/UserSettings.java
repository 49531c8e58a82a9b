package org.plateau.explore;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.plateau.perturbation.Paper;
import org.plateau.io.AtomicFiles;
import org.plateau.hub.ModelSources;
import org.plateau.io.Json;

/**
 * What the window remembers between runs, in $XDG_CONFIG_HOME/plateau/settings.json
 * (~/.config/plateau/settings.json); $PLATEAU_CONFIG or -Dplateau.config names another file.
 *
 * @param readSae the SAE last loaded for the read hook (a folder or a hub id), loaded again with the
 *     model; null when none was
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UserSettings(String model, String sae, String processing, String targetType, String mode,
        double stepSize, String hook, String read, double apThreshold, int compareN, List<String> compareTypes,
        String compareMetric, int exportWidth, int exportHeight, double exportScale, double windowWidth,
        double windowHeight, int statsActivations, String readSae) {

    public static UserSettings defaults() {
        // the paper's setting: GPT-2 small and the gpt2-small-res-jb SAE of layer 1, from the hub
        return new UserSettings(ModelSources.DEFAULT_MODEL, ModelSources.DEFAULT_SAE, "tl", "model-generated", "absolute",
                Paper.STEP_SIZE, "blocks.1.hook_resid_pre", "", Paper.AP_THRESHOLD, 50,
                List.of("model-generated", "random", "synthetic-baseline", "synthetic-structured"), "ms_l2",
                1200, 800, 2, 1400, 900, Paper.STATS_ACTIVATIONS, null);
    }

    public static Path file() {
        String prop = System.getProperty("plateau.config");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String own = System.getenv("PLATEAU_CONFIG");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("plateau").resolve("settings.json");
    }

    /** The saved settings, or the defaults when there are none or the file is unreadable. */
    public static UserSettings load() {
        Path f = file();
        try {
            if (Files.isRegularFile(f) && Files.size(f) < 1 << 20) {
                UserSettings s = Json.RECORDS.readValue(f.toFile(), UserSettings.class);
                return s.withDefaults();
            }
        } catch (Exception e) {
            // a damaged settings file is replaced by the defaults, never an error
        }
        return defaults();
    }

    /** Fills what an older or hand-edited file lacks. */
    private UserSettings withDefaults() {
        UserSettings d = defaults();
        return new UserSettings(model, sae, processing != null ? processing : d.processing,
                targetType != null ? targetType : d.targetType, mode != null ? mode : d.mode,
                stepSize > 0 ? stepSize : d.stepSize, hook != null ? hook : d.hook, read != null ? read : d.read,
                apThreshold > 0 ? apThreshold : d.apThreshold, compareN > 0 ? compareN : d.compareN,
                compareTypes != null ? compareTypes : d.compareTypes, compareMetric != null ? compareMetric : d.compareMetric,
                exportWidth > 0 ? exportWidth : d.exportWidth, exportHeight > 0 ? exportHeight : d.exportHeight,
                exportScale > 0 ? exportScale : d.exportScale, windowWidth > 0 ? windowWidth : d.windowWidth,
                windowHeight > 0 ? windowHeight : d.windowHeight,
                statsActivations > 1 ? statsActivations : d.statsActivations, readSae);
    }

    public void save() {
        try {
            AtomicFiles.writeString(file(), Json.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(Json.RECORDS.valueToTree(this)));
        } catch (Exception e) {
            // settings are a convenience: failing to save them must not disturb the work
        }
    }
}
