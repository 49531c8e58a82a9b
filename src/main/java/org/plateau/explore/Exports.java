package org.plateau.explore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.plateau.io.Json;
import org.plateau.perturbation.Metric;

/** The data behind the app's charts, as CSV or JSON text. */
public final class Exports {

    private Exports() {}

    /** step, then L2 and KL of each perturbation. */
    public static String curvesCsv(List<Perturbation> ps) {
        StringBuilder b = new StringBuilder("step");
        for (int k = 0; k < ps.size(); k++) {
            String name = ps.get(k).targetType().id() + "_" + (k + 1);
            b.append(',').append(name).append("_l2,").append(name).append("_kl");
        }
        b.append('\n');
        int steps = ps.isEmpty() ? 0 : ps.get(0).curve().l2().length;
        for (int n = 0; n < steps; n++) {
            b.append(n);
            for (Perturbation p : ps) {
                b.append(',').append(num(p.curve().l2()[n])).append(',').append(num(p.curve().kl()[n]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    public static String curvesJson(List<Perturbation> ps) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (Perturbation p : ps) {
            ObjectNode o = all.addObject();
            o.putPOJO("base_tokens", p.baseTokens());
            o.put("base_type", p.baseType().id());
            o.put("target", p.targetType().id());
            if (p.target() != null && p.target().tokens() != null) {
                o.putPOJO("target_tokens", p.target().tokens());
            }
            if (p.target() != null && p.target().synthesis() != null) {
                o.putPOJO("chosen", p.target().synthesis().chosen());
            }
            o.put("mode", p.settings().mode().id());
            o.put("step_size", p.settings().stepSize());
            o.put("hook", p.settings().hook().name());
            o.put("read", p.settings().read().name());
            o.put("seed", p.seed());
            o.put("source", p.source());
            o.put("distance", p.distance());
            o.putPOJO("l2", p.curve().l2());
            o.putPOJO("kl", p.curve().kl());
            o.put("ap_threshold", p.apThreshold());
            for (Metric m : Metric.values()) {
                o.put(m.id(), p.metric(m));
            }
        }
        return all.toPrettyString();
    }

    /** type, value: one row per perturbation of a distribution view. */
    public static String distributionCsv(Distributions.View v) {
        StringBuilder b = new StringBuilder("type," + v.metric().id() + "\n");
        for (Distributions.TypeDistribution t : v.types()) {
            for (double x : t.values()) {
                b.append(t.type().id()).append(',').append((long) x).append('\n');
            }
        }
        return b.toString();
    }

    /** A distribution view: per type its values, histogram counts, statistics and the paper's numbers. */
    public static String distributionJson(Distributions.View v) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("slice", v.slice().toString());
        root.put("metric", v.metric().id());
        root.put("bin_width", Distributions.BIN);
        ArrayNode types = root.putArray("types");
        for (Distributions.TypeDistribution t : v.types()) {
            ObjectNode o = types.addObject();
            o.put("type", t.type().id());
            o.putPOJO("values", t.values());
            o.putPOJO("histogram", t.histogram().counts());
            o.put("n", t.stats().n());
            o.put("mean", t.stats().mean());
            o.put("std", t.stats().std());
            if (Double.isFinite(t.stats().ks())) {
                o.put("ks", t.stats().ks());
            }
            if (t.paper() != null) {
                o.putPOJO("paper", t.paper());
            }
        }
        return root.toPrettyString();
    }

    /** The table beside the histograms: ours and the paper's. */
    public static String statisticsCsv(Distributions.View v) {
        StringBuilder b = new StringBuilder("type,n,mean,std,ks,paper_mean,paper_std,paper_ks\n");
        for (Distributions.TypeDistribution t : v.types()) {
            b.append(t.type().id()).append(',').append(t.stats().n()).append(',').append(num(t.stats().mean()))
                    .append(',').append(num(t.stats().std())).append(',').append(num(t.stats().ks())).append(',')
                    .append(t.paper() == null ? "" : num(t.paper().mean())).append(',')
                    .append(t.paper() == null ? "" : num(t.paper().std())).append(',')
                    .append(t.paper() == null || t.paper().ks() == null ? "" : num(t.paper().ks())).append('\n');
        }
        return b.toString();
    }

    /** The read layer's codes at step 0 and the chosen step, the changes around MS, and the strip. */
    public static String readLayerCsv(ReadLayerView v) {
        StringBuilder b = new StringBuilder("part,latent,step,value,before,after\n");
        for (LatentView.Bar bar : v.unperturbed()) {
            b.append("unperturbed,").append(bar.latent()).append(",0,").append(num(bar.value())).append(",,\n");
        }
        for (LatentView.Bar bar : v.atStep()) {
            b.append("at_step,").append(bar.latent()).append(',').append(v.step()).append(',').append(num(bar.value()))
                    .append(",,\n");
        }
        for (ReadLayerView.Change c : v.aroundMs()) {
            b.append("around_ms_").append(c.kind().name().toLowerCase(Locale.ROOT)).append(',').append(c.latent())
                    .append(',').append(v.ms()).append(",,").append(num(c.before())).append(',').append(num(c.after()))
                    .append('\n');
        }
        ReadLayerView.Strip s = v.strip();
        for (int r = 0; r < s.latents().length; r++) {
            for (int n = 0; n < s.values()[r].length; n++) {
                b.append("strip,").append(s.latents()[r]).append(',').append(n).append(',').append(num(s.values()[r][n]))
                        .append(",,\n");
            }
        }
        return b.toString();
    }

    public static String readLayerJson(ReadLayerView v) {
        return json(v);
    }

    /** A base's ablations: latent, its value in the base, L2 at the read hook and KL. */
    public static String ablationsCsv(List<Ablation> as) {
        StringBuilder b = new StringBuilder("latent,value,l2,kl\n");
        for (Ablation a : as) {
            b.append(a.latent()).append(',').append(num(a.value())).append(',').append(num(a.l2())).append(',')
                    .append(num(a.kl())).append('\n');
        }
        return b.toString();
    }

    public static String ablationsJson(List<Ablation> as) {
        return json(as);
    }

    private static String json(Object o) {
        try {
            return org.plateau.io.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                    org.plateau.io.Json.RECORDS.valueToTree(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String latentsCsv(LatentView v) {
        StringBuilder b = new StringBuilder("activation,latent,value,log_sparsity,cos_to_top\n");
        rows(b, "base", v.base());
        rows(b, "target", v.target());
        rows(b, "step_" + v.step(), v.perturbed());
        rows(b, "switched_on", v.switchedOn());
        rows(b, "switched_off", v.switchedOff());
        return b.toString();
    }

    private static void rows(StringBuilder b, String name, List<LatentView.Bar> bars) {
        for (LatentView.Bar bar : bars) {
            b.append(name).append(',').append(bar.latent()).append(',').append(num(bar.value())).append(',')
                    .append(num(bar.logSparsity())).append(',').append(num(bar.cosToTop())).append('\n');
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.7g", v) : "";
    }
}
