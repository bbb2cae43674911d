package dev.kiln.qa.service;

import dev.kiln.events.ImagePushed;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.qa.client.DockerRunner;
import dev.kiln.qa.config.QaConfig;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.qa.domain.ContainerRun;
import dev.kiln.qa.domain.RunLimits;
import dev.kiln.support.docker.DockerClients;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The built-in check {@code kiln.image.starts}: the pushed image, pulled by digest, runs its default command in an
 * isolated container and exits 0 within the time limit. Results are keyed downstream by digest and test case, so
 * running the check again for a redelivered event is harmless.
 */
@ApplicationScoped
public class ImageStartsCheck {
    public static final String TEST_CASE = "kiln.image.starts";
    public static final String REPORTER = "kiln-qa";
    private static final Logger LOG = Logger.getLogger(ImageStartsCheck.class);

    @Inject
    QaConfig config;

    private com.github.dockerjava.api.DockerClient docker;
    private DockerRunner runner;

    @PostConstruct
    void init() {
        docker = DockerClients.create(config.docker().host(), config.docker().certPath());
        runner = new DockerRunner(docker);
    }

    @PreDestroy
    void close() {
        try {
            docker.close();
        } catch (IOException e) {
            LOG.debugf("closing the Docker client: %s", e.getMessage());
        }
    }

    /** The RUNNING result sent before the check starts. */
    public QaResult started(ImagePushed image) {
        return result(image, QaOutcome.RUNNING, "running the image's default command");
    }

    /** Runs the check and returns its final result: PASSED, FAILED, or ERROR when it could not be carried out. */
    public QaResult run(ImagePushed image) {
        String repository = image.registry() + "/" + image.repository();
        String reference = image.reference();
        RunLimits limits = new RunLimits(config.qa().timeout(), config.qa().memoryBytes(), config.qa().pidsLimit(),
                config.qa().logLines());
        try {
            runner.pull(repository, image.digest(), config.qa().pullTimeout());
            try {
                if (!runner.hasDefaultCommand(reference)) {
                    return result(image, QaOutcome.FAILED, "the image has no default command (no ENTRYPOINT or CMD)");
                }
                return verdict(image, runner.run(reference, limits), limits);
            } finally {
                if (config.qa().removeImage()) {
                    runner.removeImage(reference);
                }
            }
        } catch (CheckFailure e) {
            LOG.warnf("check %s of %s could not run: %s", TEST_CASE, reference, e.getMessage());
            return result(image, QaOutcome.ERROR, "the check could not run: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "check %s of %s broke", TEST_CASE, reference);
            return result(image, QaOutcome.ERROR, "the check could not run: " + e);
        }
    }

    static String summary(ContainerRun run, RunLimits limits) {
        if (run.timedOut()) {
            return "did not exit within " + limits.timeout().toSeconds() + "s" + tail(run);
        }
        if (run.exitCode() != null && run.exitCode() == 0) {
            return "exited 0";
        }
        return "exited " + run.exitCode() + tail(run);
    }

    private QaResult verdict(ImagePushed image, ContainerRun run, RunLimits limits) {
        boolean passed = !run.timedOut() && run.exitCode() != null && run.exitCode() == 0;
        return result(image, passed ? QaOutcome.PASSED : QaOutcome.FAILED, summary(run, limits));
    }

    private static String tail(ContainerRun run) {
        return run.lastLogLines().isEmpty() ? "" : ": " + String.join("\n", run.lastLogLines());
    }

    private static QaResult result(ImagePushed image, QaOutcome outcome, String summary) {
        return new QaResult(image.buildId(), image.registry() + "/" + image.repository(), image.digest(), TEST_CASE,
                outcome, summary, REPORTER, null, Instant.now());
    }
}
