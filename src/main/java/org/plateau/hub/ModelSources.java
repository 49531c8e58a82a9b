package org.plateau.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.plateau.PlateauException;

/**
 * What {@code --model} and {@code --sae} (and the window's fields) may name, made into a local
 * folder: a folder; a hub repository ({@code gpt2}, {@code openai-community/gpt2},
 * {@code org/name@revision}); for SAEs a folder of a repository
 * ({@code jbloom/GPT2-Small-SAEs-Reformatted/blocks.1.hook_resid_pre}) or a SAELens release and SAE id
 * ({@code gpt2-small-res-jb/blocks.1.hook_resid_pre}, see {@link SaeReleases}); or {@code demo}, the
 * bundled random-weight model.
 */
public final class ModelSources {

    /** The paper's setting. */
    public static final String DEFAULT_MODEL = "gpt2";
    public static final String DEFAULT_SAE = "gpt2-small-res-jb/blocks.1.hook_resid_pre";
    public static final String DEMO = "demo";

    static final List<String> MODEL_FILES = List.of("config.json", "model.safetensors");
    static final List<String> SAE_FILES = List.of("cfg.json", "sae_weights.safetensors");
    /** Firing frequencies: SAELens loads an SAE without them, and so does Plateau (synthesis needs them). */
    static final List<String> SAE_OPTIONAL_FILES = List.of("sparsity.safetensors");

    /** Old single-word GPT-2 names, as the hub still accepts them. */
    private static final Map<String, String> ALIASES = Map.of(
            "gpt2", "openai-community/gpt2", "gpt2-medium", "openai-community/gpt2-medium",
            "gpt2-large", "openai-community/gpt2-large", "gpt2-xl", "openai-community/gpt2-xl",
            "distilgpt2", "distilbert/distilgpt2");

    private static final Pattern REPO = Pattern.compile("([A-Za-z0-9][\\w.-]*/[\\w.-]+)(?:@([\\w./-]+))?");
    private static final Pattern SAE_IN_REPO = Pattern.compile("([A-Za-z0-9][\\w.-]*/[\\w.-]+)/([\\w./:-]+?)(?:@([\\w./-]+))?");
    private static final Pattern RELEASE_SAE = Pattern.compile("([\\w.-]+)/([\\w./:-]+?)(?:@([\\w./-]+))?");

    /**
     * A resolved source.
     *
     * @param dir the local folder
     * @param description what it is, for provenance ("openai-community/gpt2 at 607a30d…")
     * @param demo whether it is the random-weight demo
     * @param repo the hub repository it came from (also for a folder inside a hub cache), else null
     * @param release for an SAE SAELens lists: its entry (Neuronpedia id, norm scaling factor), else null
     */
    public record Resolved(Path dir, String description, boolean demo, String repo, SaeReleases.Entry release) {

        Resolved(Path dir, String description, boolean demo, String repo) {
            this(dir, description, demo, repo, null);
        }

        /** The norm scaling factor SAELens folds into this SAE, or null. */
        public Double normScalingFactor() {
            return release == null ? null : release.normScalingFactor();
        }

        /** Whether it came from the hub: downloaded now, or found in the cache. */
        public boolean fromHub() {
            return repo != null;
        }
    }

    private ModelSources() {}

    public static Resolved model(String spec, HubClient hub, DownloadListener listener) {
        String s = spec.strip();
        if (s.equals(DEMO)) {
            return new Resolved(DemoModel.ensure().model(), "the demo model (random weights)", true, null);
        }
        Path local = Path.of(s);
        if (Files.isDirectory(local) || looksLikePath(s)) {
            return new Resolved(local, local.toAbsolutePath().normalize().toString(), false, repoOfCacheFolder(local));
        }
        String name = ALIASES.getOrDefault(s, s);
        Matcher m = REPO.matcher(name);
        if (!m.matches()) {
            throw new PlateauException("The model " + spec + " is neither a folder nor a hub id such as gpt2 or"
                    + " openai-community/gpt2.");
        }
        return fromHub(hub, m.group(1), m.group(2), "", MODEL_FILES, listener);
    }

    public static Resolved sae(String spec, HubClient hub, DownloadListener listener) {
        String s = spec.strip();
        if (s.equals(DEMO)) {
            return new Resolved(DemoModel.ensure().sae(), "the demo SAE (random weights)", true, null);
        }
        Path local = Path.of(s);
        if (Files.isDirectory(local) || looksLikePath(s)) {
            String repo = repoOfCacheFolder(local);
            String folder = folderInCache(local);
            return new Resolved(local, local.toAbsolutePath().normalize().toString(), false, repo,
                    repo == null || folder == null ? null : SaeReleases.inRepo(repo, folder));
        }
        Matcher named = RELEASE_SAE.matcher(s);
        SaeReleases.Release release = named.matches() ? SaeReleases.find(named.group(1)) : null;
        if (release != null) {
            release.requireSaelensFormat();
            SaeReleases.Entry e = release.byId(named.group(2));
            return fromHub(hub, release.repo(), named.group(3), e.path(), listener, e);
        }
        Matcher inRepo = SAE_IN_REPO.matcher(s);
        if (inRepo.matches()) {
            return fromHub(hub, inRepo.group(1), inRepo.group(3), inRepo.group(2), listener,
                    SaeReleases.inRepo(inRepo.group(1), inRepo.group(2)));
        }
        Matcher root = REPO.matcher(s);
        if (root.matches()) {
            return fromHub(hub, root.group(1), root.group(2), "", listener, null);
        }
        throw new PlateauException("The SAE " + spec + " is neither a folder nor a hub id such as"
                + " gpt2-small-res-jb/blocks.1.hook_resid_pre.");
    }

    private static Resolved fromHub(HubClient hub, String repo, String revision, String folder, List<String> files,
            DownloadListener listener) {
        String rev = revision == null ? "main" : revision;
        List<Path> got = hub.files(repo, "model", rev, inFolder(folder, files), listener);
        return new Resolved(got.get(0).getParent(), describe(hub, repo, folder, rev), false, repo);
    }

    /** An SAE folder: its required files, and its sparsity when the repository has one. */
    private static Resolved fromHub(HubClient hub, String repo, String revision, String folder, DownloadListener listener,
            SaeReleases.Entry release) {
        String rev = revision == null ? "main" : revision;
        List<Path> got = hub.files(repo, "model", rev, inFolder(folder, SAE_FILES), inFolder(folder, SAE_OPTIONAL_FILES),
                listener);
        return new Resolved(got.get(0).getParent(), describe(hub, repo, folder, rev), false, repo, release);
    }

    private static List<String> inFolder(String folder, List<String> files) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        return files.stream().map(f -> prefix + f).toList();
    }

    private static String describe(HubClient hub, String repo, String folder, String rev) {
        return repo + (folder.isEmpty() ? "" : "/" + folder) + " at " + describeCommit(hub, repo, rev);
    }

    /** The folder of a path inside a hub cache snapshot ({@code …/snapshots/<commit>/a/b} → {@code a/b}), or null. */
    static String folderInCache(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        for (int i = abs.getNameCount() - 2; i >= 1; i--) {
            if (abs.getName(i).toString().equals("snapshots") && abs.getName(i - 1).toString().startsWith("models--")) {
                return i + 2 < abs.getNameCount() ? abs.subpath(i + 2, abs.getNameCount()).toString().replace('\\', '/')
                        : "";
            }
        }
        return null;
    }

    private static String describeCommit(HubClient hub, String repo, String rev) {
        String c = hub.cache().commitOf(repo, "model", rev);
        return c == null ? rev : rev + " (" + c.substring(0, Math.min(12, c.length())) + ")";
    }

    /**
     * The repository of a folder inside a hub cache ({@code …/models--org--name/snapshots/<commit>[/…]}),
     * or null: a model found in the cache by its path is still known for what it is.
     */
    static String repoOfCacheFolder(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        for (int i = abs.getNameCount() - 2; i >= 0; i--) {
            String name = abs.getName(i).toString();
            if (abs.getName(i + 1).toString().equals("snapshots") && name.startsWith("models--")) {
                String[] parts = name.substring("models--".length()).split("--", 2);
                return parts.length == 2 ? parts[0] + "/" + parts[1] : parts[0];
            }
        }
        return null;
    }

    /** Strings that can only be meant as a path on this machine. */
    private static boolean looksLikePath(String s) {
        return s.startsWith("/") || s.startsWith(".") || s.startsWith("~") || s.contains("\\") || s.matches("^[A-Za-z]:.*");
    }
}
