package dev.kiln.events;

import java.time.Instant;

/** A build was accepted by build-submission. {@code nvr.release} is the reserved release (null for scratch builds). */
public record BuildRequested(String buildId, String component, Source source, String dockerfilePath, boolean scratch,
        String requester, Nvr nvr, BuildOptions options, Instant time) implements KilnEvent {
    public BuildRequested {
        Require.text(buildId, "buildId");
        Require.text(component, "component");
        Require.present(source, "source");
        Require.text(dockerfilePath, "dockerfilePath");
        Require.text(requester, "requester");
        Require.present(nvr, "nvr");
        if (!scratch && nvr.release() == null) {
            throw new IllegalArgumentException("a non-scratch build needs a reserved release");
        }
        options = options == null ? BuildOptions.DEFAULT : options;
        Require.present(time, "time");
    }
}
