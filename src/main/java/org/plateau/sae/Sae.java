package org.plateau.sae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.plateau.PlateauException;
import org.plateau.io.Safetensors;

/**
 * A sparse autoencoder in SAELens format (METHOD §3), of any kind SAELens writes ({@link Architecture},
 * {@link Normalization}). With x' = in(x) − b_dec (b_dec only when {@code apply_b_dec_to_input}) and
 * s = x'·W_enc, encode gives z = act(s); decode gives out(z·W_dec + b_dec).
 *
 * <p>The SAE works on one activation, or a few in one pass over the weights, in Java with float64
 * accumulation over the float32 weights, which stay memory-mapped from the file. Latent choices
 * ("the latent whose cosine is nearest to c") compare values that differ in the sixth digit among
 * tens of thousands of latents; float32 rounding would change those choices from one device to
 * another.
 */
public final class Sae {

    private final SaeConfig cfg;
    private final FloatBuffer wEnc; // [dIn, dSae]
    /** W_enc's little-endian bytes (the file's mapped pages): what the batch encoder hands the engine without a copy. */
    private final ByteBuffer wEncBytes;
    /** The encoder bias: b_enc, or b_gate for a gated SAE. */
    private final float[] bEnc;
    private final float[] threshold; // jumprelu
    private final double[] magnitudeScale; // gated: exp(r_mag)
    private final float[] bMag; // gated
    private final FloatBuffer wDec; // [dSae, dIn]
    private final double[] bDec;
    /**
     * expected_average_only_in with a known factor f: SAELens folds f into the weights (W_enc·f,
     * W_dec/f, b_dec/f); these apply the fold where the weights are read.
     */
    private final double encScale;
    private final double decScale;
    /** log10 firing frequency per latent; null when the folder has no sparsity.safetensors. */
    private final float[] logSparsity;
    private final double[] decoderNorms; // of the stored W_dec rows, before any fold
    private final boolean[] dead;
    private final int[] alive;
    /** The live latents by log-sparsity, rising (ties: lower index first), and falling (ties: lower index first). */
    private final int[] aliveRising;
    private final int[] aliveFalling;
    private final Path dir;

    private Sae(Path dir, SaeConfig cfg, ByteBuffer wEncBytes, Map<String, float[]> encoder, FloatBuffer wDec, float[] bDec,
            float[] logSparsity, double fold) {
        this.dir = dir;
        this.cfg = cfg;
        this.wEncBytes = wEncBytes;
        this.wEnc = wEncBytes.asFloatBuffer();
        this.bEnc = cfg.architecture() == Architecture.GATED ? encoder.get("b_gate") : encoder.get("b_enc");
        this.threshold = encoder.get("threshold");
        float[] rMag = encoder.get("r_mag");
        this.magnitudeScale = rMag == null ? null : IntStream.range(0, rMag.length).mapToDouble(l -> Math.exp(rMag[l])).toArray();
        this.bMag = encoder.get("b_mag");
        this.wDec = wDec;
        this.encScale = fold;
        this.decScale = 1 / fold;
        this.bDec = IntStream.range(0, bDec.length).mapToDouble(i -> bDec[i] * decScale).toArray();
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
            aliveRising = null;
            aliveFalling = null;
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
        Comparator<Integer> rising = Comparator.comparingDouble((Integer l) -> logSparsity[l]).thenComparingInt(l -> l);
        Comparator<Integer> falling = Comparator.comparingDouble((Integer l) -> -logSparsity[l]).thenComparingInt(l -> l);
        aliveRising = Arrays.stream(alive).boxed().sorted(rising).mapToInt(Integer::intValue).toArray();
        aliveFalling = Arrays.stream(alive).boxed().sorted(falling).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Loads a folder with cfg.json, sae_weights.safetensors and, when present, sparsity.safetensors
     * (only what chooses latents by firing frequency needs it: synthetic activations, dead latents).
     */
    public static Sae load(Path dir) {
        return load(dir, null);
    }

    /**
     * As {@link #load(Path)}, with the norm scaling factor SAELens' release list gives an
     * expected_average_only_in SAE (null when none is known: activations are then read as they are,
     * as SAELens does).
     */
    public static Sae load(Path dir, Double normScalingFactor) {
        if (!Files.isDirectory(dir)) {
            throw new PlateauException(Files.exists(dir) ? "The SAE path " + dir + " is a file, not a folder."
                    : "The SAE folder " + dir + " does not exist.");
        }
        SaeConfig cfg = SaeConfig.read(dir.resolve("cfg.json"));
        int d = cfg.dIn();
        int n = cfg.dSae();
        double fold = 1;
        if (cfg.normalization() == Normalization.EXPECTED_AVERAGE_ONLY_IN && normScalingFactor != null) {
            if (!(normScalingFactor > 0) || !Double.isFinite(normScalingFactor)) {
                throw new PlateauException("The norm scaling factor of the SAE in " + dir + " is not a positive number.");
            }
            fold = normScalingFactor;
        }
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
            check(w, "W_dec", n, d);
            check(w, "b_dec", d);
            Map<String, float[]> encoder = new HashMap<>();
            for (String name : cfg.architecture().encoderTensors()) {
                if (name.equals("threshold") && !w.contains("threshold") && w.contains("log_threshold")) {
                    check(w, "log_threshold", n); // SAELens' training form: θ = exp(log θ)
                    float[] log = finite(w, "log_threshold", w.loadFloats("log_threshold"));
                    float[] theta = new float[n];
                    for (int l = 0; l < n; l++) {
                        theta[l] = (float) Math.exp(log[l]);
                    }
                    encoder.put(name, theta);
                    continue;
                }
                check(w, name, n);
                encoder.put(name, finite(w, name, w.loadFloats(name)));
            }
            if (w.contains("scaling_factor")) {
                float[] scaling = w.loadFloats("scaling_factor");
                for (float v : scaling) {
                    if (v != 1f) {
                        throw new PlateauException("The SAE file " + weights + " carries a fine-tuning scaling factor,"
                                + " which Plateau does not support.");
                    }
                }
            }
            ByteBuffer wEnc = w.floatBytes("W_enc");
            finite(w, "W_enc", wEnc.asFloatBuffer());
            FloatBuffer wDec = finite(w, "W_dec", floats(w, "W_dec"));
            return new Sae(dir, cfg, wEnc, encoder, wDec, finite(w, "b_dec", w.loadFloats("b_dec")), logSparsity, fold);
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

    /** The norm scaling factor folded into the weights; 1 when none. */
    public double foldedScale() {
        return encScale;
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
    private final Map<FloatKey, double[]> recent = lastUsed(4);

    /** A map that keeps only the {@code capacity} entries used last (guard it with its own lock). */
    private static <K, V> Map<K, V> lastUsed(int capacity) {
        return new java.util.LinkedHashMap<>(2 * capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

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

    /** The code z of an activation: non-zero entries are its active latents. */
    public double[] encode(float[] x) {
        return encode(List.of(x)).get(0);
    }

    /**
     * The codes of a few activations, each exactly as {@link #encode(float[])} gives it, in one
     * pass over W_enc: reading W_enc (75 MB for 24,576 latents) costs more than the arithmetic
     * of one activation, so k of them together take about a third of k passes' time.
     */
    public List<double[]> encode(List<float[]> xs) {
        double[][] out = new double[xs.size()][];
        List<FloatKey> missing = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int r = 0; r < xs.size(); r++) {
            checkInput(xs.get(r));
            FloatKey key = new FloatKey(xs.get(r).clone());
            synchronized (recent) {
                double[] known = recent.get(key);
                if (known != null) {
                    out[r] = known.clone();
                    continue;
                }
            }
            missing.add(key);
            where.add(r);
        }
        if (!missing.isEmpty()) {
            double[][] z = encodeNow(missing.stream().map(FloatKey::x).toList());
            for (int m = 0; m < z.length; m++) {
                out[where.get(m)] = z[m];
                synchronized (recent) {
                    recent.put(missing.get(m), z[m].clone());
                }
            }
        }
        return Arrays.asList(out);
    }

    private void checkInput(float[] x) {
        if (x.length != cfg.dIn()) {
            throw new PlateauException("The SAE reads activations of width " + cfg.dIn() + ", not " + x.length + ".");
        }
    }

    /**
     * x' = in(x) − b_dec: the activation as the encoder reads it (b_dec subtracted even when the
     * SAE's encoder does not, since that is the space in which the paper measures c*).
     */
    public double[] centred(float[] x) {
        checkInput(x);
        Normalization.Scaling scaling = cfg.normalization().scalingOf(x);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = scaling.in(x[i]) - bDec[i];
        }
        return out;
    }

    private double[][] encodeNow(List<float[]> xs) {
        int d = cfg.dIn();
        int n = cfg.dSae();
        int k = xs.size();
        double[][] inputs = xs.stream().map(this::encoderInput).toArray(double[][]::new);
        double[][] s = new double[k][n];
        // blocks of latents in parallel; within a block W_enc is read row by row, in memory order,
        // each row's piece widened to float64 once for all k activations (a loop the JIT vectorizes);
        // every s[j] sums over i in ascending order, whatever k is
        int block = 512;
        IntStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
            int from = b * block;
            int len = Math.min(n, from + block) - from;
            float[] row = new float[len];
            double[] wide = new double[len];
            double[][] acc = new double[k][len];
            for (int i = 0; i < d; i++) {
                wEnc.get(i * n + from, row, 0, len);
                for (int j = 0; j < len; j++) {
                    wide[j] = row[j];
                }
                for (int r = 0; r < k; r++) {
                    double xi = inputs[r][i];
                    double[] a = acc[r];
                    for (int j = 0; j < len; j++) {
                        a[j] += xi * wide[j];
                    }
                }
            }
            for (int r = 0; r < k; r++) {
                System.arraycopy(acc[r], 0, s[r], from, len);
            }
        });
        for (int r = 0; r < k; r++) {
            s[r] = activateAll(s[r]);
        }
        return s;
    }

    /** x' = (in(x) − b_dec)·f: what meets W_enc (f the folded norm factor, 1 if none). */
    private double[] encoderInput(float[] x) {
        Normalization.Scaling scaling = cfg.normalization().scalingOf(x);
        double[] input = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            input[i] = (scaling.in(x[i]) - (cfg.applyBDecToInput() ? bDec[i] : 0)) * encScale;
        }
        return input;
    }

    /** z from s = x'·W_enc, in place. */
    private double[] activateAll(double[] s) {
        for (int j = 0; j < s.length; j++) {
            s[j] = activate(j, s[j]);
        }
        return cfg.architecture() == Architecture.TOPK ? topK(s) : s;
    }

    /** The codes of many activations (as {@link #encode}, batched: see {@link BatchEncoder}). */
    public List<double[]> encodeAll(List<float[]> xs) {
        try (BatchEncoder encoder = batchEncoder()) {
            return encoder.codes(xs);
        }
    }

    /** A batch encoder of this SAE; close it when done. */
    public BatchEncoder batchEncoder() {
        return new BatchEncoder(1024, 2048);
    }

    /** A batch encoder that multiplies {@code rows} activations by {@code latents} columns of W_enc at a time. */
    BatchEncoder batchEncoder(int rows, int latents) {
        return new BatchEncoder(rows, latents);
    }

    /**
     * Codes of many activations: x'·W_enc is a float64 matrix product on the CPU, so the choices
     * are those of {@link #encode} (a latent on the edge of firing is decided to within 1e-12 of its
     * scale), at the speed of a BLAS instead of one activation at a time.
     *
     * <p>W_enc stays the file's float32 pages; a block of its columns is widened to float64 for
     * each pass of up to 1,024 activations (12.6 MB for 2,048 latents, where all of W_enc in float64
     * would hold 0.15 GB for a pass over 32,000 activations). The products are read where the
     * engine wrote them, and the firing latents are picked out block by block, so a pass leaves
     * almost nothing on the Java heap.
     */
    public final class BatchEncoder implements AutoCloseable {

        private final NDManager manager = NDManager.newBaseManager(Device.cpu());
        private final NDArray wEnc32;
        private final int rows;
        private final int latents;
        /** x' of a pass's activations, off the heap, reused from pass to pass. */
        private ByteBuffer input = ByteBuffer.allocateDirect(0);

        private BatchEncoder(int rows, int latents) {
            this.rows = rows;
            this.latents = latents;
            try {
                wEnc32 = manager.create(wEncBytes.duplicate().order(ByteOrder.LITTLE_ENDIAN),
                        new Shape(cfg.dIn(), cfg.dSae()), DataType.FLOAT32);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /** The active latents (ascending) of each activation, in order. */
        public List<int[]> activeSets(List<float[]> xs) {
            List<int[]> out = new ArrayList<>(xs.size());
            if (cfg.architecture() == Architecture.TOPK) {
                // the k largest among all of an activation's latents, chosen as its blocks arrive
                LargestK[] best = new LargestK[xs.size()];
                Arrays.setAll(best, r -> new LargestK(cfg.k()));
                products(xs, (r, first, s) -> {
                    for (int j = 0; s.hasRemaining(); j++) {
                        best[r].offer(first + j, activate(first + j, s.get()));
                    }
                });
                for (LargestK b : best) {
                    out.add(b.positive());
                }
                return out;
            }
            IntStream.Builder[] fired = new IntStream.Builder[xs.size()];
            Arrays.setAll(fired, r -> IntStream.builder());
            products(xs, (r, first, s) -> {
                for (int j = 0; s.hasRemaining(); j++) {
                    if (activate(first + j, s.get()) > 0) {
                        fired[r].add(first + j);
                    }
                }
            });
            for (IntStream.Builder f : fired) {
                out.add(f.build().toArray());
            }
            return out;
        }

        /** Each activation's code, in order. */
        public List<double[]> codes(List<float[]> xs) {
            double[][] s = new double[xs.size()][cfg.dSae()];
            products(xs, (r, first, block) -> block.get(s[r], first, block.remaining()));
            List<double[]> out = new ArrayList<>(xs.size());
            for (double[] row : s) {
                out.add(activateAll(row));
            }
            return out;
        }

        /** Receives row r's x'·W_enc for the latents from {@code first} on, one block at a time, blocks in order. */
        private interface BlockSink {
            void accept(int r, int first, java.nio.DoubleBuffer s);
        }

        private void products(List<float[]> xs, BlockSink sink) {
            int d = cfg.dIn();
            int n = cfg.dSae();
            for (int from = 0; from < xs.size(); from += rows) {
                int count = Math.min(xs.size(), from + rows) - from;
                if (input.capacity() < count * d * Double.BYTES) {
                    input = ByteBuffer.allocateDirect(count * d * Double.BYTES).order(ByteOrder.nativeOrder());
                }
                java.nio.DoubleBuffer in = input.clear().asDoubleBuffer();
                for (int r = 0; r < count; r++) {
                    checkInput(xs.get(from + r));
                    in.put(encoderInput(xs.get(from + r)));
                }
                // the engine reads the pass's inputs where they are
                try (NDManager pass = manager.newSubManager()) {
                    NDArray x = pass.create(input.duplicate().limit(count * d * Double.BYTES), new Shape(count, d),
                            DataType.FLOAT64);
                    for (int first = 0; first < n; first += latents) {
                        int len = Math.min(n, first + latents) - first;
                        try (NDArray columns = wEnc32.get(new NDIndex(":, {}:{}", first, first + len));
                                NDArray w = columns.toType(DataType.FLOAT64, false);
                                NDArray s = x.matMul(w)) {
                            java.nio.DoubleBuffer all = s.toByteBuffer(true).order(ByteOrder.nativeOrder()).asDoubleBuffer();
                            for (int r = 0; r < count; r++) {
                                sink.accept(from + r, first, all.slice(r * len, len));
                            }
                        }
                    }
                }
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** The activation of latent j from s = x'·W_enc (for topk: its pre-activation, chosen later). */
    private double activate(int j, double s) {
        return switch (cfg.architecture()) {
            case STANDARD -> Math.max(s + bEnc[j], 0);
            case JUMPRELU -> {
                double h = s + bEnc[j];
                yield h > threshold[j] ? Math.max(h, 0) : 0;
            }
            case GATED -> s + bEnc[j] > 0 ? Math.max(magnitudeScale[j] * s + bMag[j], 0) : 0;
            case TOPK -> (s + bEnc[j]) * (cfg.rescaleActsByDecoderNorm() ? decoderNorms[j] * decScale : 1);
        };
    }

    /** The k largest pre-activations kept (ties: lower index), through ReLU; all others zero. */
    private double[] topK(double[] pre) {
        LargestK best = new LargestK(cfg.k());
        for (int j = 0; j < pre.length; j++) {
            best.offer(j, pre[j]);
        }
        double[] z = new double[pre.length];
        for (int j : best.indices()) {
            z[j] = Math.max(pre[j], 0);
        }
        return z;
    }

    /**
     * decode(z) for the activation {@code like}: the reconstruction leaves the SAE's space with
     * {@code like}'s coefficients (the base's, for a synthesis built from the base's code).
     */
    public float[] decode(double[] z, float[] like) {
        checkInput(like);
        double[] x = bDec.clone();
        for (int l = 0; l < z.length; l++) {
            if (z[l] != 0) {
                addRow(x, l, z[l]);
            }
        }
        return leave(x, like);
    }

    /** decode of a sparse code: the given latents with the given values, all others zero. */
    public float[] decode(List<Latent> latents, float[] like) {
        checkInput(like);
        double[] x = bDec.clone();
        for (Latent l : latents) {
            addRow(x, l.index(), l.value());
        }
        return leave(x, like);
    }

    /** decode(encode(x)). */
    public float[] reconstruct(float[] x) {
        return decode(encode(x), x);
    }

    /** What latent l with value v adds to a reconstruction of {@code like}, in the activation's space. */
    public float[] contribution(int latent, double value, float[] like) {
        checkInput(like);
        double[] x = new double[cfg.dIn()];
        addRow(x, latent, value);
        double outScale = cfg.normalization().scalingOf(like).outScale();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * outScale);
        }
        return out;
    }

    private void addRow(double[] x, int latent, double value) {
        int d = cfg.dIn();
        int row = latent * d;
        // a topk SAE trained with rescaled activations reads its code in units of ‖W_dec‖
        double scale = decScale * (cfg.rescaleActsByDecoderNorm() ? value / (decoderNorms[latent] * decScale) : value);
        for (int i = 0; i < d; i++) {
            x[i] += scale * wDec.get(row + i);
        }
    }

    private float[] leave(double[] y, float[] like) {
        Normalization.Scaling scaling = cfg.normalization().scalingOf(like);
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) scaling.out(y[i]);
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

    /** The active latents of each of a few activations, in one pass over W_enc (see {@link #encode(List)}). */
    public List<List<Latent>> activeLatents(List<float[]> xs) {
        return encode(xs).stream().map(Sae::active).toList();
    }

    // ------------------------------------------------------------------ latent properties

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

    /** The last few {@link #cosinesTo} answers: a base's top latent is asked for by each structured synthesis. */
    private final Map<Integer, double[]> recentCosines = lastUsed(4);

    /** Cosine of every latent's decoder row with that of {@code latent}. */
    public double[] cosinesTo(int latent) {
        synchronized (recentCosines) {
            double[] known = recentCosines.get(latent);
            if (known != null) {
                return known.clone();
            }
        }
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
        synchronized (recentCosines) {
            recentCosines.put(latent, out.clone());
        }
        return out;
    }

    /**
     * The k non-dead latents nearest to {@code latent} in log-sparsity, itself and {@code exclude}
     * left out; ties go to the lower index.
     */
    public List<Integer> sparsityNeighbours(int latent, int k, java.util.Set<Integer> exclude) {
        float[] logSparsity = requireSparsity();
        double target = logSparsity[latent];
        // Walking out from the target through the live latents sorted both ways meets them in order
        // of distance, ties by index: those above (or level) from aliveRising, those below from
        // aliveFalling. Merging the two walks gives the k nearest without visiting every latent.
        int up = firstAtOrPast(aliveRising, logSparsity, target, true);
        int down = firstAtOrPast(aliveFalling, logSparsity, target, false);
        List<Integer> out = new ArrayList<>();
        while (out.size() < k) {
            up = skip(aliveRising, up, latent, exclude);
            down = skip(aliveFalling, down, latent, exclude);
            boolean hasUp = up < aliveRising.length;
            boolean hasDown = down < aliveFalling.length;
            if (!hasUp && !hasDown) {
                break;
            }
            boolean takeUp = hasUp;
            if (hasUp && hasDown) {
                int a = aliveRising[up];
                int b = aliveFalling[down];
                double da = Math.abs((double) logSparsity[a] - target);
                double db = Math.abs((double) logSparsity[b] - target);
                takeUp = da < db || (da == db && a < b);
            }
            out.add(takeUp ? aliveRising[up++] : aliveFalling[down++]);
        }
        return out;
    }

    /**
     * The first position of {@code order} at or above {@code target} (rising), or strictly below it
     * (falling): the two walks share no latent.
     */
    private static int firstAtOrPast(int[] order, float[] logSparsity, double target, boolean rising) {
        int lo = 0;
        int hi = order.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double v = logSparsity[order[mid]];
            boolean before = rising ? v < target : v >= target;
            if (before) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int skip(int[] order, int at, int latent, java.util.Set<Integer> exclude) {
        while (at < order.length && (order[at] == latent || exclude.contains(order[at]))) {
            at++;
        }
        return at;
    }
}
