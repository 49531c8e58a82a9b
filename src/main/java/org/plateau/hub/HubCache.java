package org.plateau.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.plateau.PlateauException;
import org.plateau.io.AtomicFiles;

/**
 * The Hugging Face cache, in the official client's layout:
 *
 * <pre>
 * {cache}/models--{org}--{name}/refs/{revision}            the commit a branch or tag points to
 * {cache}/models--{org}--{name}/blobs/{etag}               file contents, named by their etag
 * {cache}/models--{org}--{name}/snapshots/{commit}/{path}  links to the blobs, as the repo looked then
 * {cache}/.locks/models--{org}--{name}/{etag}.lock         held while a blob downloads
 * </pre>
 *
 * (datasets use "datasets--"). A file enters the cache only whole and verified. Every path is
 * built from names checked by {@link HubNames} and, once resolved, must lie inside the cache.
 */
public final class HubCache {

    private final Path root;
    /** Blob locks held by this process: a file lock cannot be taken twice by one JVM. */
    private static final ConcurrentHashMap<Path, ReentrantLock> HELD = new ConcurrentHashMap<>();

    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** {cache}/models--org--name */
    public Path repoFolder(String repo, String kind) {
        return inside(root.resolve(kind + "s--" + HubNames.repoId(repo).replace("/", "--")));
    }

    /** The commit a revision names: itself if it is a commit hash, else what refs/ records (or null). */
    public String commitOf(String repo, String kind, String revision) {
        if (HubNames.COMMIT.matcher(revision).matches()) {
            return revision;
        }
        Path ref = inside(repoFolder(repo, kind).resolve("refs").resolve(HubNames.revision(revision)));
        try {
            if (Files.isRegularFile(ref) && Files.size(ref) < 1024) {
                String c = Files.readString(ref, StandardCharsets.UTF_8).strip();
                return HubNames.COMMIT.matcher(c).matches() ? c : null; // anything else is not a commit: ignored
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
        Path p = snapshot(repo, kind, commit, file);
        return Files.exists(p) ? p : null; // exists() follows the link: a dangling one does not count
    }

    Path snapshot(String repo, String kind, String commit, String file) {
        return inside(repoFolder(repo, kind).resolve("snapshots").resolve(HubNames.commit(commit, file))
                .resolve(HubNames.repoPath(file)));
    }

    /** Where a blob lives, and where its download collects until verified. */
    public Path blob(String repo, String kind, String etag) {
        return inside(repoFolder(repo, kind).resolve("blobs").resolve(HubNames.etag(etag, "a blob")));
    }

    public Path incomplete(String repo, String kind, String etag) {
        return inside(repoFolder(repo, kind).resolve("blobs").resolve(HubNames.etag(etag, "a blob") + ".incomplete"));
    }

    /**
     * Takes the blob's lock, as the official client does: two processes downloading the same file
     * into one cache take turns, and the second finds the first one's blob.
     *
     * @param waiting told once when another process holds the lock
     */
    public BlobLock lock(String repo, String kind, String etag, Runnable waiting) {
        Path file = inside(root.resolve(".locks").resolve(kind + "s--" + HubNames.repoId(repo).replace("/", "--"))
                .resolve(HubNames.etag(etag, "a blob") + ".lock"));
        ReentrantLock inJvm = HELD.computeIfAbsent(file, f -> new ReentrantLock());
        if (!inJvm.tryLock()) {
            waiting.run();
            inJvm.lock();
        }
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    waiting.run();
                    lock = ch.lock();
                }
                return new BlobLock(ch, lock, inJvm);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | OverlappingFileLockException e) {
            inJvm.unlock();
            throw new PlateauException("Cannot lock " + file + " in the Hugging Face cache (" + e.getMessage() + ").");
        }
    }

    /** A held blob lock; closing releases it. */
    public static final class BlobLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;
        private final ReentrantLock inJvm;

        private BlobLock(FileChannel channel, FileLock lock, ReentrantLock inJvm) {
            this.channel = channel;
            this.lock = lock;
            this.inJvm = inJvm;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // closing the channel releases the lock in any case
            } finally {
                inJvm.unlock();
            }
        }
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
        Path target = snapshot(repo, kind, commit, file);
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
        HubNames.commit(commit, revision);
        if (HubNames.COMMIT.matcher(revision).matches() || revision.equals(commit)) {
            return;
        }
        AtomicFiles.writeString(inside(repoFolder(repo, kind).resolve("refs").resolve(HubNames.revision(revision))), commit);
    }

    /**
     * The path, normalised, if it lies inside the cache; otherwise a refusal. Names are checked
     * before they get here; this is the last guard against one that slipped through.
     */
    Path inside(Path p) {
        Path n = p.toAbsolutePath().normalize();
        if (!n.startsWith(root) || n.equals(root)) {
            throw new PlateauException("Refusing a cache path outside the Hugging Face cache at " + root + ".");
        }
        return n;
    }
}
