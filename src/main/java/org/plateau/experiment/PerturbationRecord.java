package org.plateau.experiment;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.MetricValues;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * One perturbation of a study, as results.json lists it: what it was, its curves, and one field
 * per {@link Metric} (ms_l2, ms_kl, …), written in the order of {@link Metric#values()}.
 *
 * @param experiment sensitivity, relative or plateau
 * @param mode absolute or relative
 * @param index the base's number, 0..n−1 (everything of one index shares its base prompt)
 * @param baseType what the base activation is (model-generated, or a plateau base type)
 * @param targetType what the target is
 * @param baseTokens the prompt whose last position is perturbed
 * @param targetTokens the prompt the target came from (model-generated, sae-reconstruction), else null
 * @param targetStream the random stream the target was drawn from, reproducible from the seed
 * @param chosenLatents the latents a synthetic target was composed of, else null
 * @param distance ‖T − A‖
 * @param l2 L2 at the read hook per step
 * @param kl KL of the next-token distribution per step
 * @param metrics every metric of the curves
 */
@JsonSerialize(using = PerturbationRecord.Writer.class)
@JsonDeserialize(using = PerturbationRecord.Reader.class)
public record PerturbationRecord(String experiment, String mode, int index, String baseType, String targetType,
        int[] baseTokens, int[] targetTokens, String targetStream, List<Integer> chosenLatents, double distance,
        float[] l2, float[] kl, MetricValues metrics) {

    /** Whether this record is of an experiment and step mode, with the given base or target type. */
    public boolean of(String experiment, StepMode mode, boolean byBase, TargetType type) {
        return this.experiment.equals(experiment) && this.mode.equals(mode.id())
                && (byBase ? baseType : targetType).equals(type.id());
    }

    public int metric(Metric m) {
        return metrics.get(m);
    }

    /** Writes the fields in a fixed order, the metrics flat after the curves. */
    static final class Writer extends JsonSerializer<PerturbationRecord> {
        @Override
        public void serialize(PerturbationRecord r, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartObject();
            g.writeStringField("experiment", r.experiment());
            g.writeStringField("mode", r.mode());
            g.writeNumberField("index", r.index());
            g.writeStringField("base_type", r.baseType());
            g.writeStringField("target_type", r.targetType());
            g.writeFieldName("base_tokens");
            g.writeArray(r.baseTokens(), 0, r.baseTokens().length);
            if (r.targetTokens() == null) {
                g.writeNullField("target_tokens");
            } else {
                g.writeFieldName("target_tokens");
                g.writeArray(r.targetTokens(), 0, r.targetTokens().length);
            }
            g.writeStringField("target_stream", r.targetStream());
            g.writeObjectField("chosen_latents", r.chosenLatents());
            g.writeNumberField("distance", r.distance());
            g.writeObjectField("l2", r.l2());
            g.writeObjectField("kl", r.kl());
            for (Metric m : Metric.values()) {
                g.writeNumberField(m.id(), r.metric(m));
            }
            g.writeEndObject();
        }
    }

    static final class Reader extends JsonDeserializer<PerturbationRecord> {
        @Override
        public PerturbationRecord deserialize(JsonParser parser, DeserializationContext c) throws IOException {
            JsonNode o = parser.readValueAsTree();
            int[] metrics = new int[Metric.values().length];
            for (Metric m : Metric.values()) {
                metrics[m.ordinal()] = o.path(m.id()).asInt();
            }
            List<Integer> chosen = null;
            if (o.path("chosen_latents").isArray()) {
                chosen = new ArrayList<>();
                for (JsonNode v : o.get("chosen_latents")) {
                    chosen.add(v.asInt());
                }
            }
            return new PerturbationRecord(o.path("experiment").asText(), o.path("mode").asText(), o.path("index").asInt(),
                    o.path("base_type").asText(), o.path("target_type").asText(), ints(o.path("base_tokens")),
                    o.path("target_tokens").isArray() ? ints(o.path("target_tokens")) : null,
                    o.path("target_stream").isNull() ? null : o.path("target_stream").asText(null), chosen,
                    o.path("distance").asDouble(), floats(o.path("l2")), floats(o.path("kl")), new MetricValues(metrics));
        }

        private static int[] ints(JsonNode a) {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).asInt();
            }
            return out;
        }

        private static float[] floats(JsonNode a) {
            float[] out = new float[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) a.get(i).asDouble();
            }
            return out;
        }
    }
}
