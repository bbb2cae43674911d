package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import java.util.Map;

/**
 * The Dockerfile's {@code name} and {@code version} labels must be the NVR build-submission reserved, and a
 * {@code release} label in it must be the reserved release; the reserved release is then injected as the
 * {@code release} label (not for scratch builds, which reserve none).
 */
public final class NvrReleasePlugin implements PreflightPlugin {
    @Override
    public String name() {
        return "nvr";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        Nvr nvr = c.request().nvr();
        Map<String, String> labels = c.parsed().labels();
        check(c, "name", nvr.name(), labels.get("name"));
        check(c, "version", nvr.version(), labels.get("version"));
        String release = labels.get("release");
        if (!c.request().scratch()) {
            if (release != null && !release.isBlank() && !release.equals(nvr.release())) {
                throw new BuildFailure(Stage.PREFLIGHT, "release-mismatch", "The Dockerfile " + c.dockerfilePath()
                        + " sets release=" + release + " but this build reserved release " + nvr.release() + " ("
                        + nvr + "); remove the release label so that Kiln bumps it, or submit again.", false);
            }
            c.labels().put("release", nvr.release());
            c.log("preflight " + name() + ": " + nvr);
        } else {
            c.log("preflight " + name() + ": scratch build of " + nvr.name() + "-" + nvr.version() + ", no release");
        }
    }

    private static void check(PreflightContext c, String label, String reserved, String actual) throws BuildFailure {
        if (actual != null && !actual.isBlank() && reserved != null && !actual.equals(reserved)) {
            throw new BuildFailure(Stage.PREFLIGHT, "nvr-mismatch", "The Dockerfile " + c.dockerfilePath() + " sets "
                    + label + "=" + actual + " but the build was submitted as " + label + " " + reserved
                    + "; submit the build again from the same Dockerfile.", false);
        }
    }
}
