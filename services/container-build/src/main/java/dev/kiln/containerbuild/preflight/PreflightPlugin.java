package dev.kiln.containerbuild.preflight;


import dev.kiln.containerbuild.domain.BuildFailure;
/**
 * One preflight check or preparation of a build (atomic-reactor's pre-build plugins). Plugins run in the fixed order
 * of {@link Preflight#ORDER}; the first that throws ends the build with its {@link BuildFailure} (stage
 * {@code preflight}).
 */
public interface PreflightPlugin {
    /** Short name, as it appears in the build log. */
    String name();

    void run(PreflightContext context) throws BuildFailure, InterruptedException;
}
