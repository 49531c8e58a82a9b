package org.plateau.plot;

import java.util.ArrayList;
import java.util.List;

/** Axis ticks at 1, 2 or 5 times a power of ten, about {@code wanted} of them across a range. */
final class Ticks {

    private Ticks() {}

    static double step(double min, double max, int wanted) {
        double raw = (max - min) / Math.max(1, wanted);
        if (!(raw > 0) || Double.isInfinite(raw)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
    }

    static List<Double> at(double min, double max, int wanted) {
        double step = step(min, max, wanted);
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    static String format(double v, double step) {
        if (step >= 1 && Math.abs(v) < 1e6) {
            return Long.toString(Math.round(v));
        }
        int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step)));
        if (Math.abs(v) >= 1e6 || (v != 0 && Math.abs(v) < 1e-4)) {
            return String.format("%.1e", v);
        }
        return String.format("%." + decimals + "f", v);
    }
}
