package org.plateau.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a weights file without hashing gigabytes on every start: a file in a hub cache
 * is a link to {@code blobs/<sha256>}, verified when it was downloaded; any other file is hashed
 * once and remembered under its path, size and modification time.
 */
public final class FileHashes {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private FileHashes() {}

    public static String sha256(Path file) {
        try {
            Path real = file.toRealPath();
            String name = real.getFileName().toString();
            if (SHA256.matcher(name).matches() && real.getParent() != null
                    && real.getParent().getFileName().toString().equals("blobs")) {
                return name;
            }
            String key = Hashing.sha256(real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis());
            Path memo = CacheDir.root().resolve("file-hashes").resolve(key);
            if (Files.isRegularFile(memo)) {
                String known = Files.readString(memo, StandardCharsets.UTF_8).strip();
                if (SHA256.matcher(known).matches()) {
                    return known;
                }
            }
            String sha = Hashing.sha256(real);
            try {
                AtomicFiles.writeString(memo, sha);
            } catch (RuntimeException e) {
                // a read-only cache costs hashing again next time
            }
            return sha;
        } catch (IOException e) {
            return Hashing.sha256(file);
        }
    }
}
