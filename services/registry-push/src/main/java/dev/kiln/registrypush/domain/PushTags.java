package dev.kiln.registrypush.domain;

import dev.kiln.events.Nvr;
import java.util.List;

/** Candidate repository and tags of a build (docs/architecture.md, "Repositories and tags"). */
public final class PushTags {
    private PushTags() {
    }

    /** The repository: the NVR name. */
    public static String repository(Nvr nvr) {
        return nvr.name();
    }

    /** {@code <version>-<release>}; a scratch build gets {@code scratch-<buildId>}. */
    public static List<String> tags(String buildId, boolean scratch, Nvr nvr) {
        if (scratch) {
            return List.of("scratch-" + buildId);
        }
        if (nvr.release() == null) {
            throw new IllegalArgumentException("build " + buildId + " is not a scratch build but its NVR " + nvr + " has no release");
        }
        return List.of(nvr.version() + "-" + nvr.release());
    }
}
