package dev.kiln.buildsubmission;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildState;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.Source;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class SubmissionResourceTest {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    AgroalDataSource dataSource;

    static final String ADMIN_TOKEN = "test-admin-token";

    /** A request with the bootstrap admin token of the test profile. */
    static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    static String upload(byte[] archive, String contentType) {
        return admin().contentType(contentType).body(archive)
                .when().post("/api/v1/contexts")
                .then().statusCode(201)
                .body("size", equalTo(archive.length))
                .extract().path("digest");
    }

    static Response submitContext(String digest, String extraJson) {
        return admin().contentType("application/json")
                .body("{\"context\":{\"digest\":\"" + digest + "\"}" + extraJson + "}")
                .when().post("/api/v1/builds");
    }

    @Test
    void contextUploadSubmitAndBuildRequestedEvent() throws Exception {
        String name = "hello" + unique();
        byte[] tar = TestTars.context("FROM localhost:5001/base/busybox:latest\nLABEL name=" + name
                + " version=1.0 \\\n      summary=\"a greeting\"\nCOPY hello.txt /\n");
        String digest = upload(tar, "application/x-tar");
        assertEquals(digest, upload(tar, "application/x-tar"), "same bytes, same digest");

        byte[] back = admin().when().get("/api/v1/contexts/" + digest)
                .then().statusCode(200).contentType("application/octet-stream").extract().asByteArray();
        assertArrayEquals(tar, back);

        Response r = submitContext(digest, ",\"requester\":\"alice\"");
        r.then().statusCode(201)
                .header("Location", containsString("/api/v1/builds/"))
                .body("state", equalTo("SUBMITTED"))
                .body("component", equalTo(name))
                .body("nvr", equalTo(name + "-1.0-1"))
                .body("scratch", equalTo(false))
                .body("requester", equalTo("alice"))
                .body("dockerfilePath", equalTo("Dockerfile"))
                .body("source.kind", equalTo("CONTEXT"))
                .body("source.contextDigest", equalTo(digest))
                .body("history", hasSize(1))
                .body("history[0].state", equalTo("SUBMITTED"))
                .body("failure", nullValue())
                .body("candidate", nullValue());
        String id = r.path("id");

        admin().when().get("/api/v1/builds/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("createdAt", notNullValue()).body("nvr", equalTo(name + "-1.0-1"));

        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT state, nvr_release FROM submission.builds WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals("SUBMITTED", rs.getString(1));
                assertEquals("1", rs.getString(2));
            }
        }

        ConsumerRecord<String, String> rec = TestKafka.await(EventType.BUILD_REQUESTED.topic(), x -> id.equals(x.key()));
        assertEquals("dev.kiln.build.requested.v1", TestKafka.header(rec, CloudEventHeaders.TYPE));
        assertEquals(id, TestKafka.header(rec, CloudEventHeaders.SUBJECT));
        BuildRequested ev = EventCodec.decode(rec.value(), BuildRequested.class);
        assertEquals(name, ev.component());
        assertEquals("1", ev.nvr().release());
        assertEquals(Source.context(digest), ev.source());
        assertEquals("alice", ev.requester());

        ConsumerRecord<String, String> sc = TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(), x -> id.equals(x.key()));
        BuildStateChanged changed = EventCodec.decode(sc.value(), BuildStateChanged.class);
        assertEquals(null, changed.oldState());
        assertEquals(BuildState.SUBMITTED, changed.newState());

        admin().queryParam("component", name).when().get("/api/v1/builds")
                .then().statusCode(200).body("", hasSize(1)).body("[0].id", equalTo(id));
    }

    @Test
    void gzippedContextIsAccepted() {
        String name = "gz" + unique();
        byte[] tgz = TestTars.gzip(TestTars.context("FROM x\nLABEL name=" + name + " version=3\n"));
        String digest = upload(tgz, "application/gzip");
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-3-1"));
    }

    @Test
    void releaseIsBumpedAutomatically() {
        String name = "bump" + unique();
        String digest = upload(TestTars.context("FROM x\nLABEL name=" + name + " version=1.0\n"), "application/x-tar");
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-1.0-1"));
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-1.0-2"));
        // a scratch build reserves nothing and does not use up a release
        submitContext(digest, ",\"scratch\":true").then().statusCode(201)
                .body("nvr", equalTo(name + "-1.0")).body("scratch", equalTo(true));
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-1.0-3"));
    }

    @Test
    void concurrentSubmissionsReserveDistinctReleases() throws Exception {
        String name = "conc" + unique();
        String digest = upload(TestTars.context("FROM x\nLABEL name=" + name + " version=1.0\n"), "application/x-tar");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> submitContext(digest, "").then().statusCode(201)
                        .extract().<String>path("nvr")));
            }
            Set<String> nvrs = new HashSet<>();
            for (Future<String> f : futures) {
                nvrs.add(f.get());
            }
            Set<String> expected = new HashSet<>();
            for (int r = 1; r <= 6; r++) {
                expected.add(name + "-1.0-" + r);
            }
            assertEquals(expected, nvrs);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void explicitDuplicateNvrIsAConflict() {
        String name = "dup" + unique();
        String digest = upload(TestTars.context("FROM x\nLABEL name " + name + "\nLABEL version=1.0 release=1\n"),
                "application/x-tar");
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-1.0-1"));
        submitContext(digest, "").then().statusCode(409).contentType(PROBLEM)
                .body("status", equalTo(409))
                .body("title", notNullValue())
                .body("type", startsWith("https://"))
                .body("detail", containsString(name + "-1.0-1 was already built"));
        // scratch builds of the same NVR are fine
        submitContext(digest, ",\"scratch\":true").then().statusCode(201).body("nvr", equalTo(name + "-1.0"));
    }

    @Test
    void labelsAreReadAsDockerReadsThem() {
        // the backtick escape directive continues the LABEL; the final stage inherits the labels of the stage it
        // is built from
        String name = "esc" + unique();
        String digest = upload(TestTars.context("# escape=`\nFROM x AS base\nLABEL name=" + name + " `\n"
                + "  # a comment inside the continuation\n  version=2.5\nFROM base\nLABEL release=7\n"),
                "application/x-tar");
        submitContext(digest, "").then().statusCode(201).body("nvr", equalTo(name + "-2.5-7"));
    }

    @Test
    void missingVersionLabelIsRefused() {
        String digest = upload(TestTars.context("FROM x\nLABEL name=noversion\n"), "application/x-tar");
        submitContext(digest, "").then().statusCode(400).contentType(PROBLEM)
                .body("status", equalTo(400)).body("detail", containsString("version"));
        String noName = upload(TestTars.context("FROM x\nLABEL version=1\n"), "application/x-tar");
        submitContext(noName, "").then().statusCode(400).contentType(PROBLEM).body("detail", containsString("'name'"));
    }

    @Test
    void unsafeArchivesAreRefused() {
        byte[] evil = TestTars.builder().file("Dockerfile", "FROM x\n").file("../evil", "x").build();
        admin().contentType("application/x-tar").body(evil).when().post("/api/v1/contexts")
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("../evil"));
        byte[] link = TestTars.builder().file("Dockerfile", "FROM x\n").symlink("passwd", "/../etc/passwd").build();
        admin().contentType("application/x-tar").body(link).when().post("/api/v1/contexts")
                .then().statusCode(400).contentType(PROBLEM);
        admin().contentType("application/x-tar").body("not a tar".getBytes(StandardCharsets.UTF_8))
                .when().post("/api/v1/contexts").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void oversizedArchiveIs413() {
        byte[] big = new byte[2 * 1024 * 1024]; // the test profile allows 1 MiB
        new Random(1).nextBytes(big);
        admin().contentType("application/x-tar").body(big).when().post("/api/v1/contexts")
                .then().statusCode(413).contentType(PROBLEM).body("detail", containsString("kiln.context.max-bytes"));
    }

    @Test
    void errorsAreProblems() {
        admin().when().get("/api/v1/builds/" + UUID.randomUUID()).then().statusCode(404).contentType(PROBLEM)
                .body("status", equalTo(404));
        admin().when().get("/api/v1/contexts/sha256:" + "0".repeat(64)).then().statusCode(404).contentType(PROBLEM);
        admin().contentType("application/json").body("{\"context\": ").when().post("/api/v1/builds")
                .then().statusCode(400).contentType(PROBLEM).body("title", equalTo("Malformed JSON"));
        admin().contentType("application/json").body("{}").when().post("/api/v1/builds")
                .then().statusCode(400).contentType(PROBLEM);
        submitContext("sha256:" + "1".repeat(64), "").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("/api/v1/contexts"));
        admin().contentType("application/json").body("{\"git\":{\"url\":\"ssh://example.org/x.git\",\"ref\":\"main\"}}")
                .when().post("/api/v1/builds").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("schemes"));
        admin().queryParam("state", "NOPE").when().get("/api/v1/builds").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void gitSourceIsResolvedToACommit() throws Exception {
        String name = "gitapp" + unique();
        Path repo = Files.createTempDirectory("kiln-test-repo-");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(repo.resolve("images"));
            Files.writeString(repo.resolve("images/Dockerfile"), "FROM x\nLABEL name=" + name + " version=2.0\n");
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("first").setAuthor("t", "t@example.org")
                    .setCommitter("t", "t@example.org").setSign(false).call();
            git.tag().setName("v2.0").setAnnotated(true).setMessage("v2.0").call();
        }
        String url = repo.toUri().toString();
        Response r = admin().contentType("application/json")
                .body("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"main\"},\"dockerfile\":\"images/Dockerfile\"}")
                .when().post("/api/v1/builds");
        r.then().statusCode(201)
                .body("source.kind", equalTo("GIT"))
                .body("source.gitUrl", equalTo(url))
                .body("source.gitRef", equalTo("main"))
                .body("source.gitCommit", equalTo(commit.name()))
                .body("nvr", equalTo(name + "-2.0-1"));
        String id = r.path("id");
        BuildRequested ev = EventCodec.decode(
                TestKafka.await(EventType.BUILD_REQUESTED.topic(), x -> id.equals(x.key())).value(), BuildRequested.class);
        assertEquals(Source.git(url, "main", commit.name()), ev.source());
        assertEquals("images/Dockerfile", ev.dockerfilePath());

        // an annotated tag and a commit id resolve to the same commit
        admin().contentType("application/json")
                .body("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"v2.0\"},\"dockerfile\":\"images/Dockerfile\"}")
                .when().post("/api/v1/builds").then().statusCode(201).body("source.gitCommit", equalTo(commit.name()));
        admin().contentType("application/json")
                .body("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"" + commit.name() + "\"},\"dockerfile\":\"images/Dockerfile\"}")
                .when().post("/api/v1/builds").then().statusCode(201).body("nvr", equalTo(name + "-2.0-3"));
        admin().contentType("application/json")
                .body("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"nope\"},\"dockerfile\":\"images/Dockerfile\"}")
                .when().post("/api/v1/builds").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("nope"));
        admin().contentType("application/json")
                .body("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"main\"}}")
                .when().post("/api/v1/builds").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("Dockerfile"));
    }

    static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
