package org.plateau;

/** The program's version, as the build wrote it into the jar's manifest ("dev" when run from classes). */
public final class Version {

    private Version() {}

    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
