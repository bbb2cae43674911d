package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static dev.kiln.buildsubmission.SubmissionResourceTest.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every size is limited and every parameter checked: each refusal is a 4xx problem document whose detail names the
 * limit, quotes no more than an excerpt of the input, and leaves no row, no chunk and no spool file behind.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class InputLimitsTest {
    private static final String PROBLEM = "application/problem+json";
    private static final List<String> TABLES = List.of("builds", "build_history", "contexts", "context_chunks",
            "nvr_reservations", "components", "component_owners", "api_tokens");
    /** The test profile's kiln.context.spool-dir, relative to the module. */
    private static final Path SPOOL = Path.of("target/context-spool");

    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource("/")
    URL base;

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

    static long spoolFiles() throws IOException {
        if (!Files.isDirectory(SPOOL)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(SPOOL)) {
            return files.count();
        }
    }

    /** The status, a short problem document whose detail has {@code detailPart}, nothing stored or spooled. */
    void refused(int status, String detailPart, Supplier<Response> request) throws Exception {
        String before = counts();
        Response r = request.get();
        r.then().statusCode(status).contentType(PROBLEM)
                .body("status", equalTo(status)).body("title", notNullValue()).body("type", notNullValue())
                .body("detail", containsString(detailPart));
        assertTrue(r.asString().length() < 1000, "the answer quotes too much: " + r.asString().length() + " chars");
        assertEquals(before, counts(), "a refused request stored something: " + r.asString());
        assertEquals(0, spoolFiles(), "a spool file was left behind");
    }

    static Response postContext(byte[] tar) {
        return admin().contentType("application/x-tar").body(tar).when().post("/api/v1/contexts");
    }

    static Response postBuild(String json) {
        return admin().contentType("application/json").body(json).when().post("/api/v1/builds");
    }

    @Test
    void uploadsAreLimitedAsSentAndUnpacked() throws Exception {
        // the test profile allows 1 MiB as sent, 4 MiB unpacked, 500 entries
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(big);
        refused(413, "at most 1048576 bytes are accepted (kiln.context.max-bytes)", () -> postContext(big));
        // the same body chunked, without a Content-Length: counted as it arrives
        String before = counts();
        HttpResponse<String> chunked = chunked("api/v1/contexts", "application/x-tar", big);
        assertEquals(413, chunked.statusCode(), chunked.body());
        assertEquals(PROBLEM, chunked.headers().firstValue("Content-Type").orElse(""));
        assertTrue(chunked.body().contains("kiln.context.max-bytes"), chunked.body());
        assertEquals(before, counts());
        assertEquals(0, spoolFiles());

        // 8 MiB of zeros in a few kB of gzip: refused by the declared size, neither inflated nor stored
        byte[] bomb = TestTars.gzip(TestTars.builder().file("Dockerfile", "FROM x\n").zeros("zeros", 8L << 20)
                .build());
        assertTrue(bomb.length < 64 * 1024);
        refused(413, "unpacks to more than 4194304 bytes, the most a build context may hold "
                + "(kiln.context.max-expanded-bytes)", () -> postContext(bomb));
        // several entries that together unpack to too much
        TestTars manyBig = TestTars.builder();
        for (int i = 0; i < 5; i++) {
            manyBig.zeros("z" + i, 1 << 20);
        }
        refused(413, "kiln.context.max-expanded-bytes", () -> postContext(TestTars.gzip(manyBig.build())));

        TestTars many = TestTars.builder().file("Dockerfile", "FROM x\n");
        for (int i = 0; i < 500; i++) {
            many.file("f/" + i, "");
        }
        refused(413, "more than 500 entries, the most a build context may have (kiln.context.max-entries)",
                () -> postContext(many.build()));
        refused(400, "is 1030 bytes long; a path in a build context may have at most 1024 "
                + "(kiln.context.max-path-length)", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("long/" + "n".repeat(1025), "x").build()));
        // a context just inside every limit is stored, and read back byte for byte
        byte[] fine = TestTars.gzip(TestTars.builder().file("Dockerfile", "FROM x\n").zeros("zeros", 3L << 20)
                .build());
        String digest = SubmissionResourceTest.upload(fine, "application/gzip");
        assertEquals("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fine)), digest);
        byte[] back = given().when().get("/api/v1/contexts/" + digest).then().statusCode(200)
                .contentType("application/octet-stream").extract().asByteArray();
        assertTrue(java.util.Arrays.equals(fine, back));
        assertEquals(0, spoolFiles());
    }

    @Test
    void linksThatEscapeAreResolvedAndRefused() throws Exception {
        // a/b -> .. and s -> a/b stay inside; t -> s/.. is the context's parent once s is followed
        refused(400, "symbolic link \"t\" -> \"s/..\" resolves to a path outside the build context",
                () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n").dir("a").symlink("a/b", "..")
                        .symlink("s", "a/b").symlink("t", "s/..").build()));
        refused(400, "more than 40 symbolic links (kiln.context.max-link-hops)", () -> postContext(TestTars.builder()
                .file("Dockerfile", "FROM x\n").symlink("loop", "loop/x").build()));
        refused(400, "'..'", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .hardlink("h", "../../etc/shadow").build()));
        refused(400, "absolute path", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .hardlink("h", "/etc/shadow").build()));
        refused(400, "not a regular file earlier in the archive", () -> postContext(TestTars.builder()
                .file("Dockerfile", "FROM x\n").hardlink("h", "etc/shadow").build()));
        refused(400, "absolute path", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("/abs", "x").build()));
        refused(400, "'..'", () -> postContext(TestTars.builder().file("Dockerfile", "FROM x\n")
                .file("a/../../up", "x").build()));
        // links that stay inside are kept
        postContext(TestTars.builder().file("Dockerfile", "FROM x\n").dir("a").symlink("a/b", "..")
                .symlink("s", "a/b").hardlink("copy", "Dockerfile").build()).then().statusCode(201);
    }

    @Test
    void labelsAndFieldsAreLimited() throws Exception {
        String maint = "lim" + unique();
        String token = AccessTest.token(maint, "maintainer");
        String digest300k = AccessTest.upload(token, "FROM x\nLABEL name=lim" + unique() + " version=" + "1".repeat(300_000)
                + "\n");
        refused(400, "the version label is 300000 characters long; at most 128 are allowed (kiln.limits.label-length)",
                () -> AccessTest.submit(token, digest300k, ""));
        String name1m = SubmissionResourceTest.upload(TestTars.context("FROM x\nLABEL name=" + "n".repeat(1_000_000)
                + " version=1\n"), "application/x-tar");
        refused(400, "(kiln.limits.label-length)", () -> postBuild("{\"context\":{\"digest\":\"" + name1m + "\"}}"));
        String ok = SubmissionResourceTest.upload(TestTars.context("FROM x\nLABEL name=lim" + unique()
                + " version=1\n"), "application/x-tar");
        refused(400, "component is 1000000 characters long; at most 128 are allowed (kiln.limits.field-length)",
                () -> postBuild("{\"context\":{\"digest\":\"" + ok + "\"},\"component\":\"" + "c".repeat(1_000_000)
                        + "\"}"));
        refused(400, "kiln.limits.field-length", () -> postBuild("{\"context\":{\"digest\":\"" + ok
                + "\"},\"requester\":\"" + "r".repeat(1_000_000) + "\"}"));
        refused(400, "requester must be 1 to 128 letters", () -> postBuild("{\"context\":{\"digest\":\"" + ok
                + "\"},\"requester\":\"bob; DROP TABLE builds\"}"));
        refused(400, "(kiln.limits.text-length)", () -> postBuild("{\"git\":{\"url\":\"https://example.org/"
                + "x".repeat(3000) + "\"}}"));
        refused(400, "(kiln.context.max-path-length)", () -> postBuild("{\"context\":{\"digest\":\"" + ok
                + "\"},\"dockerfile\":\"" + "d/".repeat(600) + "\"}"));
        refused(400, "kiln.limits.field-length", () -> admin().contentType("application/json")
                .body("{\"name\":\"" + "c".repeat(200_000) + "\",\"owners\":[\"a\"]}").post("/api/v1/components"));
        refused(400, "kiln.limits.field-length", () -> admin().contentType("application/json")
                .body("{\"user\":\"" + "u".repeat(200_000) + "\",\"role\":\"maintainer\"}").post("/api/v1/tokens"));
        refused(400, "(kiln.limits.text-length)", () -> admin().contentType("application/json")
                .body("{\"user\":\"u" + unique() + "\",\"role\":\"maintainer\",\"description\":\"" + "d".repeat(5000)
                        + "\"}").post("/api/v1/tokens"));
        refused(400, "got \"" + "r".repeat(64) + "\"…", () -> admin().contentType("application/json")
                .body("{\"user\":\"u" + unique() + "\",\"role\":\"" + "r".repeat(100_000) + "\"}")
                .post("/api/v1/tokens"));
        StringBuilder owners = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            owners.append(i == 0 ? "" : ",").append("\"o").append(i).append('"');
        }
        refused(400, "at most 100 owners (kiln.limits.max-owners)", () -> admin().contentType("application/json")
                .body("{\"name\":\"own" + unique() + "\",\"owners\":" + owners + "]}").post("/api/v1/components"));
        // a JSON body over kiln.limits.json-body-bytes, with and without a Content-Length
        String huge = "{\"context\":{\"digest\":\"" + "x".repeat(1_200_000) + "\"}}";
        refused(413, "at most 1048576 bytes (kiln.limits.json-body-bytes)", () -> postBuild(huge));
        String before = counts();
        HttpResponse<String> chunked = chunked("api/v1/builds", "application/json", huge.getBytes());
        assertEquals(413, chunked.statusCode(), chunked.body());
        assertTrue(chunked.body().contains("kiln.limits.json-body-bytes"), chunked.body());
        assertEquals(before, counts());
    }

    @Test
    void parametersAreChecked() throws Exception {
        refused(400, "build id must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/builds/abc%00def"));
        refused(400, "build id must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/builds/abc%0Adef/logs"));
        refused(400, "build id must not contain control characters", () -> admin().urlEncodingEnabled(false)
                .post("/api/v1/builds/abc%00def/cancel"));
        refused(400, "build id is 200 characters long; at most 128 are allowed (kiln.limits.field-length)",
                () -> given().get("/api/v1/builds/" + "b".repeat(200)));
        refused(404, "there is no build \"nope\"", () -> given().get("/api/v1/builds/nope"));
        refused(400, "component must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/components/x%00y"));
        refused(400, "digest", () -> given().urlEncodingEnabled(false).get("/api/v1/contexts/sha256%3Ax%00"));
        refused(400, "digest in the path must look like sha256:", () -> given().get("/api/v1/contexts/md5:abc"));
        refused(400, "component must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/builds?component=a%00b"));
        refused(400, "requester is 300 characters long", () -> given().queryParam("requester", "r".repeat(300))
                .get("/api/v1/builds"));
        refused(400, "state must be one of", () -> given().queryParam("state", "S".repeat(100)).get("/api/v1/builds"));
        refused(400, "limit must be between 1 and 500", () -> given().queryParam("limit", "0").get("/api/v1/builds"));
        refused(400, "limit must be between 1 and 500", () -> given().queryParam("limit", "501").get("/api/v1/builds"));
        refused(400, "limit must be a whole number", () -> given().queryParam("limit", "9".repeat(40))
                .get("/api/v1/builds"));
        refused(400, "page counts from 1", () -> given().queryParam("page", "0").get("/api/v1/builds"));
        refused(400, "starts beyond the 1000000th build", () -> given().queryParam("page", "2000000")
                .get("/api/v1/builds"));
        refused(400, "since must be an ISO-8601 instant", () -> given().queryParam("since", "yesterday")
                .get("/api/v1/builds"));
    }

    @Test
    void bodiesNeedAContentType() throws Exception {
        String json = "Content-Type: application/json";
        refusedRaw(415, json, "POST", "api/v1/builds", "{\"git\":{\"url\":\"https://example.org/x.git\"}}".getBytes());
        refusedRaw(415, "application/x-tar", "POST", "api/v1/contexts",
                TestTars.context("FROM x\n"));
        refusedRaw(415, json, "POST", "api/v1/components", ("{\"name\":\"ct" + unique()
                + "\",\"owners\":[\"a\"]}").getBytes());
        refusedRaw(415, json, "PUT", "api/v1/components/anything/owners", "{\"owners\":[\"a\"]}".getBytes());
        refusedRaw(415, json, "POST", "api/v1/tokens", "{\"user\":\"a\",\"role\":\"maintainer\"}".getBytes());
    }

    /** {@link #refused} for a request sent without a Content-Type (which RestAssured would add). */
    void refusedRaw(int status, String detailPart, String method, String path, byte[] body) throws Exception {
        String before = counts();
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer test-admin-token")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(PROBLEM, r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains(detailPart), r.body());
        assertEquals(before, counts());
        assertEquals(0, spoolFiles());
    }

    /** A chunked request: no Content-Length, the body as a stream. */
    HttpResponse<String> chunked(String path, String contentType, byte[] body) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(base + path)).header("Authorization", "Bearer test-admin-token")
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
