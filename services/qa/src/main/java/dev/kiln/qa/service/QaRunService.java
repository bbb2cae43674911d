package dev.kiln.qa.service;

import com.github.dockerjava.api.command.InspectImageResponse;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.QaOutcome;
import dev.kiln.qa.client.DockerRunner;
import dev.kiln.qa.client.SourceFiles;
import dev.kiln.qa.config.QaConfig;
import dev.kiln.qa.domain.BuildSource;
import dev.kiln.qa.domain.CaseResult;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.domain.RunLimits;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.qa.store.QaDatabase;
import dev.kiln.qa.structuretest.PlannedTest;
import dev.kiln.qa.structuretest.StructureTestParser;
import dev.kiln.qa.structuretest.StructureTestRunner;
import dev.kiln.qa.structuretest.TestFile;
import dev.kiln.support.docker.DockerClients;
import dev.kiln.support.messaging.TransientFailure;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One QA run per pushed image: reads the build's {@code tests/*.yaml}, announces every test case as QUEUED, pulls the
 * image by digest, then for each test case sends RUNNING and the final outcome. A redelivered {@code image.pushed}
 * of a finished run announces its final results again without running anything.
 */
@ApplicationScoped
public class QaRunService {
    public static final String REPORTER = "kiln-qa";
    /** Test case for reading the source's test files (not a file's own problems: those are {@code kiln.cst.<stem>}). */
    public static final String SOURCE_CASE = StructureTestParser.PREFIX;
    private static final Logger LOG = Logger.getLogger(QaRunService.class);

    @Inject
    QaConfig config;

    @Inject
    QaDatabase db;

    @Inject
    SourceFiles sources;

    @Inject
    ResultRecorder recorder;

    private com.github.dockerjava.api.DockerClient dockerClient;
    private DockerRunner docker;

    @PostConstruct
    void init() {
        if (DockerClients.checkMutualTls(config.docker().host(), config.docker().certPath(),
                config.docker().allowInsecureSocket())) {
            LOG.warnf("the Docker daemon %s is reached without mutual TLS (kiln.docker.allow-insecure-socket=true):"
                    + " development profile only", config.docker().host());
        }
        dockerClient = DockerClients.create(config.docker().host(), config.docker().certPath());
        docker = new DockerRunner(dockerClient, config.registry().candidate());
    }

    @PreDestroy
    void close() {
        try {
            dockerClient.close();
        } catch (IOException e) {
            LOG.debugf("closing the Docker client: %s", e.getMessage());
        }
    }

    /** What the run will do: test files (valid or not), and the verdict on reading the source. */
    record Plan(List<TestFile> files, CaseResult sourceResult) {
    }

    public void run(ImagePushed image) {
        Optional<Run> existing = db.run(image.buildId(), image.digest());
        if (existing.isPresent() && existing.get().finishedAt() != null) {
            LOG.infof("QA of %s ran already (run %s): announcing its results again", image.reference(), existing.get().id());
            recorder.announceAgain(db.latestOfRun(existing.get().id()).stream().filter(r -> REPORTER.equals(r.reporter())).toList());
            return;
        }
        UUID runId = existing.map(Run::id).orElseGet(UUID::randomUUID);
        Plan plan = plan(image);
        String subjectRepository = image.registry() + "/" + image.repository();
        db.startRun(new Run(runId, image.buildId(), subjectRepository, image.digest(), ResultRecorder.now(), null,
                plan.sourceResult().summary()));

        List<String> cases = new ArrayList<>(BuiltInChecks.ALL);
        cases.add(SOURCE_CASE);
        for (TestFile f : plan.files()) {
            if (f.isValid()) {
                f.tests().forEach(t -> cases.add(t.testCase()));
            } else {
                cases.add(f.testCase());
            }
        }
        for (String c : cases) {
            record(runId, image, c, QaOutcome.QUEUED, "queued");
        }
        // known before anything runs; sent first so the run's last event is a check's verdict
        record(runId, image, SOURCE_CASE, plan.sourceResult().outcome(), plan.sourceResult().summary());

        RunLimits limits = new RunLimits(config.qa().timeout(), config.qa().memoryBytes(), config.qa().pidsLimit(),
                config.qa().logLines());
        String reference = image.reference();
        boolean finished = true;
        try {
            InspectImageResponse inspect;
            try {
                docker.pull(subjectRepository, image.digest(), config.qa().pullTimeout());
                inspect = docker.inspect(reference);
            } catch (TransientFailure e) {
                // the run stays unfinished; the consumer template tries the event again, which resumes this run
                LOG.warnf("QA of %s waits: %s", reference, e.getMessage());
                finished = false;
                throw e;
            } catch (CheckFailure e) {
                LOG.warnf("QA of %s could not start: %s", reference, e.getMessage());
                for (String c : cases) {
                    if (!c.equals(SOURCE_CASE)) {
                        record(runId, image, c, QaOutcome.ERROR, "the check could not run: " + e.getMessage());
                    }
                }
                return;
            }
            BuiltInChecks builtIns = new BuiltInChecks(docker, config.qa(), limits);
            for (String c : BuiltInChecks.ALL) {
                execute(runId, image, c, () -> builtIns.run(c, image, reference, inspect));
            }
            StructureTestRunner runner = new StructureTestRunner(docker, limits);
            for (TestFile f : plan.files()) {
                if (!f.isValid()) {
                    record(runId, image, f.testCase(), QaOutcome.ERROR, f.error());
                    continue;
                }
                for (PlannedTest t : f.tests()) {
                    execute(runId, image, t.testCase(), () -> runner.run(reference, t));
                }
            }
        } finally {
            if (finished) {
                if (config.qa().removeImage()) {
                    docker.removeImage(reference);
                }
                db.finishRun(runId, ResultRecorder.now());
            }
        }
    }

    private void execute(UUID runId, ImagePushed image, String testCase, java.util.function.Supplier<CaseResult> check) {
        record(runId, image, testCase, QaOutcome.RUNNING, "running");
        CaseResult result;
        try {
            result = check.get();
        } catch (CheckFailure e) {
            LOG.warnf("%s of %s could not run: %s", testCase, image.reference(), e.getMessage());
            result = CaseResult.error("the check could not run: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s of %s broke", testCase, image.reference());
            result = CaseResult.error("the check could not run: " + DockerRunner.message(e));
        }
        record(runId, image, testCase, result.outcome(), result.summary());
        LOG.infof("%s of %s: %s (%s)", testCase, image.reference(), result.outcome(), result.summary());
    }

    private void record(UUID runId, ImagePushed image, String testCase, QaOutcome outcome, String note) {
        recorder.record(new StoredResult(0, runId, image.buildId(), image.registry() + "/" + image.repository(),
                image.digest(), testCase, outcome, note, REPORTER, null, ResultRecorder.now(), null));
    }

    /** Waits (up to {@code kiln.qa.source-wait}) for the build's source, reads and parses its test files. */
    Plan plan(ImagePushed image) {
        Optional<BuildSource> source = awaitSource(image.buildId());
        if (source.isEmpty()) {
            String note = "the build's source was not known to qa within " + config.qa().sourceWait().toSeconds()
                    + "s (no kiln.build.requested seen for build " + image.buildId()
                    + "): only the image's own checks ran, not the repository's tests/*.yaml";
            LOG.warn(note);
            return new Plan(List.of(), new CaseResult(QaOutcome.NEEDS_INSPECTION, note));
        }
        Map<String, String> texts;
        try {
            texts = sources.testFiles(source.get().source());
        } catch (CheckFailure e) {
            LOG.warnf("could not read the tests of build %s: %s", image.buildId(), e.getMessage());
            return new Plan(List.of(), CaseResult.error("could not read tests/*.yaml from the source: " + e.getMessage()));
        }
        Map<String, String> all = texts;
        texts = new java.util.TreeMap<>(texts);
        texts.keySet().removeIf(name -> !SourceFiles.isTestFile(name));
        if (texts.isEmpty()) {
            return new Plan(List.of(), CaseResult.passed("the source has no tests/*.yaml"));
        }
        Map<String, String> passEnv = new java.util.LinkedHashMap<>();
        for (String name : config.qa().passEnv().orElse(List.of())) {
            String value = System.getenv(name);
            if (value != null) {
                passEnv.put(name, value);
            }
        }
        Set<String> passable = Set.copyOf(config.qa().passEnv().orElse(List.of()));
        List<TestFile> files = texts.entrySet().stream()
                .map(e -> StructureTestParser.parse(e.getKey(), e.getValue(), all,
                        new StructureTestParser.PassEnv(passable, passEnv))).toList();
        long tests = files.stream().mapToLong(f -> f.tests().size()).sum();
        long bad = files.stream().filter(f -> !f.isValid()).count();
        String summary = "read " + String.join(", ", texts.keySet()) + " (" + tests + " tests"
                + (bad > 0 ? ", " + bad + " invalid file" + (bad > 1 ? "s" : "") : "") + ")";
        return new Plan(files, CaseResult.passed(summary));
    }

    private Optional<BuildSource> awaitSource(String buildId) {
        long deadline = System.nanoTime() + config.qa().sourceWait().toNanos();
        while (true) {
            Optional<BuildSource> source = db.source(buildId);
            if (source.isPresent() || System.nanoTime() > deadline) {
                return source;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
