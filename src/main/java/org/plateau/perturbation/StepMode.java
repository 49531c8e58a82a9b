package org.plateau.perturbation;

import org.plateau.PlateauException;

/** How a sweep walks from the base activation A toward the target T (METHOD §2). */
public enum StepMode {
    /** A(n) = A + s·n·(T − A)/‖T − A‖: fixed-length steps along the direction to T. */
    ABSOLUTE("absolute"),
    /** A(n) = (1 − n/N)·A + (n/N)·T: the straight line from A to T in N steps. */
    RELATIVE("relative");

    private final String id;

    StepMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static StepMode parse(String s) {
        for (StepMode m : values()) {
            if (m.id.equals(s)) {
                return m;
            }
        }
        throw new PlateauException("Unknown step mode '" + s + "': use absolute or relative.");
    }
}
