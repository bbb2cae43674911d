package dev.kiln.cli.service;

import dev.kiln.cli.domain.Build;

/** The followed build ended FAILED or CANCELED; the message is the line the user sees. */
public class BuildFailedException extends RuntimeException {

    private final Build build;

    private BuildFailedException(Build build, String message) {
        super(message);
        this.build = build;
    }

    public static BuildFailedException of(Build build) {
        if ("CANCELED".equals(build.stateName())) {
            return new BuildFailedException(build, "Build " + build.id() + " CANCELED");
        }
        Build.Failure f = build.failure();
        if (f == null) {
            return new BuildFailedException(build, "Build " + build.id() + " FAILED");
        }
        return new BuildFailedException(build, "Build " + build.id() + " FAILED at stage " + orUnknown(f.stage())
                + " (" + orUnknown(f.reason()) + "): " + (f.message() == null ? "" : f.message()));
    }

    public Build build() {
        return build;
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }
}
