package org.plateau.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.plateau.experiment.PaperTables;
import org.plateau.experiment.PaperTables.LatentRow;
import org.plateau.experiment.PaperTables.MetricTable;
import org.plateau.experiment.StudyResults;
import org.plateau.perturbation.Metric;

/**
 * report.md: one table per paper table with our mean, std and KS beside the paper's, the figures,
 * and what the run was (model, SAE, dataset, settings) and where it departs from the paper.
 */
public final class MarkdownReport {

    /** The banner on every output of the random-weight demo model. */
    public static final String DEMO_BANNER = org.plateau.experiment.Lab.DEMO_NOTICE;

    private MarkdownReport() {}

    public static String render(StudyResults r, Map<String, String> figures) {
        StringBuilder b = new StringBuilder();
        JsonNode p = r.provenance();
        JsonNode s = r.settings();
        b.append("# Plateau study: synthetic activations against GPT-2's own\n\n");
        if (r.demo()) {
            b.append("> **").append(DEMO_BANNER).append("**\n\n");
        }
        b.append("| | |\n|---|---|\n");
        row(b, "model", p.path("model").path("source").asText(p.path("model").path("path").asText()) + " ("
                + p.path("processing").asText() + " processing)");
        row(b, "model SHA-256", "`" + p.path("model").path("sha256").asText() + "`");
        JsonNode check = p.path("check");
        if (check.isObject()) {
            String verdict = check.path("verdict").asText();
            row(b, "model check", (verdict.equals("failed") ? "**failed** — " : verdict.equals("passed") ? "passed — " : "")
                    + check.path("summary").asText());
            JsonNode health = check.path("sae");
            if (health.isObject()) {
                String numbers = health.path("mean_l0").isNumber()
                        ? String.format(Locale.ROOT, "mean L0 %.1f, variance explained %.1f %%", health.path("mean_l0").asDouble(),
                                100 * health.path("variance_explained").asDouble(Double.NaN))
                        : "not measured";
                if (health.path("dead_latents").isNumber()) {
                    numbers += ", " + health.path("dead_latents").asInt() + " of " + health.path("d_sae").asInt()
                            + " latents dead";
                }
                if (health.path("measured_at").isTextual()) {
                    numbers += " (" + health.path("prompts").asInt() + " sample prompts at `"
                            + health.path("measured_at").asText() + "`)";
                }
                for (JsonNode w : health.path("warnings")) {
                    numbers += "; **warning:** " + w.asText();
                }
                row(b, "SAE health", numbers);
            }
        }
        if (p.path("sae").isObject()) {
            row(b, "SAE", p.path("sae").path("source").asText(p.path("sae").path("path").asText()));
            row(b, "SAE SHA-256", "`" + p.path("sae").path("sha256").asText() + "`");
        } else {
            row(b, "SAE", "none (synthetic types not run)");
        }
        row(b, "dataset", p.path("dataset").asText());
        row(b, "perturbations per type", s.path("n").asText());
        row(b, "seed", s.path("seed").asText());
        row(b, "hooks", "perturbed `" + s.path("hook").asText() + "`, read `" + s.path("read").asText() + "`");
        row(b, "steps", s.path("steps").asText() + " steps, absolute step size " + s.path("step_size").asText());
        row(b, "AP threshold / c*", s.path("ap_threshold").asText() + " / " + s.path("target_cos").asText());
        row(b, "random targets", "N(μ, Σ) of " + s.path("stats_activations").asText() + " model-generated activations");
        row(b, "device", p.path("device").asText()
                + (p.has("mkl_kernels") ? " · matrix products: " + p.path("mkl_kernels").asText() : ""));
        row(b, "program", "Plateau " + p.path("program_version").asText());
        b.append('\n');

        b.append("## How this run relates to the paper\n\n");
        b.append("The paper's numbers are for GPT-2 small, the gpt2-small-res-jb SAE at `blocks.1.hook_resid_pre`, "
                + "OpenWebText prompts and 1000 perturbations per type. KS is the two-sample Kolmogorov–Smirnov "
                + "statistic against the model-generated row of the same table and step mode; std is the population "
                + "std. Definitions follow METHOD.md.\n\n");
        for (String note : r.notes()) {
            b.append("- ").append(note).append('\n');
        }
        if (!r.notes().isEmpty()) {
            b.append('\n');
        }
        figures.keySet().stream().filter(n -> n.startsWith("figure-1.")).findFirst()
                .ifPresent(name -> figure(b, name, figures.get(name)));

        for (MetricTable t : r.tables()) {
            if (t.rows().stream().allMatch(row -> row.ours().n() == 0)) {
                continue;
            }
            b.append("## Table ").append(t.id()).append(" — ").append(t.title()).append("\n\n");
            b.append(t.byBase() ? "Rows are base types; every target is random. AP is the first step whose L2 exceeds "
                    + s.path("ap_threshold").asText() + " (" + (s.path("steps").asInt() + 1) + " = not within the sweep).\n\n"
                    : "Rows are target types; every base is model-generated.\n\n");
            b.append("| type | steps | n | mean | paper mean | std | paper std | KS | paper KS |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (PaperTables.Row row : t.rows()) {
                Metric.Paper paper = row.paper();
                b.append("| ").append(typeCell(row.type())).append(" | ").append(row.mode().id()).append(" | ")
                        .append(row.ours().n()).append(" | ")
                        .append(num(row.ours().mean(), 2)).append(" | ").append(paper == null ? "—" : num(paper.mean(), 2))
                        .append(" | ").append(num(row.ours().std(), 2)).append(" | ")
                        .append(paper == null ? "—" : num(paper.std(), 2)).append(" | ")
                        .append(num(row.ours().ks(), 3)).append(" | ")
                        .append(paper == null || paper.ks() == null ? "—" : num(paper.ks(), 2)).append(" |\n");
            }
            b.append('\n');
            String stem = StudyFigures.figureStem(t) + ".";
            figures.keySet().stream().filter(n -> n.startsWith(stem)).findFirst()
                    .ifPresent(name -> figure(b, name, figures.get(name)));
        }

        List<LatentRow> e = r.latentTable();
        if (!e.isEmpty()) {
            b.append("## Table E — latent properties (appendix E)\n\n");
            b.append("Each activation encoded by the SAE; mean ± std over activations. The paper reports GPT-2's own "
                    + "activations (model-generated) only.\n\n");
            b.append("| type | n | active latents | top latent share | mean pairwise cos | mean cos to top | ‖x‖ | ‖x − A‖ |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (LatentRow row : e) {
                b.append("| ").append(typeCell(row.type())).append(" | ").append(row.n()).append(" | ")
                        .append(pm(row.activeCount(), 1)).append(" | ").append(pm(row.topShare(), 3)).append(" | ")
                        .append(pm(row.pairwiseCos(), 3)).append(" | ").append(pm(row.cosToTop(), 3)).append(" | ")
                        .append(pm(row.norm(), 1)).append(" | ").append(pm(row.distance(), 1)).append(" |\n");
            }
            Map<String, Double> paper = PaperTables.PAPER_LATENTS;
            b.append("| *paper, model-generated* | 1000 | ≈ ").append(num(paper.get("active_count"), 0))
                    .append(" | ≈ ").append(num(paper.get("top_share"), 2)).append(" | ≈ ")
                    .append(num(paper.get("pairwise_cos"), 2)).append(" | ≈ ").append(num(paper.get("cos_to_top"), 2))
                    .append(" | ≈ ").append(num(paper.get("norm"), 0)).append(" | ≈ ").append(num(paper.get("distance"), 0))
                    .append(" |\n\n");
            for (String stem : List.of("figure-E1.", "figure-E2.")) {
                figures.keySet().stream().filter(n -> n.startsWith(stem)).findFirst()
                        .ifPresent(name -> figure(b, name, figures.get(name)));
            }
        }
        b.append("## Files\n\n");
        b.append("- `results.json`: every perturbation (101 L2 and KL values, MS, AUC, NL, AP), every latent record, "
                + "the statistics above and the provenance.\n");
        b.append("- `journal.jsonl`: the raw record, one line per base, which `--resume` continues.\n");
        b.append("- `figures/`: the figures above.\n");
        return b.toString();
    }

    /** A type's id; Plateau's own types say so, wherever they appear beside the paper's. */
    private static String typeCell(org.plateau.perturbation.TargetType t) {
        return t.extension() ? t.id() + " *(Plateau's extension)*" : t.id();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static void figure(StringBuilder b, String name, String caption) {
        b.append("![").append(caption).append("](figures/").append(name).append(")\n\n");
        b.append("*").append(caption).append(".*\n\n");
    }

    /** A number with fixed decimals, "—" when it does not exist. */
    public static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "—";
    }

    private static String pm(PaperTables.Moments m, int decimals) {
        return m.n() == 0 ? "—" : num(m.mean(), decimals) + " ± " + num(m.std(), decimals);
    }
}
