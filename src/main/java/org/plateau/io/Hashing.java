package org.plateau.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.plateau.PlateauException;

/** SHA-256 of files and strings, for provenance, cache keys and download checks. */
public final class Hashing {

    private Hashing() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /** git's id of a file's contents (SHA-1 of "blob SIZE\0" and the bytes): the hub's etag for small files. */
    public static String gitBlobId(Path file) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
        try {
            md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new PlateauException("Cannot read " + file + " (" + e.getMessage() + ").");
        }
        return HexFormat.of().formatHex(digest(md, file));
    }

    public static String sha256(Path file) {
        return HexFormat.of().formatHex(digest(sha256(), file));
    }

    private static byte[] digest(MessageDigest md, Path file) {
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new PlateauException("Cannot read " + file + " (" + e.getMessage() + ").");
        }
        return md.digest();
    }
}
