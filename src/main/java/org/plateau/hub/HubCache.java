package org.plateau.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import org.plateau.PlateauException;
import org.plateau.io.AtomicFiles;

/**
 * The Hugging Face cache, in the official client's layout:
 *
 * <pre>
 * {cache}/models--{org}--{name}/refs/{revision}            the commit a branch or tag points to
 * {cache}/models--{org}--{name}/blobs/{etag}               file contents, named by their etag
 * {cache}/models--{org}--{name}/snapshots/{commit}/{path}  links to the blobs, as the repo looked then
 * </pre>
 *
 * (datasets use "datasets--"). A file enters the cache only whole and verified.
 */
public final class HubCache {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {cache}/models--org--name */
    public Path repoFolder(String repo, String kind) {
        return root.resolve(kind + "s--" + repo.replace("/", "--"));
    }

    /** The commit a revision names: itself if it is a commit hash, else what refs/ records (or null). */
    public String commitOf(String repo, String kind, String revision) {
        if (COMMIT.matcher(revision).matches()) {
            return revision;
        }
        Path ref = repoFolder(repo, kind).resolve("refs").resolve(revision);
        try {
            if (Files.isRegularFile(ref)) {
                String c = Files.readString(ref, StandardCharsets.UTF_8).strip();
                return c.isEmpty() ? null : c;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The cached file of a revision, or null when it is not there. */
    public Path find(String repo, String kind, String revision, String file) {
        String commit = commitOf(repo, kind, revision);
        if (commit == null) {
            return null;
        }
        Path p = repoFolder(repo, kind).resolve("snapshots").resolve(commit).resolve(file);
        return Files.exists(p) ? p : null; // exists() follows the link: a dangling one does not count
    }

    /** Where a blob lives, and where its download collects until verified. */
    public Path blob(String repo, String kind, String etag) {
        return repoFolder(repo, kind).resolve("blobs").resolve(etag);
    }

    public Path incomplete(String repo, String kind, String etag) {
        return repoFolder(repo, kind).resolve("blobs").resolve(etag + ".incomplete");
    }

    /**
     * Moves a verified download into blobs/ and links it from the snapshot of {@code commit}, as the
     * official client does (a relative symbolic link; a copy where links are not allowed).
     */
    public Path commit(String repo, String kind, String etag, Path verified, String commit, String file) {
        try {
            Path blob = blob(repo, kind, etag);
            Files.createDirectories(blob.getParent());
            Files.move(verified, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return link(repo, kind, etag, commit, file);
        } catch (IOException e) {
            throw new PlateauException("Cannot write to the Hugging Face cache at " + root + " (" + e.getMessage() + ").");
        }
    }

    /** Links an existing blob into a snapshot. */
    public Path link(String repo, String kind, String etag, String commit, String file) throws IOException {
        Path blob = blob(repo, kind, etag);
        Path target = repoFolder(repo, kind).resolve("snapshots").resolve(commit).resolve(file);
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        try {
            Files.createSymbolicLink(target, target.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Records that {@code revision} (a branch or tag) points to {@code commit}. */
    public void writeRef(String repo, String kind, String revision, String commit) {
        if (COMMIT.matcher(revision).matches() || revision.equals(commit)) {
            return;
        }
        AtomicFiles.writeString(repoFolder(repo, kind).resolve("refs").resolve(revision), commit);
    }
}
