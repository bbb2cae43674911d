package dev.kiln.events;

/**
 * Where a build's source comes from: a git repository at a resolved commit, or an uploaded context archive
 * that build-submission serves by digest over HTTP.
 */
public record Source(Kind kind, String gitUrl, String gitRef, String gitCommit, String contextDigest) {
    public enum Kind { GIT, CONTEXT }

    public Source {
        Require.present(kind, "source.kind");
        if (kind == Kind.GIT) {
            Require.text(gitUrl, "source.gitUrl");
            Require.text(gitRef, "source.gitRef");
            if (contextDigest != null) {
                throw new IllegalArgumentException("a git source has no contextDigest");
            }
        } else {
            Require.digest(contextDigest, "source.contextDigest");
            if (gitUrl != null || gitRef != null || gitCommit != null) {
                throw new IllegalArgumentException("a context source has no git fields");
            }
        }
    }

    public static Source git(String url, String ref, String commit) {
        return new Source(Kind.GIT, url, ref, commit, null);
    }

    public static Source context(String digest) {
        return new Source(Kind.CONTEXT, null, null, null, digest);
    }
}
