package org.plateau.io;

import java.nio.file.Path;

/**
 * Where Plateau keeps what it computed once and can reuse: the system property plateau.cache (tests),
 * else $PLATEAU_CACHE, else $XDG_CACHE_HOME/plateau, else ~/.cache/plateau.
 */
public final class CacheDir {

    private CacheDir() {}

    public static Path root() {
        String property = System.getProperty("plateau.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String own = System.getenv("PLATEAU_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("plateau");
    }
}
