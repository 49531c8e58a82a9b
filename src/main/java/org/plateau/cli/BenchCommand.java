package org.plateau.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;
import org.plateau.perturbation.Paper;
import org.plateau.sae.Sae;

/**
 * {@code bench}: speed and memory of the engine on a GPT-2-small-shaped model with random weights
 * (nothing downloaded), every ratio measured in this one run ({@link Bench}).
 */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "speed and memory on a GPT-2-small-shaped model with random weights (no download)";
    }

    @Override
    public Usage usage() {
        return new Usage()
                .value("sweeps", "N", "timed sweeps (default 10; the median is reported)")
                .value("rounds", "N", "repeat the sweep, batched and explorer timings N times, print their range"
                        + " and the median round (default 1; a shared machine's rate moves between minutes)")
                .value("device", "cpu|gpu", "default: the GPU when DJL finds one")
                .with(Inputs.leanMemory())
                .flag("json", "print the measurements as one JSON object");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        int sweeps = o.getInt("sweeps", 10);
        if (sweeps < 1 || sweeps > 1000) {
            throw new PlateauException("--sweeps must be between 1 and 1000.");
        }
        int rounds = o.getInt("rounds", 1);
        if (rounds < 1 || rounds > 20) {
            throw new PlateauException("--rounds must be between 1 and 20.");
        }
        Device device = Inputs.device(o);
        Inputs.useLeanMemory(o, err);
        Path saeDir = temporaryFolder();
        // finally blocks do not run on Ctrl-C, shutdown hooks do: an interrupted bench leaves no 150 MB behind
        Thread cleanUp = new Thread(() -> deleteQuietly(saeDir), "plateau-bench-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        err.println("bench: building GPT-2 small with random weights on " + device + "…");
        long t0 = System.nanoTime();
        try (Gpt2 model = Gpt2.random(Bench.GPT2_SMALL, 1234, device)) {
            double modelSeconds = Bench.seconds(t0);
            err.println("bench: writing a random " + Bench.SAE_LATENTS + "-latent SAE to a temporary folder…");
            Bench.writeRandomSae(model, Bench.SAE_LATENTS, saeDir);
            long t1 = System.nanoTime();
            Sae sae = Sae.load(saeDir);
            sae.encode(model.activation(new int[] {1, 2, 3}, org.plateau.model.HookPoint.residPre(1))); // its pages in
            double loadSeconds = modelSeconds + Bench.seconds(t1);
            long resident = Memory.residentBytes();
            Bench bench = new Bench(model, sae, device, err);
            try (Lab lab = Lab.inMemory(model, sae, "bench")) {
                List<Bench.Single> singles = new ArrayList<>();
                List<Bench.Batched> batcheds = new ArrayList<>();
                List<Bench.Explore> explores = new ArrayList<>();
                Bench.Study study = null;
                for (int k = 0; k < rounds; k++) {
                    if (rounds > 1) {
                        err.println("bench: round " + (k + 1) + " of " + rounds);
                    }
                    singles.add(bench.single(sweeps));
                    if (study == null) {
                        study = bench.study(lab, "");
                    }
                    batcheds.add(bench.batched(study.sweepsPerBase()));
                    explores.add(bench.explore(lab));
                }
                double authors = bench.authorsPath();
                double naive = bench.naivePath();
                ObjectNode r = report(device, loadSeconds, resident, bench, medianRound(singles, Bench.Single::seconds),
                        medianRound(batcheds, Bench.Batched::secondsPerSweep), study,
                        medianRound(explores, Bench.Explore::redrawSeconds), authors, naive);
                if (rounds > 1) {
                    ranges(r, bench, study, singles, batcheds, explores);
                }
                Bench.SideBySide side = bench.sideBySide(study.sweepsPerBase(), Math.max(3, rounds));
                if (side != null) {
                    r.put("batched_two_lanes_sweep_seconds", round(side.secondsPerSweep(), 4));
                    r.put("batched_two_lanes_speedup", round(side.gain(), 3));
                    r.putArray("batched_two_lanes_speedup_range").add(round(side.minGain(), 3)).add(round(side.maxGain(), 3));
                }
                out.println(o.has("json") ? r.toPrettyString() : text(r, bench));
            }
        } finally {
            deleteQuietly(saeDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanUp);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down, and the hook deletes the folder
            }
        }
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("plateau-bench-sae");
        } catch (IOException e) {
            throw new PlateauException("Cannot create a temporary folder for the benchmark's SAE (" + e.getMessage() + ").");
        }
    }

    private static ObjectNode report(Device device, double loadSeconds, long resident, Bench bench, Bench.Single single,
            Bench.Batched batched, Bench.Study study, Bench.Explore explore, double authors, double naive) {
        double flops = bench.sweepFlops() + bench.prefillFlops();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("device", device.toString());
        r.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        r.put("mkl_kernels", org.plateau.model.MklKernels.describe());
        // it trades speed for memory (README, Memory), so the figures need it beside them
        r.put("malloc_mmap_threshold", org.plateau.model.GlibcMalloc.describe());
        r.put("model", "GPT-2 small shape, random weights (12 blocks, d 768, vocab 50257)");
        r.put("sae_latents", Bench.SAE_LATENTS);
        r.put("load_seconds", round(loadSeconds, 3));
        r.put("sweep_seconds", round(single.seconds(), 4));
        r.put("sweeps_per_second", round(1 / single.seconds(), 2));
        r.put("prefill_seconds", round(single.prefillSeconds(), 4));
        r.put("batch_seconds", round(single.batchSeconds(), 4));
        r.put("naive_sweep_seconds", round(naive, 3));
        r.put("speedup_vs_naive", round(naive / single.seconds(), 2));
        r.put("authors_path_seconds", round(authors, 3));
        r.put("speedup_vs_authors_path", round(authors / single.seconds(), 2));
        r.put("batched_speedup_vs_authors_path", round(authors / batched.secondsPerSweep(), 2));
        r.put("sweep_gflop", round(flops / 1e9, 2));
        r.put("achieved_gflops", round(flops / single.seconds() / 1e9, 1));
        r.put("matmul_gflops", round(single.matmulGflops(), 1));
        r.put("fraction_of_matmul_peak", round(single.fractionOfMatmul(), 3));
        r.put("batched_sweep_seconds", round(batched.secondsPerSweep(), 4));
        r.put("batched_fraction_of_matmul_peak", round(batched.fractionOfMatmul(), 3));
        r.put("explore_redraw_seconds", round(explore.redrawSeconds(), 3));
        r.put("explore_first_curve_seconds", round(explore.firstCurveSeconds(), 3));
        r.put("resident_mb", Math.round(resident / 1e6));
        r.put("peak_resident_mb", Math.round(Memory.peakResidentBytes() / 1e6));
        r.put("reproduce_peak_resident_mb", Math.round(study.peakResidentBytes() / 1e6));
        r.put("reproduce_sweeps", Paper.N * study.sweepsPerBase());
        r.put("reproduce_seconds_per_base", round(study.secondsPerBase(), 3));
        ObjectNode phases = r.putObject("reproduce_phase_seconds");
        study.phaseSeconds().forEach((p, s) -> phases.put(p.name().toLowerCase(Locale.ROOT), round(s, 3)));
        r.put("reproduce_fit_seconds", round(study.fitSeconds(), 1));
        r.put("reproduce_firings_seconds", round(study.firingsSeconds(), 1));
        r.put("estimated_reproduce_hours", round(study.hours(Paper.N), 2));
        r.put("reproduce_paper_types_sweeps", Paper.N * study.paperSweepsPerBase());
        r.put("reproduce_paper_types_seconds_per_base", round(study.paperSecondsPerBase(), 3));
        r.put("estimated_reproduce_paper_types_hours", round(study.paperTypesHours(Paper.N), 2));
        r.put("layer_study_bases", LayersCommand.DEFAULT_N);
        r.put("estimated_layer_study_hours", round(study.layerStudyHours(bench, LayersCommand.DEFAULT_N), 2));
        // the limits at the rate of the study's own minutes, so that estimate and limit compare
        r.put("reproduce_matmul_gflops", round(study.matmulGflops(), 1));
        double limit = limitHours(bench, study.sweepsPerBase(), study.matmulGflops());
        r.put("limit_reproduce_hours", round(limit, 2));
        r.put("reproduce_limit_fraction", round(limit / study.hours(Paper.N), 3));
        r.put("limit_reproduce_paper_types_hours",
                round(limitHours(bench, study.paperSweepsPerBase(), study.matmulGflops()), 2));
        return r;
    }

    /** The physical limit: the study's matrix products at the plain matrix-multiply rate, nothing else. */
    private static double limitHours(Bench bench, int sweepsPerBase, double matmulGflops) {
        return Paper.N * bench.baseFlops(sweepsPerBase) / (matmulGflops * 1e9) / 3600;
    }

    /** The round whose {@code key} is the median (the lower middle of an even count): its figures stay together. */
    private static <T> T medianRound(List<T> rounds, ToDoubleFunction<T> key) {
        List<T> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(key));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** [min, max] over the rounds of what moves with the machine's rate, beside the median round's figures. */
    private static void ranges(ObjectNode r, Bench bench, Bench.Study study, List<Bench.Single> singles,
            List<Bench.Batched> batcheds, List<Bench.Explore> explores) {
        r.put("rounds", singles.size());
        range(r, "sweep_seconds_range", singles, Bench.Single::seconds, 4);
        range(r, "matmul_gflops_range", singles, Bench.Single::matmulGflops, 1);
        range(r, "limit_reproduce_hours_range", singles, s -> limitHours(bench, study.sweepsPerBase(), s.matmulGflops()), 2);
        range(r, "fraction_of_matmul_peak_range", singles, Bench.Single::fractionOfMatmul, 3);
        range(r, "batched_sweep_seconds_range", batcheds, Bench.Batched::secondsPerSweep, 4);
        range(r, "batched_fraction_of_matmul_peak_range", batcheds, Bench.Batched::fractionOfMatmul, 3);
        range(r, "explore_redraw_seconds_range", explores, Bench.Explore::redrawSeconds, 3);
    }

    private static <T> void range(ObjectNode r, String name, List<T> rounds, ToDoubleFunction<T> value, int digits) {
        DoubleSummaryStatistics s = rounds.stream().mapToDouble(value).summaryStatistics();
        r.putArray(name).add(round(s.getMin(), digits)).add(round(s.getMax(), digits));
    }

    private static String text(ObjectNode r, Bench bench) {
        StringBuilder phases = new StringBuilder();
        r.path("reproduce_phase_seconds").fields().forEachRemaining(e ->
                phases.append(phases.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.2f s", e.getValue().asDouble())));
        return String.format(Locale.ROOT, """
                Plateau bench — %s, %d threads, GPT-2 small shape (random weights) + %d-latent SAE
                  MKL's kernels                       %s
                  glibc's mmap threshold              %s
                  one 101-step sweep with L2 and KL   %.3f s  (prefix %.3f s + batch %.3f s)
                  the authors' path                   %.3f s  → %.1f× faster (%.1f× batched as reproduce runs)
                  naive path (one step at a time)     %.3f s  → %.1f× faster
                  plain %dx%d matrix multiply       %.1f GFLOP/s; a single sweep runs at %.0f %% of it
                  a base's %d sweeps batched          %.3f s per sweep → %.0f %% of the matrix-multiply rate
                                                      %s
                  explore: redraw on a loaded base    %.3f s; a new prompt's first curve %.3f s
                  resident after loading              %d MB (peak %d MB; during reproduce %d MB)
                  full default reproduce              ≈ %.2f h on this machine (%d bases × %.2f s + %.0f s fitting
                                                      + %.0f s firing statistics)
                    per base: %s
                    physical limit (its matrix products at %.1f GFLOP/s, the plain rate beside these bases):
                                                      %.2f h, %.0f %% of the estimate
                  the paper's types (--types paper)   ≈ %.2f h (%d sweeps a base instead of %d: %.2f s a base,
                                                      timed alternately with the default's; no firing statistics)
                    physical limit: %.2f h
                  default layer study (12 layers × %d) ≈ %.2f h on this machine
                """, r.path("device").asText(), r.path("threads").asInt(), Bench.SAE_LATENTS, r.path("mkl_kernels").asText(),
                r.path("malloc_mmap_threshold").asText(),
                r.path("sweep_seconds").asDouble(), r.path("prefill_seconds").asDouble(), r.path("batch_seconds").asDouble(),
                r.path("authors_path_seconds").asDouble(), r.path("speedup_vs_authors_path").asDouble(),
                r.path("batched_speedup_vs_authors_path").asDouble(),
                r.path("naive_sweep_seconds").asDouble(), r.path("speedup_vs_naive").asDouble(),
                Bench.MATMUL_N, Bench.MATMUL_N, r.path("matmul_gflops").asDouble(),
                100 * r.path("fraction_of_matmul_peak").asDouble(),
                r.path("reproduce_sweeps").asInt() / Paper.N, r.path("batched_sweep_seconds").asDouble(),
                100 * r.path("batched_fraction_of_matmul_peak").asDouble(),
                r.has("batched_two_lanes_speedup") ? String.format(Locale.ROOT,
                        "with --lanes 2: %.3f s per sweep, %.2f× as fast (%s×, alternating, timed last)",
                        r.path("batched_two_lanes_sweep_seconds").asDouble(), r.path("batched_two_lanes_speedup").asDouble(),
                        span(r, "batched_two_lanes_speedup_range", "%.2f"))
                        : "(--lanes 2 not timed: it needs two CPU cores)",
                r.path("explore_redraw_seconds").asDouble(), r.path("explore_first_curve_seconds").asDouble(),
                r.path("resident_mb").asLong(), r.path("peak_resident_mb").asLong(),
                r.path("reproduce_peak_resident_mb").asLong(),
                r.path("estimated_reproduce_hours").asDouble(), Paper.N, r.path("reproduce_seconds_per_base").asDouble(),
                r.path("reproduce_fit_seconds").asDouble(), r.path("reproduce_firings_seconds").asDouble(), phases,
                r.path("reproduce_matmul_gflops").asDouble(), r.path("limit_reproduce_hours").asDouble(),
                100 * r.path("reproduce_limit_fraction").asDouble(), r.path("estimated_reproduce_paper_types_hours").asDouble(),
                r.path("reproduce_paper_types_sweeps").asInt() / Paper.N, r.path("reproduce_sweeps").asInt() / Paper.N,
                r.path("reproduce_paper_types_seconds_per_base").asDouble(),
                r.path("limit_reproduce_paper_types_hours").asDouble(),
                r.path("layer_study_bases").asInt(),
                r.path("estimated_layer_study_hours").asDouble()) + roundsText(r);
    }

    private static String roundsText(ObjectNode r) {
        if (!r.has("rounds")) {
            return "";
        }
        return String.format(Locale.ROOT, """
                  over %d rounds (the figures above are the median round's; the study ran once):
                    sweep %s s, batched %s s per sweep (%s of the matrix-multiply rate),
                    plain multiply %s GFLOP/s (a physical limit of %s h at those rates), explore redraw %s s
                """, r.path("rounds").asInt(), span(r, "sweep_seconds_range", "%.3f"),
                span(r, "batched_sweep_seconds_range", "%.3f"), percents(r, "batched_fraction_of_matmul_peak_range"),
                span(r, "matmul_gflops_range", "%.0f"), span(r, "limit_reproduce_hours_range", "%.2f"),
                span(r, "explore_redraw_seconds_range", "%.3f"));
    }

    private static String span(ObjectNode r, String name, String format) {
        return String.format(Locale.ROOT, format + "–" + format, r.path(name).get(0).asDouble(), r.path(name).get(1).asDouble());
    }

    private static String percents(ObjectNode r, String name) {
        return String.format(Locale.ROOT, "%.0f–%.0f %%", 100 * r.path(name).get(0).asDouble(),
                100 * r.path(name).get(1).asDouble());
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it eventually
        }
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
