package org.plateau.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.plateau.PlateauException;
import org.plateau.io.Json;

/**
 * GPT-2 small's SAE releases as SAELens' {@code pretrained_saes.yaml} lists them (bundled as
 * {@code sae-releases.json}: names, repositories, folders, Neuronpedia ids and norm scaling factors,
 * no weights). {@code gpt2-small-res-jb/blocks.1.hook_resid_pre} names release and SAE id, as
 * {@code SAE.from_pretrained(release, sae_id)} does; the id leads to the folder in the release's
 * repository.
 */
public final class SaeReleases {

    /**
     * One SAE of a release.
     *
     * @param id SAELens' id, usually its hook name
     * @param path its folder in the repository
     * @param neuronpediaId e.g. {@code gpt2-small/1-res-jb}, or null
     * @param normScalingFactor what SAELens folds into an expected_average_only_in SAE, or null
     */
    public record Entry(String id, String path, String neuronpediaId, Double normScalingFactor) {

        private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(hook_[a-z_]+)");

        /** The block in its id ({@code blocks.4.…}), or −1. */
        public int layer() {
            Matcher m = BLOCK.matcher(id);
            return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
        }

        /** The hook after the block ({@code hook_resid_pre}), or "". */
        public String hook() {
            Matcher m = BLOCK.matcher(id);
            return m.matches() ? m.group(2) : "";
        }
    }

    /**
     * A release.
     *
     * @param saelensFormat whether its folders hold cfg.json and safetensors (else SAELens converts
     *     them from another format with {@code conversion})
     */
    public record Release(String name, String repo, boolean saelensFormat, String conversion, List<Entry> saes) {

        /** The SAE with this id, or an error that lists the release's ids. */
        public Entry byId(String id) {
            for (Entry e : saes) {
                if (e.id().equals(id)) {
                    return e;
                }
            }
            throw new PlateauException("The release " + name + " has no SAE '" + id + "'; it has " + ids() + ".");
        }

        /**
         * The SAE a layer study perturbs with at block {@code layer}: the residual-stream SAE at the
         * block's input ({@code hook_resid_pre}), else at its output; null when the release has none there.
         */
        public Entry atLayer(int layer) {
            for (String hook : List.of("hook_resid_pre", "hook_resid_post")) {
                for (Entry e : saes) {
                    if (e.layer() == layer && e.hook().equals(hook)) {
                        return e;
                    }
                }
            }
            return null;
        }

        /** The spec that loads one of its SAEs: {@code release/id}. */
        public String spec(Entry e) {
            return name + "/" + e.id();
        }

        String ids() {
            List<String> ids = saes.stream().map(Entry::id).toList();
            return ids.size() <= 6 ? String.join(", ", ids)
                    : String.join(", ", ids.subList(0, 3)) + " … " + ids.get(ids.size() - 1) + " (" + ids.size() + ")";
        }

        /** Refuses a release SAELens converts from another format. */
        void requireSaelensFormat() {
            if (!saelensFormat) {
                throw new PlateauException("The release " + name + " is stored in " + repo + " in another format than"
                        + " SAELens' (SAELens converts it with '" + conversion + "'); Plateau loads SAELens-format"
                        + " folders (cfg.json and safetensors) only.");
            }
        }
    }

    private static final List<Release> RELEASES = read();

    private SaeReleases() {}

    public static List<Release> all() {
        return RELEASES;
    }

    /** The release of that name, or null. */
    public static Release find(String name) {
        return RELEASES.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** The release of that name, or an error listing the names. */
    public static Release require(String name) {
        Release r = find(name);
        if (r == null) {
            throw new PlateauException("Unknown SAE release '" + name + "'; GPT-2 small's are "
                    + String.join(", ", RELEASES.stream().map(Release::name).toList()) + ".");
        }
        return r;
    }

    /** The release an SAE is listed in, or null. */
    public static Release releaseOf(Entry e) {
        return e == null ? null : RELEASES.stream().filter(r -> r.saes().contains(e)).findFirst().orElse(null);
    }

    /** The listed SAE in {@code folder} of {@code repo}, or null (what a folder found in the hub cache is). */
    public static Entry inRepo(String repo, String folder) {
        for (Release r : RELEASES) {
            if (r.repo().equalsIgnoreCase(repo)) {
                for (Entry e : r.saes()) {
                    if (e.path().equals(folder)) {
                        return e;
                    }
                }
            }
        }
        return null;
    }

    private static List<Release> read() {
        try (InputStream in = SaeReleases.class.getResourceAsStream("/org/plateau/sae-releases.json")) {
            JsonNode root = Json.MAPPER.readTree(in);
            List<Release> out = new ArrayList<>();
            for (JsonNode r : root.path("releases")) {
                List<Entry> saes = new ArrayList<>();
                for (JsonNode s : r.path("saes")) {
                    saes.add(new Entry(s.path("id").asText(), s.path("path").asText(),
                            s.hasNonNull("neuronpedia") ? s.get("neuronpedia").asText() : null,
                            s.hasNonNull("norm_scaling_factor") ? s.get("norm_scaling_factor").asDouble() : null));
                }
                out.add(new Release(r.path("release").asText(), r.path("repo").asText(),
                        r.path("saelens_format").asBoolean(), r.path("conversion").asText(null), List.copyOf(saes)));
            }
            return List.copyOf(out);
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("the bundled sae-releases.json cannot be read", e));
        }
    }
}
