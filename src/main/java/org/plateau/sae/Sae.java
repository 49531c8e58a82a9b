package org.plateau.sae;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.plateau.PlateauException;
import org.plateau.io.Safetensors;

/**
 * A sparse autoencoder in SAELens format (METHOD §3):
 * encode(x) = ReLU((x − b_dec)·W_enc + b_enc), decode(z) = z·W_dec + b_dec.
 *
 * <p>The SAE works on one activation at a time, in Java with float64 accumulation over the
 * float32 weights, which stay memory-mapped from the file. Latent choices ("the latent whose
 * cosine is nearest to c") compare values that differ in the sixth digit among tens of
 * thousands of latents; float32 rounding would change those choices from one device to another.
 */
public final class Sae {

    private final SaeConfig cfg;
    private final FloatBuffer wEnc; // [dIn, dSae]
    private final float[] bEnc;
    private final FloatBuffer wDec; // [dSae, dIn]
    private final float[] bDec;
    /** log10 firing frequency per latent; null when the folder has no sparsity.safetensors. */
    private final float[] logSparsity;
    private final double[] decoderNorms;
    private final boolean[] dead;
    private final int[] alive;
    private final Path dir;

    private Sae(Path dir, SaeConfig cfg, FloatBuffer wEnc, float[] bEnc, FloatBuffer wDec, float[] bDec,
            float[] logSparsity) {
        this.dir = dir;
        this.cfg = cfg;
        this.wEnc = wEnc;
        this.bEnc = bEnc;
        this.wDec = wDec;
        this.bDec = bDec;
        this.logSparsity = logSparsity;
        int n = cfg.dSae();
        int d = cfg.dIn();
        decoderNorms = new double[n];
        for (int l = 0; l < n; l++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                double v = wDec.get(l * d + i);
                s += v * v;
            }
            decoderNorms[l] = Math.sqrt(s);
        }
        if (logSparsity == null) {
            dead = null;
            alive = null;
            return;
        }
        float min = Float.POSITIVE_INFINITY;
        for (float v : logSparsity) {
            min = Math.min(min, v);
        }
        dead = new boolean[n];
        for (int l = 0; l < n; l++) {
            dead[l] = logSparsity[l] == min;
        }
        alive = IntStream.range(0, n).filter(l -> !dead[l]).toArray();
    }

    /**
     * Loads a folder with cfg.json, sae_weights.safetensors and, when present, sparsity.safetensors
     * (only what chooses latents by firing frequency needs it: synthetic activations, dead latents).
     */
    public static Sae load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PlateauException(Files.exists(dir) ? "The SAE path " + dir + " is a file, not a folder."
                    : "The SAE folder " + dir + " does not exist.");
        }
        SaeConfig cfg = SaeConfig.read(dir.resolve("cfg.json"));
        int d = cfg.dIn();
        int n = cfg.dSae();
        Path weights = dir.resolve("sae_weights.safetensors");
        Path sparsity = dir.resolve("sparsity.safetensors");
        float[] logSparsity = null;
        if (Files.exists(sparsity)) {
            try (Safetensors s = Safetensors.open(sparsity)) {
                check(s, "sparsity", n);
                logSparsity = s.loadFloats("sparsity");
                for (float v : logSparsity) {
                    // log10 of a frequency: −∞ for a latent that never fired is a value; NaN or +∞ is not
                    if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                        throw new PlateauException("The SAE file " + sparsity + " has a sparsity that is not a number"
                                + " (NaN or +infinity).");
                    }
                }
            }
        }
        try (Safetensors w = Safetensors.open(weights)) {
            check(w, "W_enc", d, n);
            check(w, "b_enc", n);
            check(w, "W_dec", n, d);
            check(w, "b_dec", d);
            FloatBuffer wEnc = finite(w, "W_enc", floats(w, "W_enc"));
            FloatBuffer wDec = finite(w, "W_dec", floats(w, "W_dec"));
            return new Sae(dir, cfg, wEnc, finite(w, "b_enc", w.loadFloats("b_enc")), wDec,
                    finite(w, "b_dec", w.loadFloats("b_dec")), logSparsity);
        }
    }

    private static FloatBuffer finite(Safetensors file, String name, FloatBuffer values) {
        for (int i = 0; i < values.limit(); i++) {
            if (!Float.isFinite(values.get(i))) {
                throw notFinite(file, name);
            }
        }
        return values;
    }

    private static float[] finite(Safetensors file, String name, float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw notFinite(file, name);
            }
        }
        return values;
    }

    private static PlateauException notFinite(Safetensors file, String name) {
        return new PlateauException("The SAE file " + file.path() + " has a value that is not a finite number (NaN or"
                + " infinity) in " + name + ".");
    }

    /** Whether the folder had sparsity.safetensors (firing frequencies). */
    public boolean hasSparsity() {
        return logSparsity != null;
    }

    private float[] requireSparsity() {
        if (logSparsity == null) {
            throw new PlateauException("The SAE folder " + dir + " has no sparsity.safetensors, which synthetic"
                    + " activations and dead latents need (log10 firing frequency per latent).");
        }
        return logSparsity;
    }

    private static FloatBuffer floats(Safetensors file, String name) {
        ByteBuffer bytes = file.floatBytes(name);
        return bytes.asFloatBuffer();
    }

    private static void check(Safetensors file, String name, long... shape) {
        if (!file.contains(name)) {
            throw new PlateauException("The SAE file " + file.path() + " has no tensor '" + name + "'.");
        }
        long[] actual = file.entry(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new PlateauException("The SAE file " + file.path() + " has " + name + " of shape "
                    + Arrays.toString(actual) + " where cfg.json implies " + Arrays.toString(shape) + ".");
        }
    }

    public SaeConfig config() {
        return cfg;
    }

    public int width() {
        return cfg.dSae();
    }

    /** Refuses an activation of the wrong width. */
    public void checkWidth(int dModel) {
        if (dModel != cfg.dIn()) {
            throw new PlateauException("The SAE reads activations of width " + cfg.dIn()
                    + " but the model's residual stream has width " + dModel + ".");
        }
    }

    // ------------------------------------------------------------------ encode / decode

    /** The last few codes computed: a base's activation is encoded by each synthesis made from it. */
    private final java.util.LinkedHashMap<FloatKey, double[]> recent = new java.util.LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<FloatKey, double[]> eldest) {
            return size() > 4;
        }
    };

    private record FloatKey(float[] x) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FloatKey k && Arrays.equals(x, k.x);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(x);
        }
    }

    public double[] encode(float[] x) {
        int d = cfg.dIn();
        if (x.length != d) {
            throw new PlateauException("The SAE reads activations of width " + d + ", not " + x.length + ".");
        }
        FloatKey key = new FloatKey(x.clone());
        synchronized (recent) {
            double[] known = recent.get(key);
            if (known != null) {
                return known.clone();
            }
        }
        double[] z = encodeNow(key.x());
        synchronized (recent) {
            recent.put(key, z.clone());
        }
        return z;
    }

    private double[] encodeNow(float[] x) {
        int d = cfg.dIn();
        int n = cfg.dSae();
        double[] centred = new double[d];
        for (int i = 0; i < d; i++) {
            centred[i] = cfg.applyBDecToInput() ? (double) x[i] - bDec[i] : x[i];
        }
        double[] z = new double[n];
        // blocks of latents in parallel; within a block W_enc is read row by row, in memory order
        int block = 512;
        IntStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
            int from = b * block;
            int to = Math.min(n, from + block);
            for (int j = from; j < to; j++) {
                z[j] = bEnc[j];
            }
            for (int i = 0; i < d; i++) {
                double xi = centred[i];
                int row = i * n;
                for (int j = from; j < to; j++) {
                    z[j] += xi * wEnc.get(row + j);
                }
            }
            for (int j = from; j < to; j++) {
                z[j] = Math.max(z[j], 0.0);
            }
        });
        return z;
    }

    public float[] decode(double[] z) {
        int d = cfg.dIn();
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = bDec[i];
        }
        for (int l = 0; l < z.length; l++) {
            if (z[l] != 0) {
                addRow(x, l, z[l]);
            }
        }
        return toFloat(x);
    }

    /** decode of a sparse code: the given latents with the given values, all others zero. */
    public float[] decode(List<Latent> latents) {
        double[] x = new double[cfg.dIn()];
        for (int i = 0; i < x.length; i++) {
            x[i] = bDec[i];
        }
        for (Latent l : latents) {
            addRow(x, l.index(), l.value());
        }
        return toFloat(x);
    }

    private void addRow(double[] x, int latent, double value) {
        int d = cfg.dIn();
        int row = latent * d;
        for (int i = 0; i < d; i++) {
            x[i] += value * wDec.get(row + i);
        }
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    /** The latents with z > 0, strongest first (ties: lower index). */
    public static List<Latent> active(double[] z) {
        List<Latent> out = new ArrayList<>();
        for (int l = 0; l < z.length; l++) {
            if (z[l] > 0) {
                out.add(new Latent(l, z[l]));
            }
        }
        out.sort(Comparator.comparingDouble((Latent l) -> -l.value()).thenComparingInt(Latent::index));
        return out;
    }

    public List<Latent> activeLatents(float[] x) {
        return active(encode(x));
    }

    // ------------------------------------------------------------------ latent properties

    /** log10 of each latent's firing frequency, as stored. */
    /** log10 of a latent's firing frequency; NaN when the SAE came without sparsity.safetensors (display only). */
    public float logSparsity(int latent) {
        return logSparsity == null ? Float.NaN : logSparsity[latent];
    }

    public float[] logSparsity() {
        return requireSparsity().clone();
    }

    /** Dead latents: those whose log-sparsity equals the minimum of the tensor. */
    public boolean isDead(int latent) {
        requireSparsity();
        return dead[latent];
    }

    public int[] deadLatents() {
        requireSparsity();
        return IntStream.range(0, dead.length).filter(l -> dead[l]).toArray();
    }

    /** Latents that are not dead, ascending. */
    public int[] aliveLatents() {
        requireSparsity();
        return alive.clone();
    }

    /** Adds latent l's decoder row, scaled to unit length, to {@code acc}. */
    public void addUnitDecoderRow(double[] acc, int latent) {
        int d = cfg.dIn();
        double inv = 1 / decoderNorms[latent];
        for (int i = 0; i < d; i++) {
            acc[i] += wDec.get(latent * d + i) * inv;
        }
    }

    /** Cosine of two latents' decoder rows. */
    public double cosine(int a, int b) {
        int d = cfg.dIn();
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += (double) wDec.get(a * d + i) * wDec.get(b * d + i);
        }
        return s / (decoderNorms[a] * decoderNorms[b]);
    }

    /** Cosine of every latent's decoder row with that of {@code latent}. */
    public double[] cosinesTo(int latent) {
        int d = cfg.dIn();
        double[] ref = new double[d];
        for (int i = 0; i < d; i++) {
            ref[i] = wDec.get(latent * d + i) / decoderNorms[latent];
        }
        double[] out = new double[cfg.dSae()];
        IntStream.range(0, cfg.dSae()).parallel().forEach(l -> {
            double s = 0;
            int row = l * d;
            for (int i = 0; i < d; i++) {
                s += ref[i] * wDec.get(row + i);
            }
            out[l] = s / decoderNorms[l];
        });
        return out;
    }

    /**
     * The k non-dead latents nearest to {@code latent} in log-sparsity, itself and {@code exclude}
     * left out; ties go to the lower index.
     */
    public List<Integer> sparsityNeighbours(int latent, int k, java.util.Set<Integer> exclude) {
        float[] logSparsity = requireSparsity();
        double target = logSparsity[latent];
        Comparator<Integer> nearer = Comparator.comparingDouble((Integer l) -> Math.abs((double) logSparsity[l] - target))
                .thenComparingInt(l -> l);
        // the k best seen so far, worst on top: one pass instead of sorting every latent
        java.util.PriorityQueue<Integer> best = new java.util.PriorityQueue<>(k + 1, nearer.reversed());
        for (int l : alive) {
            if (l == latent || exclude.contains(l)) {
                continue;
            }
            if (best.size() < k) {
                best.add(l);
            } else if (nearer.compare(l, best.peek()) < 0) {
                best.poll();
                best.add(l);
            }
        }
        List<Integer> out = new ArrayList<>(best);
        out.sort(nearer);
        return out;
    }
}
