package dev.kiln.events;

import java.time.Instant;

/**
 * How a build ran, as its provenance records it: the source and Dockerfile it was given, its options, the worker
 * that ran it and when that worker started it (the build's {@code kiln.build.started}).
 */
public record BuildRun(Source source, String dockerfilePath, BuildOptions options, String workerId, Instant startedAt) {
    public BuildRun {
        Require.present(source, "run.source");
        Require.text(dockerfilePath, "run.dockerfilePath");
        options = options == null ? BuildOptions.DEFAULT : options;
        Require.text(workerId, "run.workerId");
        Require.present(startedAt, "run.startedAt");
    }
}
