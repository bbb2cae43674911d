package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static dev.kiln.buildsubmission.SubmissionResourceTest.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;

/** Every bad input is a 4xx problem document with a sentence to act on, and nothing is stored. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class BadInputTest {
    private static final String PROBLEM = "application/problem+json";
    private static final List<String> TABLES = List.of("builds", "build_history", "contexts", "nvr_reservations",
            "components", "component_owners", "api_tokens");

    @Inject
    AgroalDataSource dataSource;

    String counts() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM submission." + t)) {
                    rs.next();
                    sb.append(t).append('=').append(rs.getLong(1)).append(' ');
                }
            }
        }
        return sb.toString();
    }

    /** Sends the request; expects the status, a problem document with a detail, and no row added anywhere. */
    void refused(int status, String detailPart, Supplier<Response> request) throws Exception {
        String before = counts();
        Response r = request.get();
        r.then().statusCode(status).contentType(PROBLEM)
                .body("status", equalTo(status)).body("title", notNullValue()).body("type", notNullValue())
                .body("detail", containsString(detailPart));
        assertEquals(before, counts(), "a refused request stored something: " + r.asString());
    }

    static Response postContext(byte[] tar) {
        return admin().contentType("application/x-tar").body(tar).when().post("/api/v1/contexts");
    }

    static Response postBuild(String json) {
        return admin().contentType("application/json").body(json).when().post("/api/v1/builds");
    }

    @Test
    void malformedRequests() throws Exception {
        refused(400, "not valid JSON", () -> postBuild("{\"context\": "));
        refused(400, "not valid JSON", () -> postBuild("[1, 2]"));
        refused(400, "not valid JSON", () -> postBuild("{\"scratch\": \"maybe\", \"context\": {\"digest\": \"x\"}}"));
        refused(400, "exactly one source", () -> postBuild("{}"));
        refused(400, "context.digest", () -> postBuild("{\"context\": {}}"));
        refused(400, "sha256", () -> postBuild("{\"context\": {\"digest\": \"md5:abc\"}}"));
        refused(415, "", () -> admin().contentType("text/plain").body("hello").when().post("/api/v1/builds"));
        refused(400, "", () -> admin().contentType("application/json").body("{\"user\":1,\"role\":[]}")
                .when().post("/api/v1/tokens"));
        refused(400, "owners", () -> admin().contentType("application/json").body("{\"name\":\"x" + unique() + "\"}")
                .when().post("/api/v1/components"));
    }

    @Test
    void unsafeOrOversizedArchives() throws Exception {
        refused(400, "../evil", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("../evil", "x").build()));
        refused(400, "sub/../../evil", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("sub/../../evil", "x").build()));
        refused(400, "absolute path", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("/etc/cron.d/evil", "x").build()));
        refused(400, "outside the build context", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .symlink("passwd", "/../etc/passwd").build()));
        refused(400, "outside the build context", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .symlink("sub/up", "../../../etc").build()));
        refused(400, "tar", () -> postContext("not a tar at all".getBytes(StandardCharsets.UTF_8)));
        refused(400, "empty", () -> postContext(new byte[0]));
        byte[] big = new byte[2 * 1024 * 1024]; // the test profile allows 1 MiB
        new Random(2).nextBytes(big);
        refused(413, "kiln.context.max-bytes", () -> postContext(big));
        // a link inside the context is fine
        postContext(TestTars.builder().file("Dockerfile", "FROM x\nLABEL name=ok" + unique() + " version=1\n")
                .symlink("sub/ok", "../Dockerfile").build()).then().statusCode(201);
    }

    @Test
    void badBuildSources() throws Exception {
        String noLabels = SubmissionResourceTest.upload(TestTars.context("FROM x\n"), "application/x-tar");
        refused(400, "LABEL name=", () -> postBuild("{\"context\":{\"digest\":\"" + noLabels + "\"}}"));
        String noVersion = SubmissionResourceTest.upload(TestTars.context("FROM x\nLABEL name=nv" + unique() + "\n"),
                "application/x-tar");
        refused(400, "LABEL version=", () -> postBuild("{\"context\":{\"digest\":\"" + noVersion + "\"}}"));
        String unclosed = SubmissionResourceTest.upload(TestTars.context("FROM x\nLABEL name=\"open version=1\n"),
                "application/x-tar");
        refused(400, "line 2 opens a \" quote without closing it", () -> postBuild("{\"context\":{\"digest\":\""
                + unclosed + "\"}}"));
        String badEscape = SubmissionResourceTest.upload(TestTars.context("# escape=/\nFROM x\nLABEL name=e version=1\n"),
                "application/x-tar");
        refused(400, "the escape parser directive at line 1", () -> postBuild("{\"context\":{\"digest\":\""
                + badEscape + "\"}}"));
        String noFrom = SubmissionResourceTest.upload(TestTars.context("# LABEL name=x version=1\n"), "application/x-tar");
        refused(400, "\"Dockerfile\" has no FROM instruction", () -> postBuild("{\"context\":{\"digest\":\"" + noFrom
                + "\"}}"));
        refused(400, "'..'", () -> postBuild("{\"context\":{\"digest\":\"" + noVersion
                + "\"},\"dockerfile\":\"../Dockerfile\"}"));
        refused(400, "absolute path", () -> postBuild("{\"context\":{\"digest\":\"" + noVersion
                + "\"},\"dockerfile\":\"/etc/Dockerfile\"}"));
        refused(400, "not a file", () -> postBuild("{\"context\":{\"digest\":\"" + noVersion
                + "\"},\"dockerfile\":\"other/Dockerfile\"}"));
        refused(400, "/api/v1/contexts", () -> postBuild("{\"context\":{\"digest\":\"sha256:" + "2".repeat(64) + "\"}}"));
        refused(400, "schemes", () -> postBuild("{\"git\":{\"url\":\"ssh://example.org/x.git\",\"ref\":\"main\"}}"));
        refused(400, "schemes", () -> postBuild("{\"git\":{\"url\":\"ext::sh -c touch% /tmp/pwned\",\"ref\":\"main\"}}"));
        refused(400, "schemes", () -> postBuild("{\"git\":{\"url\":\"/srv/git/x\",\"ref\":\"main\"}}"));

        Path repo = Files.createTempDirectory("kiln-bad-repo-");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("Dockerfile"), "FROM x\nLABEL name=badref" + unique() + " version=1\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("c").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org")
                    .setSign(false).call();
        }
        String url = repo.toUri().toString();
        refused(400, "no-such-branch", () -> postBuild("{\"git\":{\"url\":\"" + url + "\",\"ref\":\"no-such-branch\"}}"));
        refused(400, "", () -> postBuild("{\"git\":{\"url\":\"" + url + "does-not-exist\",\"ref\":\"main\"}}"));

        // an unknown component, for a maintainer
        String token = AccessTest.token("maint" + unique(), "maintainer");
        String unknown = "unk" + unique();
        String digest = AccessTest.upload(token, "FROM x\nLABEL name=" + unknown + " version=1\n");
        refused(404, "is not registered; ask an admin: kiln component add " + unknown,
                () -> AccessTest.submit(token, digest, ""));
        assertTrue(counts().contains("builds="));
    }
}
