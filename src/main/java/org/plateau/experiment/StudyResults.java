package org.plateau.experiment;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.io.AtomicFiles;
import org.plateau.io.Json;

/**
 * Everything a study produced: how it was run (provenance, settings, notes), every perturbation and
 * latent record, and the summary tables computed from them. It is written as results.json and
 * read back by the app to browse a finished run.
 *
 * @param provenance model and SAE files with their SHA-256, device, versions, timing
 * @param settings the settings as {@link StudySettings#toJson()} writes them
 * @param notes where this run departs from the paper or from what was asked
 */
public record StudyResults(ObjectNode provenance, ObjectNode settings, List<String> notes,
        List<PerturbationRecord> perturbations, List<LatentRecord> latents) {

    public static final String FILE_NAME = "results.json";

    public List<PaperTables.MetricTable> tables() {
        return PaperTables.metricTables(perturbations);
    }

    public List<PaperTables.LatentRow> latentTable() {
        return PaperTables.latentTable(latents);
    }

    /** Whether the run used the bundled random-weight demo model (never results). */
    public boolean demo() {
        return provenance.path("demo").asBoolean(false);
    }

    /** Writes results.json atomically, streaming the records so that large runs need little memory. */
    public void write(Path file) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = Json.RECORDS.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeObjectField("provenance", provenance);
                g.writeObjectField("settings", settings);
                g.writeObjectField("notes", notes);
                g.writeObjectField("summary", summaryJson());
                g.writeArrayFieldStart("perturbations");
                for (PerturbationRecord r : perturbations) {
                    g.writeRaw('\n');
                    Json.RECORDS.writeValue(g, r);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("latents");
                for (LatentRecord r : latents) {
                    g.writeRaw('\n');
                    Json.RECORDS.writeValue(g, r);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    /** The statistics report.md shows, in machine-readable form. */
    public ObjectNode summaryJson() {
        ObjectNode summary = Json.RECORDS.createObjectNode();
        ArrayNode tables = summary.putArray("tables");
        for (PaperTables.MetricTable t : tables()) {
            ObjectNode tj = tables.addObject();
            tj.put("id", t.id());
            tj.put("title", t.title());
            tj.put("figure", t.figure());
            tj.put("metric", t.metric().id());
            tj.put("rows_are", t.byBase() ? "base types (target random)" : "target types (base model-generated)");
            ArrayNode rows = tj.putArray("rows");
            for (PaperTables.Row r : t.rows()) {
                ObjectNode rj = rows.addObject();
                rj.put("type", r.type().id());
                rj.put("mode", r.mode().id());
                rj.put("n", r.ours().n());
                putNumber(rj, "mean", r.ours().mean());
                putNumber(rj, "std", r.ours().std());
                putNumber(rj, "ks", r.ours().ks());
                if (r.paper() != null) {
                    ObjectNode p = rj.putObject("paper");
                    p.put("mean", r.paper().mean());
                    p.put("std", r.paper().std());
                    if (r.paper().ks() != null) {
                        p.put("ks", r.paper().ks());
                    }
                }
            }
        }
        ArrayNode e = summary.putArray("latent_table");
        for (PaperTables.LatentRow r : latentTable()) {
            ObjectNode rj = e.addObject();
            rj.put("type", r.type().id());
            rj.put("n", r.n());
            moments(rj, "active_count", r.activeCount());
            moments(rj, "top_share", r.topShare());
            moments(rj, "pairwise_cos", r.pairwiseCos());
            moments(rj, "cos_to_top", r.cosToTop());
            moments(rj, "norm", r.norm());
            moments(rj, "distance", r.distance());
        }
        return summary;
    }

    private static void moments(ObjectNode o, String name, PaperTables.Moments m) {
        ObjectNode j = o.putObject(name);
        putNumber(j, "mean", m.mean());
        putNumber(j, "std", m.std());
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    /** Reads a results.json written by {@link #write}. */
    public static StudyResults read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PlateauException("There is no " + FILE_NAME + " at " + file + ".");
        }
        try {
            JsonNode root = Json.RECORDS.readTree(file.toFile());
            List<PerturbationRecord> perturbations = new ArrayList<>();
            for (JsonNode p : root.path("perturbations")) {
                perturbations.add(Json.RECORDS.treeToValue(p, PerturbationRecord.class));
            }
            List<LatentRecord> latents = new ArrayList<>();
            for (JsonNode l : root.path("latents")) {
                latents.add(Json.RECORDS.treeToValue(l, LatentRecord.class));
            }
            List<String> notes = new ArrayList<>();
            root.path("notes").forEach(n -> notes.add(n.asText()));
            if (!root.path("provenance").isObject() || !root.path("settings").isObject()) {
                throw new PlateauException("The file " + file + " is not a Plateau results file.");
            }
            return new StudyResults((ObjectNode) root.get("provenance"), (ObjectNode) root.get("settings"), notes,
                    perturbations, latents);
        } catch (IOException e) {
            throw new PlateauException("The file " + file + " is not a readable Plateau results file ("
                    + e.getMessage().lines().findFirst().orElse("") + ").");
        }
    }
}
