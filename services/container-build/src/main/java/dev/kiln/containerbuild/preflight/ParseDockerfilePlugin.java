package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.Stage;
import dev.kiln.support.dockerfile.DockerfileParser;

/** Parses the Dockerfile: stages, ARGs before FROM with their defaults, continuation lines, labels. */
public final class ParseDockerfilePlugin implements PreflightPlugin {
    @Override
    public String name() {
        return "dockerfile";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        DockerfileParser.Result parsed;
        try {
            parsed = DockerfileParser.parse(c.dockerfile());
        } catch (DockerfileParser.InvalidDockerfileException e) {
            throw new BuildFailure(Stage.PREFLIGHT, "dockerfile-invalid", "The Dockerfile " + c.dockerfilePath()
                    + " cannot be read: " + e.getMessage() + " Fix it and submit again.", false);
        }
        if (parsed.parentImage() == null) {
            throw new BuildFailure(Stage.PREFLIGHT, "dockerfile-invalid", "The Dockerfile " + c.dockerfilePath()
                    + " has no FROM instruction; start it with FROM <parent image>.", false);
        }
        c.parsed(parsed);
        c.log("preflight " + name() + ": " + parsed.stages().size() + " stage(s), parent image " + parsed.parentImage()
                + (parsed.globalArgs().isEmpty() ? "" : ", ARGs before FROM " + parsed.globalArgs()));
    }
}
