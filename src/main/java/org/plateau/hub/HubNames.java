package org.plateau.hub;

import java.util.regex.Pattern;
import org.plateau.PlateauException;

/**
 * What may become part of a path in the cache, checked before it does. Names typed by a user (a
 * repository, a revision, a folder) follow the official client's rules; names the network sends
 * (a commit, an etag) must have exactly the shape the hub gives them, so that no response header
 * can name a file outside the cache.
 */
public final class HubNames {

    /** huggingface_hub's validate_repo_id: [namespace/]name of word characters, '.', '-'; at most 96 a part. */
    private static final Pattern REPO_ID = Pattern.compile("(?:[\\w.-]{1,96}/)?[\\w.-]{1,96}");
    /** A branch, tag or commit; branches may hold '/' ("refs/pr/1"). */
    private static final Pattern REVISION = Pattern.compile("[\\w.-]+(?:/[\\w.-]+)*");
    /**
     * A path inside a repository: non-empty segments of word characters, '.', '-', '+', ' ', '=', ':'
     * (SAE folders such as {@code …_24576:v0}); never a drive letter.
     */
    private static final Pattern REPO_PATH = Pattern.compile("(?![A-Za-z]:)[\\w.+=: -]+(?:/[\\w.+=: -]+)*");
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A git blob id (the hub's etag for small files). */
    static final Pattern GIT_BLOB = Pattern.compile("[0-9a-f]{40}");

    private HubNames() {}

    public static String repoId(String id) {
        boolean ok = id != null && REPO_ID.matcher(id).matches() && !id.contains("--") && !id.contains("..")
                && !id.endsWith(".git") && segmentsFine(id);
        if (!ok) {
            throw new PlateauException("'" + printable(id) + "' is not a valid hub repository id: use org/name, with"
                    + " letters, digits, '-', '_' and '.', and neither '--' nor '..'.");
        }
        return id;
    }

    public static String revision(String revision) {
        if (revision == null || revision.length() > 200 || !REVISION.matcher(revision).matches() || !segmentsFine(revision)) {
            throw new PlateauException("'" + printable(revision) + "' is not a valid revision: use a branch, tag or"
                    + " commit name without '..'.");
        }
        return revision;
    }

    /** A file or folder inside a repository: relative, no "." or ".." parts. */
    public static String repoPath(String path) {
        if (path == null || path.length() > 1000 || !REPO_PATH.matcher(path).matches() || !segmentsFine(path)) {
            throw new PlateauException("'" + printable(path) + "' is not a valid path inside a hub repository: it must be"
                    + " relative, without '.' or '..' parts.");
        }
        return path;
    }

    /** X-Repo-Commit: a 40-digit hexadecimal commit id, or a refusal. */
    static String commit(String header, String file) {
        if (header == null || !COMMIT.matcher(header).matches()) {
            throw new PlateauException("The hub's answer for " + file + " names no valid commit (X-Repo-Commit"
                    + (header == null ? " missing" : " malformed") + "); nothing was written.");
        }
        return header;
    }

    /** ETag or X-Linked-Etag: a SHA-256 (large files) or a git blob id (small files), or a refusal. */
    static String etag(String header, String file) {
        if (header == null || !(SHA256.matcher(header).matches() || GIT_BLOB.matcher(header).matches())) {
            throw new PlateauException("The hub's answer for " + file + " has " + (header == null ? "no" : "a malformed")
                    + " ETag (a SHA-256 or git blob id is expected); nothing was written.");
        }
        return header;
    }

    /** No empty, "." or ".." segment, and no leading or trailing '.' or '-' in any (as the official client). */
    private static boolean segmentsFine(String s) {
        for (String part : s.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.startsWith("-")) {
                return false;
            }
        }
        return true;
    }

    /** A name as it may be shown in a sentence: no control characters, not endless. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
