package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.ImageReference;
import dev.kiln.support.dockerfile.DockerfileParser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pins every FROM image to the digest it resolves to now (atomic-reactor's {@code change_from_in_dockerfile}): the
 * image is pulled from its registry, and the Dockerfile that is built names {@code <repository>@sha256:...} instead
 * of the tag, so a tag moved during the build cannot change what is built. The final parent's digest is recorded on
 * the build ({@code parentDigest} of {@code build.completed}, label {@code dev.kiln.parent-digest}).
 */
public final class PinParentsPlugin implements PreflightPlugin {

    /** Pulls an image reference and returns the registry digest it resolved to. */
    @FunctionalInterface
    public interface Resolver {
        String digestOf(String reference) throws BuildFailure, InterruptedException;
    }

    private final Resolver resolver;

    public PinParentsPlugin(Resolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public String name() {
        return "pin-parents";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure, InterruptedException {
        DockerfileParser.Result parsed = c.parsed();
        Map<String, String> digests = new HashMap<>();
        Map<Integer, String> rewrite = new HashMap<>();
        for (DockerfileParser.Stage s : parsed.stages()) {
            if (s.fromStage() || s.isScratch()) {
                continue;
            }
            String digest = digests.get(s.image());
            if (digest == null) {
                digest = resolver.digestOf(s.image());
                digests.put(s.image(), digest);
            }
            String pinned = ImageReference.parse(s.image()).name() + "@" + digest;
            rewrite.put(s.index(), pinned);
            c.pinned().put(s.image(), pinned);
            c.log("preflight " + name() + ": FROM " + s.image() + " (line " + s.from().firstLine() + ") pinned to " + pinned);
        }
        c.dockerfile(DockerfileParser.rewriteFroms(c.dockerfile(), parsed, rewrite));
        c.parent(parsed.parentImage(), digests.get(parsed.parentImage()));
    }

    /** The digest of {@code reference} among an image's repo digests (or the digest the reference names). */
    static String repoDigest(ImageReference reference, List<String> repoDigests) {
        if (reference.digest() != null) {
            return reference.digest().toString();
        }
        if (repoDigests == null) {
            return null;
        }
        for (String rd : repoDigests) {
            if (rd.startsWith(reference.name() + "@")) {
                return rd.substring(rd.indexOf('@') + 1);
            }
        }
        return null;
    }
}
