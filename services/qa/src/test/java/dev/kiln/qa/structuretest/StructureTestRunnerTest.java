package dev.kiln.qa.structuretest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.qa.client.DockerRunner;
import dev.kiln.qa.config.QaConfig;
import dev.kiln.qa.domain.CaseResult;
import dev.kiln.qa.domain.RunLimits;
import dev.kiln.qa.service.BuiltInChecks;
import dev.kiln.testsupport.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every container-structure-test type and every built-in check against real images in the real daemon: each passes
 * where it should and fails where it should.
 */
class StructureTestRunnerTest {
    private static final RunLimits LIMITS = new RunLimits(Duration.ofSeconds(3), 64L << 20, 64, 10);
    private static final String TAG = "kiln-qa-test/cst-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String GOOD = TAG + ":good";
    private static final String BAD = TAG + ":bad";
    private static final String METADATA = TAG + ":metadata";
    private static final String LICENSES = TAG + ":licenses";
    private static DockerClient client;
    private static DockerRunner docker;
    private static StructureTestRunner runner;

    @BeforeAll
    static void images() throws Exception {
        client = TestDocker.client();
        TestDocker.ensureBaseImage(client);
        docker = new DockerRunner(client);
        runner = new StructureTestRunner(docker, LIMITS);
        build(GOOD, """
                FROM %s
                LABEL name=cst version=1.0 vendor="ACME Inc"
                ENV GREETING=hello
                EXPOSE 8080
                VOLUME /data
                COPY app.conf /app/app.conf
                COPY run.sh /app/run.sh
                RUN mkdir -p /usr/share/doc/pkga && echo "Copyright ACME" > /usr/share/doc/pkga/copyright
                WORKDIR /app
                CMD ["/app/run.sh"]
                """.formatted(TestDocker.BASE_IMAGE), Map.of("app.conf", "port=8080\nmode=prod\n", "run.sh", "#!/bin/sh\necho ok\n"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        build(BAD, """
                FROM %s
                COPY key.pem /etc/app/key.pem
                RUN mkdir -p /root/.ssh /usr/share/doc/pkgb && echo secret > /root/.ssh/id_rsa
                RUN rm /root/.ssh/id_rsa
                USER 1000:1000
                ENTRYPOINT ["/bin/false"]
                """.formatted(GOOD), Map.of("key.pem", pem));
        // container-structure-test's own tests/Dockerfile.metadata, on the local base instead of ubuntu:22.04
        build(METADATA, """
                FROM %s

                ENV SOME_KEY="SOME_VAL" \\
                    EMPTY_VAR="" \\
                    FOO_BAR="FOO\\:BAR=BAZ" \\
                    REGEX_VAR="test-2.1.8"

                LABEL localnet.localdomain.commit_hash="0123456789abcdef0123456789abcdef01234567" \\
                      localnet.my-domain.my-label="my test label" \\
                      label-with-empty-val=""
                """.formatted(TestDocker.BASE_IMAGE), Map.of("run.sh", "#!/bin/sh\n"));
        build(LICENSES, """
                FROM %s
                RUN mkdir -p /usr/share/doc/pkga /usr/share/doc/pkgc /usr/share/doc/libgnutls30 \\
                 && echo "Copyright ACME, MIT" > /usr/share/doc/pkga/copyright \\
                 && echo "License: agpl-3.0+" > /usr/share/doc/pkgc/copyright \\
                 && echo "Do What The F*** You Want To Public License (WTFPL)" > /LICENSE
                """.formatted(TestDocker.BASE_IMAGE), Map.of("run.sh", "#!/bin/sh\n"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String tag : List.of(LICENSES, METADATA, BAD, GOOD)) {
            try {
                client.removeImageCmd(tag).withForce(true).exec();
            } catch (NotFoundException e) {
                // gone
            }
        }
        List<Container> left = client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.kiln.qa", "structure-test")).exec();
        List<String> committed = client.listImagesCmd().withLabelFilter(Map.of("dev.kiln.qa", "structure-test")).exec()
                .stream().map(i -> i.getId()).toList();
        committed.forEach(id -> client.removeImageCmd(id).withForce(true).exec());
        client.close();
        assertEquals(List.of(), left.stream().map(Container::getId).toList(), "test containers left behind");
        assertEquals(List.of(), committed, "committed setup images left behind");
    }

    private static void build(String tag, String dockerfile, Map<String, String> files) throws Exception {
        Path context = Files.createTempDirectory("kiln-qa-cst-");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(context.resolve(f.getKey()), f.getValue());
        }
        context.resolve("run.sh").toFile().setExecutable(true, false);
        client.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withNetworkMode("none").withPull(false)
                .withForcerm(true).exec(new BuildImageResultCallback()).awaitImageId(2, TimeUnit.MINUTES);
    }

    /** Parses {@code yaml} (a whole test file) and runs each test against {@code image}: test case → result. */
    private static Map<String, CaseResult> run(String image, String yaml) {
        TestFile file = StructureTestParser.parse("tests/t.yaml", "schemaVersion: \"2.0.0\"\n" + yaml);
        assertEquals(null, file.error());
        Map<String, CaseResult> results = new LinkedHashMap<>();
        for (PlannedTest t : file.tests()) {
            results.put(t.testCase().substring("kiln.cst.t.".length()), runner.run(image, t));
        }
        return results;
    }

    /** {@link #run(String, String)} with other files of the source's tests/ directory. */
    private static Map<String, CaseResult> run(String image, String yaml, Map<String, String> sourceFiles) {
        TestFile file = StructureTestParser.parse("tests/t.yaml", "schemaVersion: \"2.0.0\"\n" + yaml, sourceFiles);
        assertEquals(null, file.error());
        Map<String, CaseResult> results = new LinkedHashMap<>();
        for (PlannedTest t : file.tests()) {
            results.put(t.testCase().substring("kiln.cst.t.".length()), runner.run(image, t));
        }
        return results;
    }

    @Test
    void containerRunOptionsUserTtyAndEnvFile() {
        // BAD runs as 1000:1000; container-structure-test's containeropts_user test runs it as root
        String commands = """
                commandTests:
                  - name: uid
                    command: id
                    args: [-u]
                    expectedOutput: ['^0\\s*$']
                  - name: stderr
                    command: sh
                    args: [-c, "echo to-stderr >&2"]
                    expectedOutput: [to-stderr]
                  - name: env
                    command: env
                    envVars: [{key: OWN, value: kept}]
                    expectedOutput: ["FOO=keepitsecret!", "BAR=keepitsafe!", "OWN=kept", "QUOTED=a b"]
                    excludedOutput: [EMPTY=, "#"]
                """;
        Map<String, String> sources = Map.of("tests/envfile", """
                # container-structure-test's tests/envfile, and more of what godotenv reads
                FOO=keepitsecret!
                export BAR='keepitsafe!'
                QUOTED="a b" # a comment
                EMPTY=
                """);
        Map<String, CaseResult> with = run(BAD, commands + """
                containerRunOptions:
                  user: root
                  allocateTty: true
                  envFile: tests/envfile
                """, sources);
        assertOutcome(QaOutcome.PASSED, with.get("uid"));
        assertOutcome(QaOutcome.PASSED, with.get("stderr"));
        assertOutcome(QaOutcome.PASSED, with.get("env"));
        Map<String, CaseResult> without = run(BAD, commands, sources);
        assertOutcome(QaOutcome.FAILED, without.get("uid"));
        assertOutcome(QaOutcome.FAILED, without.get("stderr"));
        assertOutcome(QaOutcome.FAILED, without.get("env"));
    }

    /** Parses a whole file (its own schemaVersion) and runs each test against {@code image}. */
    private static Map<String, CaseResult> runFile(String image, String text) {
        TestFile file = StructureTestParser.parse("tests/t.yaml", text);
        assertEquals(null, file.error());
        Map<String, CaseResult> results = new LinkedHashMap<>();
        for (PlannedTest t : file.tests()) {
            results.put(t.testCase().substring("kiln.cst.t.".length()), runner.run(image, t));
        }
        return results;
    }

    private static void assertOutcome(QaOutcome expected, CaseResult r, String... summaryParts) {
        assertEquals(expected, r.outcome(), r.summary());
        for (String part : summaryParts) {
            assertTrue(r.summary().contains(part), "\"" + r.summary() + "\" should contain \"" + part + "\"");
        }
    }

    @Test
    void commandTests() {
        Map<String, CaseResult> r = run(GOOD, """
                globalEnvVars:
                  - key: WHO
                    value: world
                commandTests:
                  - name: output and error
                    command: sh
                    args: ["-c", "echo $GREETING $WHO; echo oops >&2"]
                    expectedOutput: ["hello world"]
                    excludedOutput: ["bye"]
                    expectedError: ["oops"]
                    excludedError: ["fatal"]
                  - name: args expanded from the image config
                    command: sh
                    args: ["-c", "echo [$EXTRA] [${GREETING}] [$UNSET]"]
                    envVars:
                      - key: EXTRA
                        value: again
                    expectedOutput: ['^\\[\\] \\[hello\\] \\[\\]']
                  - name: setup and teardown
                    setup: [["touch", "/tmp/marker"], ["mkdir", "/tmp/dir"]]
                    command: ls
                    args: ["/tmp"]
                    expectedOutput: ["marker", "dir"]
                    teardown: [["rm", "/tmp/marker"]]
                  - name: exit three
                    command: sh
                    args: ["-c", "exit 3"]
                    exitCode: 3
                  - name: wrong exit code
                    command: sh
                    args: ["-c", "echo partial; exit 3"]
                  - name: wrong output
                    command: echo
                    args: ["goodbye"]
                    expectedOutput: ["^hello"]
                    excludedOutput: ["bye"]
                  - name: missing stderr
                    command: echo
                    args: ["fine"]
                    expectedError: ["warning"]
                  - name: no such binary
                    command: /usr/bin/python3
                  - name: failing setup
                    setup: [["sh", "-c", "exit 7"]]
                    command: "true"
                  - name: too slow
                    command: sleep
                    args: ["30"]
                """);
        assertOutcome(QaOutcome.PASSED, r.get("output-and-error"), "4 output checks passed");
        // as container-structure-test: $VAR in args comes from the image config plus globalEnvVars, not from the
        // test's own envVars (those only reach the process's environment); an unset variable is empty
        assertOutcome(QaOutcome.PASSED, r.get("args-expanded-from-the-image-config"));
        assertOutcome(QaOutcome.PASSED, r.get("setup-and-teardown"));
        assertOutcome(QaOutcome.PASSED, r.get("exit-three"));
        assertOutcome(QaOutcome.FAILED, r.get("wrong-exit-code"), "exit code 3, expected 0", "stdout: partial");
        assertOutcome(QaOutcome.FAILED, r.get("wrong-output"), "stdout does not match \"^hello\"", "stdout matches excluded \"bye\"");
        assertOutcome(QaOutcome.FAILED, r.get("missing-stderr"), "stderr does not match \"warning\"");
        assertOutcome(QaOutcome.FAILED, r.get("no-such-binary"), "exit code 127");
        assertOutcome(QaOutcome.FAILED, r.get("failing-setup"), "setup command [sh, -c, exit 7] exited 7");
        assertOutcome(QaOutcome.FAILED, r.get("too-slow"), "did not exit within 3s");
    }

    @Test
    void commandTestsClearTheEntrypoint() {
        Map<String, CaseResult> r = run(BAD, """
                commandTests:
                  - name: whoami
                    command: id
                    args: ["-u"]
                    expectedOutput: ["^1000"]
                """);
        assertOutcome(QaOutcome.PASSED, r.get("whoami"));
    }

    @Test
    void fileExistenceTests() {
        Map<String, CaseResult> r = run(GOOD, """
                fileExistenceTests:
                  - name: script
                    path: /app/run.sh
                    permissions: "-rwxr-xr-x"
                    uid: 0
                    gid: 0
                    isExecutableBy: other
                  - name: directory
                    path: /app
                    permissions: "drwxr-xr-x"
                  - name: absent as wanted
                    path: /etc/shadow-copy
                    shouldExist: false
                  - name: missing
                    path: /etc/missing.conf
                  - name: present but unwanted
                    path: /app/app.conf
                    shouldExist: false
                  - name: wrong permissions and owner
                    path: /app/app.conf
                    permissions: "-rw-------"
                    uid: 1000
                  - name: not executable
                    path: /app/app.conf
                    isExecutableBy: owner
                """);
        assertOutcome(QaOutcome.PASSED, r.get("script"), "-rwxr-xr-x");
        assertOutcome(QaOutcome.PASSED, r.get("directory"));
        assertOutcome(QaOutcome.PASSED, r.get("absent-as-wanted"));
        assertOutcome(QaOutcome.FAILED, r.get("missing"), "/etc/missing.conf does not exist");
        assertOutcome(QaOutcome.FAILED, r.get("present-but-unwanted"), "exists but should not");
        assertOutcome(QaOutcome.FAILED, r.get("wrong-permissions-and-owner"), "permissions are -rw-r--r--, expected -rw-------",
                "owner uid is 0, expected 1000");
        assertOutcome(QaOutcome.FAILED, r.get("not-executable"), "is not executable by owner");
    }

    @Test
    void fileContentTests() {
        Map<String, CaseResult> r = run(GOOD, """
                fileContentTests:
                  - name: config
                    path: /app/app.conf
                    expectedContents: ["port=8080", "(?m)^mode=prod$"]
                    excludedContents: ["debug=true"]
                  - name: config mismatch
                    path: /app/app.conf
                    expectedContents: ["port=9090"]
                    excludedContents: ["mode=prod"]
                  - name: no file
                    path: /app/none.conf
                    expectedContents: ["x"]
                """);
        assertOutcome(QaOutcome.PASSED, r.get("config"), "3 content checks passed");
        assertOutcome(QaOutcome.FAILED, r.get("config-mismatch"), "does not match \"port=9090\"", "matches excluded \"mode=prod\"");
        assertOutcome(QaOutcome.FAILED, r.get("no-file"), "/app/none.conf does not exist");
    }

    @Test
    void metadataTests() {
        String good = """
                metadataTest:
                  envVars:
                    - key: GREETING
                      value: hello
                    - key: PATH
                      value: "^/"
                      isRegex: true
                  labels:
                    - key: vendor
                      value: ACME Inc
                  exposedPorts: ["8080"]
                  unexposedPorts: ["22"]
                  volumes: ["/data"]
                  entrypoint: []
                  cmd: ["/app/run.sh"]
                  workdir: /app
                  user: ""
                """;
        assertOutcome(QaOutcome.PASSED, run(GOOD, good).get("metadata"), "metadata as expected");
        CaseResult bad = run(BAD, good).get("metadata");
        assertOutcome(QaOutcome.FAILED, bad, "user is \"1000:1000\", expected \"\"");
        CaseResult wrong = run(GOOD, """
                metadataTest:
                  labels:
                    - key: vendor
                      value: "^Other"
                      isRegex: true
                  exposedPorts: ["9090"]
                  workdir: /srv
                  cmd: ["/bin/sh"]
                """).get("metadata");
        assertOutcome(QaOutcome.FAILED, wrong, "label vendor is \"ACME Inc\", expected to match \"^Other\"",
                "port 9090 is not exposed", "workdir is \"/app\", expected \"/srv\"", "cmd is [/app/run.sh], expected [/bin/sh]");
    }

    @Test
    void metadataUnboundEnvVars() {
        assertOutcome(QaOutcome.PASSED, run(GOOD, """
                metadataTest:
                  unboundEnvVars:
                    - key: SECRET
                  unmountedVolumes: ["/srv"]
                """).get("metadata"), "metadata as expected");
        assertOutcome(QaOutcome.FAILED, run(GOOD, """
                metadataTest:
                  unboundEnvVars:
                    - key: GREETING
                  unmountedVolumes: ["/data"]
                """).get("metadata"), "env var GREETING is set, expected it unset", "/data");
    }

    /** container-structure-test's tests/amd64/ubuntu_22_04_metadata_test.yaml, verbatim: it passes there. */
    @Test
    void containerStructureTestsOwnMetadataFile() {
        assertOutcome(QaOutcome.PASSED, runFile(METADATA, """
                schemaVersion: '2.0.0' # Make sure to test the latest schema version
                metadataTest:
                  envVars:
                  - key: 'SOME_KEY'
                    value: 'SOME_VAL'
                  - key: 'EMPTY_VAR'
                    value: ''
                  - key: 'FOO_BAR'
                    value: 'FOO\\:BAR=BAZ'
                  - key: 'REGEX_VAR'
                    value: '[a-z]+-2\\.1\\.*'
                    isRegex: true
                  unboundEnvVars:
                  - key: 'BAR_FOO'
                  labels:
                  - key: 'localnet.localdomain.commit_hash'
                    value: '0123456789abcdef0123456789abcdef01234567'
                  - key: 'localnet.my-domain.my-label'
                    value: 'my .+ label'
                    isRegex: true
                  - key: 'label-with-empty-val'
                    value: ''
                  unexposedPorts: ['80']
                  unmountedVolumes: ['/root']
                """).get("metadata"), "metadata as expected");
    }

    /** A schemaVersion 1.0.0 file: command is the whole argv; same verdicts as 2.0.0. */
    @Test
    void schemaVersion1Files() {
        Map<String, CaseResult> r = runFile(GOOD, """
                schemaVersion: "1.0.0"
                commandTests:
                  - name: say hello
                    command: ["sh", "-c", "echo hello; echo warn >&2"]
                    expectedOutput: ["^hello"]
                    excludedOutput: ["bye"]
                    expectedError: ["warn"]
                    excludedError: ["fatal"]
                  - name: setup
                    setup: [["touch", "/tmp/marker"]]
                    command: ["ls", "/tmp"]
                    expectedOutput: ["marker"]
                  - name: exit code
                    command: ["sh", "-c", "exit 2"]
                    exitCode: 2
                  - name: wrong exit code
                    command: ["false"]
                fileExistenceTests:
                  - name: run script
                    path: /app/run.sh
                    permissions: "-rwxr-xr-x"
                  - name: gone
                    path: /app/none
                    shouldExist: false
                  - name: must exist
                    path: /app/none
                fileContentTests:
                  - name: conf
                    path: /app/app.conf
                    expectedContents: ["port=8080"]
                    excludedContents: ["mode=dev"]
                licenseTests:
                  - debian: true
                """);
        assertOutcome(QaOutcome.PASSED, r.get("say-hello"));
        assertOutcome(QaOutcome.PASSED, r.get("setup"));
        assertOutcome(QaOutcome.PASSED, r.get("exit-code"));
        assertOutcome(QaOutcome.FAILED, r.get("wrong-exit-code"), "exit code 1, expected 0");
        assertOutcome(QaOutcome.PASSED, r.get("run-script"));
        assertOutcome(QaOutcome.PASSED, r.get("gone"));
        assertOutcome(QaOutcome.FAILED, r.get("must-exist"));
        assertOutcome(QaOutcome.PASSED, r.get("conf"));
        assertOutcome(QaOutcome.PASSED, r.get("license"));
    }

    @Test
    void licenseTests() {
        String yaml = """
                licenseTests:
                  - debian: true
                    files: ["/usr/share/doc/pkga/copyright"]
                """;
        assertOutcome(QaOutcome.PASSED, run(GOOD, yaml).get("license"), "1 Debian packages with a copyright file");
        assertOutcome(QaOutcome.FAILED, run(BAD, yaml).get("license"), "no copyright file in /usr/share/doc/ for pkgb");
        assertOutcome(QaOutcome.FAILED, run(TestDocker.BASE_IMAGE, yaml).get("license"), "/usr/share/doc does not exist",
                "/usr/share/doc/pkga/copyright does not exist");
        // as container-structure-test: AGPL / WTFPL (any case) in a license text fails; libgnutls30 is skipped
        CaseResult refused = run(LICENSES, """
                licenseTests:
                  - debian: true
                    files: ["/LICENSE"]
                """).get("license");
        assertOutcome(QaOutcome.FAILED, refused, "/usr/share/doc/pkgc/copyright contains AGPL", "/LICENSE contains WTFPL");
        assertFalse(refused.summary().contains("pkga"), refused.summary());
        assertFalse(refused.summary().contains("libgnutls30"), refused.summary());
    }

    @Test
    void builtInChecks() {
        BuiltInChecks checks = new BuiltInChecks(docker, qaConfig(Map.of("tiny", 1024L)), LIMITS);
        ImagePushed pushed = new ImagePushed(UUID.randomUUID().toString(), "cst", false, new Nvr("cst", "1.0", "1"),
                "localhost:5000", "cst", List.of("1.0-1"), "sha256:" + "ab".repeat(32), "application/json", 1, Instant.now());
        ImagePushed tiny = new ImagePushed(pushed.buildId(), "tiny", false, pushed.nvr(), pushed.registry(), pushed.repository(),
                pushed.tags(), pushed.digest(), pushed.mediaType(), 1, Instant.now());
        var good = docker.inspect(GOOD);
        var bad = docker.inspect(BAD);
        var base = docker.inspect(TestDocker.BASE_IMAGE);

        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.STARTS, pushed, GOOD, good), "exited 0");
        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.LABELS, pushed, GOOD, good), "name, version");
        assertOutcome(QaOutcome.FAILED, checks.run(BuiltInChecks.LABELS, pushed, TestDocker.BASE_IMAGE, base),
                "missing required labels name, version");
        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.NO_SECRETS, pushed, GOOD, good));
        assertOutcome(QaOutcome.FAILED, checks.run(BuiltInChecks.NO_SECRETS, pushed, BAD, bad), "/etc/app/key.pem (PEM private key",
                "/root/.ssh/id_rsa (credential file name");
        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.SIZE, pushed, GOOD, good), "of the 2.0 GiB budget");
        assertOutcome(QaOutcome.FAILED, checks.run(BuiltInChecks.SIZE, tiny, GOOD, good), "over the budget of 1.0 KiB for tiny");
        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.USER, pushed, GOOD, good), "warning: runs as root");
        assertOutcome(QaOutcome.PASSED, checks.run(BuiltInChecks.USER, pushed, BAD, bad), "runs as 1000:1000");
        assertTrue(!checks.run(BuiltInChecks.USER, pushed, BAD, bad).summary().contains("warning"));
    }

    static QaConfig.Qa qaConfig(Map<String, Long> budgets) {
        return new QaConfig.Qa() {
            public Duration timeout() {
                return LIMITS.timeout();
            }

            public Duration pullTimeout() {
                return Duration.ofMinutes(1);
            }

            public long memoryBytes() {
                return LIMITS.memoryBytes();
            }

            public long pidsLimit() {
                return LIMITS.pidsLimit();
            }

            public int logLines() {
                return LIMITS.logLines();
            }

            public boolean removeImage() {
                return false;
            }

            public Duration sourceWait() {
                return Duration.ofSeconds(1);
            }

            public long sizeBudgetBytes() {
                return 2L << 30;
            }

            public Map<String, Long> sizeBudgets() {
                return budgets;
            }

            public List<String> requiredLabels() {
                return List.of("name", "version");
            }

            public long secretScanMaxFileBytes() {
                return 1 << 20;
            }

            public Optional<List<String>> hookTokens() {
                return Optional.empty();
            }

            public Optional<List<String>> passEnv() {
                return Optional.empty();
            }
        };
    }
}
