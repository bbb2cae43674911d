package dev.kiln.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The bad-input corpus: requests a careless or hostile client sends to the hub, qa, signing and release. Each names
 * the answers it may get (all 4xx: 400 for a malformed request, 413 over a size limit, 415 for a content type, 422
 * where qa, as ResultsDB, refuses a well-formed result it cannot accept); whatever it gets must be a problem
 * document with a readable sentence, and nothing may be stored.
 */
final class BadInput {
    /** Who sends a request: a symbolic token, resolved when the stack is up. */
    enum Who {
        NOBODY, GARBAGE, BASIC, ADMIN, MAINTAINER, ENGINEER, HOOK
    }

    /** A request body: bytes made when the case runs, or {@code size} zero bytes streamed without being held. */
    record Body(Supplier<byte[]> bytes, long zeros) {
        static Body of(Supplier<byte[]> bytes) {
            return new Body(bytes, -1);
        }

        static Body zeros(long size) {
            return new Body(null, size);
        }
    }

    /** One bad request and the statuses it may be answered with. */
    record Case(String name, String service, String method, String path, Who who, String contentType,
            Body body, boolean chunked, Set<Integer> statuses) {
        @Override
        public String toString() {
            return service + ": " + name;
        }
    }

    static final String JSON = "application/json";
    static final String TAR = "application/x-tar";
    static final String GZIP = "application/gzip";
    static final String UNKNOWN_DIGEST = "sha256:" + "0".repeat(64);
    static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
    /** A component the maintainer owns, and one they do not; both made by the suite before it starts. */
    static final String OWNED = "badinput-owned";
    static final String NOT_OWNED = "badinput-other";

    private final List<Case> cases = new ArrayList<>();
    private final long uploadLimit;
    private final long expandedLimit;
    private final int entryLimit;
    private final String context;

    private BadInput(long uploadLimit, long expandedLimit, int entryLimit, String context) {
        this.uploadLimit = uploadLimit;
        this.expandedLimit = expandedLimit;
        this.entryLimit = entryLimit;
        this.context = context;
    }

    /**
     * The corpus, for a hub whose upload, expanded-context and entry-count limits are as given and which holds the
     * uploaded context {@code context} (a Dockerfile for {@link #OWNED}): a submission of it is refused only for
     * what each case gets wrong.
     */
    static List<Case> corpus(long uploadLimit, long expandedLimit, int entryLimit, String context) {
        BadInput b = new BadInput(uploadLimit, expandedLimit, entryLimit, context);
        b.hub();
        b.qa();
        b.signing();
        b.release();
        return List.copyOf(b.cases);
    }

    // ---- the hub ----

    private void hub() {
        String contexts = "/api/v1/contexts";
        Supplier<byte[]> okTar = () -> tar(Map.of("Dockerfile", file("FROM busybox\n")));
        add("upload without a token", "hub", "POST", contexts, Who.NOBODY, TAR, okTar, 401);
        add("upload with an unknown token", "hub", "POST", contexts, Who.GARBAGE, TAR, okTar, 401);
        add("upload with basic auth", "hub", "POST", contexts, Who.BASIC, TAR, okTar, 401);
        add("garbage upload without a token", "hub", "POST", contexts, Who.NOBODY, TAR, bytes("\0\1garbage"), 401);
        add("upload as text/plain", "hub", "POST", contexts, Who.MAINTAINER, "text/plain", okTar, 415);
        add("upload without a content type", "hub", "POST", contexts, Who.MAINTAINER, null, okTar, 400, 415);
        add("upload as JSON", "hub", "POST", contexts, Who.MAINTAINER, JSON, bytes("{}"), 415);
        add("upload that is not a tar", "hub", "POST", contexts, Who.MAINTAINER, TAR, bytes("this is not a tar file at all"), 400);
        add("empty upload", "hub", "POST", contexts, Who.MAINTAINER, TAR, bytes(""), 400);
        add("truncated gzip", "hub", "POST", contexts, Who.MAINTAINER, GZIP,
                () -> Arrays.copyOf(gzip(okTar.get()), 40), 400);
        add("gzip of something that is not a tar", "hub", "POST", contexts, Who.MAINTAINER, GZIP,
                () -> gzip("plain text, gzipped".repeat(50).getBytes(StandardCharsets.UTF_8)), 400);
        add("entry climbing out with ..", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("../evil", file("x"))), 400);
        add("entry climbing out deep inside", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("a/b/../../../evil", file("x"))), 400);
        add("absolute entry", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("/etc/cron.d/evil", file("x"))), 400);
        add("symlink to ..", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("up", symlink(".."))), 400);
        add("symlink climbing two levels", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("a/up", symlink("../../outside"))), 400);
        add("symlink chain that resolves outside", "hub", "POST", contexts, Who.MAINTAINER, TAR, () -> {
            Map<String, Entry> e = withDockerfile("a/", dir());
            e.put("a/b", symlink(".."));
            e.put("s", symlink("a/b"));
            e.put("t", symlink("s/.."));
            return tar(e);
        }, 400);
        add("symlink through a symlinked directory", "hub", "POST", contexts, Who.MAINTAINER, TAR, () -> {
            Map<String, Entry> e = withDockerfile("d", symlink("."));
            e.put("x", symlink("d/d/d/../../.."));
            return tar(e);
        }, 400);
        add("symlink loop", "hub", "POST", contexts, Who.MAINTAINER, TAR, () -> {
            Map<String, Entry> e = withDockerfile("l1", symlink("l2"));
            e.put("l2", symlink("l1/x"));
            return tar(e);
        }, 400);
        add("hard link to a file outside", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("h", hardlink("../etc/passwd"))), 400);
        add("hard link to an absolute path", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("h", hardlink("/etc/passwd"))), 400);
        add("hard link to nothing in the context", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("h", hardlink("missing"))), 400);
        add("hard link through a symlink that escapes", "hub", "POST", contexts, Who.MAINTAINER, TAR, () -> {
            Map<String, Entry> e = withDockerfile("up", symlink(".."));
            e.put("h", hardlink("up/etc/passwd"));
            return tar(e);
        }, 400);
        add("path longer than any filesystem's", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("d/".repeat(3000) + "f", file("x"))), 400, 413);
        cases.add(new Case("more bytes than the upload limit, with Content-Length", "hub", "POST", contexts,
                Who.MAINTAINER, TAR, Body.zeros(uploadLimit + 1024), false, Set.of(413)));
        cases.add(new Case("more bytes than the upload limit, chunked", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                Body.zeros(uploadLimit + 1024), true, Set.of(413)));
        add("compression bomb", "hub", "POST", contexts, Who.MAINTAINER, GZIP, this::bomb, 413, 400);
        add("more entries than the entry limit", "hub", "POST", contexts, Who.MAINTAINER, GZIP, this::manyEntries, 413, 400);
        add("context with a device node", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("dev/sda", special(TarConstants.LF_BLK))), 400);
        add("context with a named pipe", "hub", "POST", contexts, Who.MAINTAINER, TAR,
                () -> tar(withDockerfile("pipe", special(TarConstants.LF_FIFO))), 400);
        add("context digest that is not one", "hub", "GET", contexts + "/not-a-digest", Who.NOBODY, null, null, 400, 404);
        add("unknown context digest", "hub", "GET", contexts + "/" + UNKNOWN_DIGEST, Who.NOBODY, null, null, 404);
        add("context digest with a NUL", "hub", "GET", contexts + "/sha256:%00abc", Who.NOBODY, null, null, 400, 404);

        String builds = "/api/v1/builds";
        String good = submit(OWNED, null);
        add("submit without a token", "hub", "POST", builds, Who.NOBODY, JSON, bytes(good), 401);
        add("garbage submit without a token", "hub", "POST", builds, Who.NOBODY, JSON, bytes("{{{{"), 401);
        add("submit with an unknown token", "hub", "POST", builds, Who.GARBAGE, JSON, bytes(good), 401);
        add("submit with malformed JSON", "hub", "POST", builds, Who.MAINTAINER, JSON, bytes("{\"component\": "), 400);
        add("submit with a JSON array", "hub", "POST", builds, Who.MAINTAINER, JSON, bytes("[1,2,3]"), 400);
        add("submit with JSON null", "hub", "POST", builds, Who.MAINTAINER, JSON, bytes("null"), 400);
        add("submit with an empty body", "hub", "POST", builds, Who.MAINTAINER, JSON, bytes(""), 400);
        add("submit without a content type", "hub", "POST", builds, Who.MAINTAINER, null, bytes(good), 400, 415);
        add("submit as text/plain", "hub", "POST", builds, Who.MAINTAINER, "text/plain", bytes(good), 415);
        add("submit as form data", "hub", "POST", builds, Who.MAINTAINER, "application/x-www-form-urlencoded",
                bytes("component=x"), 415);
        add("submit with an unknown field", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"git\":{\"url\":\"https://example.com/x.git\",\"ref\":\"main\"},"
                        + "\"priority\":9}"), 400);
        add("submit with scratch as a string", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"scratch\":\"yes\",\"context\":{\"digest\":\"" + context
                        + "\"}}"), 400);
        add("submit with component as a number", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":42,\"context\":{\"digest\":\"" + context + "\"}}"), 400);
        add("submit with both sources", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"context\":{\"digest\":\"" + context + "\"},"
                        + "\"git\":{\"url\":\"https://example.com/x.git\",\"ref\":\"main\"}}"), 400);
        add("submit without a source", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\"}"), 400);
        add("submit of a context never uploaded", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"context\":{\"digest\":\"" + UNKNOWN_DIGEST + "\"}}"), 400, 404);
        add("submit with a malformed context digest", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"context\":{\"digest\":\"md5:abc\"}}"), 400);
        add("submit with a 1 MB component", "hub", "POST", builds, Who.ADMIN, JSON,
                bytes(submit("c".repeat(1 << 20), null)), 400, 413);
        add("submit with a 1 MB requester", "hub", "POST", builds, Who.ADMIN, JSON,
                bytes(submit(OWNED, "r".repeat(1 << 20))), 400, 413);
        add("submit with a requester that is not a user name", "hub", "POST", builds, Who.ADMIN, JSON,
                bytes(submit(OWNED, "bob smith; DROP TABLE builds")), 400);
        add("submit with a NUL in the component", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes(submit("abc\\u0000def", null)), 400);
        add("submit with a Dockerfile path climbing out", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"dockerfile\":\"../../etc/Dockerfile\","
                        + "\"git\":{\"url\":\"https://example.com/x.git\",\"ref\":\"main\"}}"), 400);
        add("submit with an absolute Dockerfile path", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"dockerfile\":\"/etc/Dockerfile\","
                        + "\"git\":{\"url\":\"https://example.com/x.git\",\"ref\":\"main\"}}"), 400);
        add("submit with a 100 kB Dockerfile path", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"dockerfile\":\"" + "d".repeat(100_000) + "\","
                        + "\"git\":{\"url\":\"https://example.com/x.git\",\"ref\":\"main\"}}"), 400);
        add("submit with a git URL that is not one", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"git\":{\"url\":\"not a url\",\"ref\":\"main\"}}"), 400);
        add("submit with a 1 MB git URL", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"git\":{\"url\":\"https://example.com/" + "u".repeat(1 << 20)
                        + "\",\"ref\":\"main\"}}"), 400, 413);
        add("submit with a git ref holding control characters", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes("{\"component\":\"" + OWNED + "\",\"git\":{\"url\":\"https://example.com/x.git\","
                        + "\"ref\":\"main\\u0007\\u001b[2J\"}}"), 400);
        add("submit for a component the maintainer does not own", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes(submit(NOT_OWNED, null)), 403);
        add("submit for an unknown component", "hub", "POST", builds, Who.MAINTAINER, JSON,
                bytes(submit("no-such-component", null)), 403, 404);
        add("build id with a NUL", "hub", "GET", builds + "/abc%00def", Who.NOBODY, null, null, 400, 404);
        add("build id of 3000 characters", "hub", "GET", builds + "/" + "i".repeat(3000), Who.NOBODY, null, null, 400, 404);
        add("unknown build", "hub", "GET", builds + "/" + UNKNOWN_ID, Who.NOBODY, null, null, 404);
        add("list with a negative limit", "hub", "GET", builds + "?limit=-5", Who.NOBODY, null, null, 400);
        add("list with a limit that is not a number", "hub", "GET", builds + "?limit=abc", Who.NOBODY, null, null, 400);
        add("list with a huge limit", "hub", "GET", builds + "?limit=100000000", Who.NOBODY, null, null, 400);
        add("list with an unknown state", "hub", "GET", builds + "?state=DANCING", Who.NOBODY, null, null, 400);
        add("list with a since that is not a time", "hub", "GET", builds + "?since=yesterday", Who.NOBODY, null, null, 400);
        add("list with a negative page", "hub", "GET", builds + "?page=-1", Who.NOBODY, null, null, 400);
        add("list with a NUL in the component", "hub", "GET", builds + "?component=a%00b", Who.NOBODY, null, null, 400);
        add("SBOM of an unknown build", "hub", "GET", builds + "/" + UNKNOWN_ID + "/sbom", Who.NOBODY, null, null, 404);
        add("logs of an unknown build", "hub", "GET", builds + "/" + UNKNOWN_ID + "/logs", Who.NOBODY, null, null, 404);
        add("cancel without a token", "hub", "POST", builds + "/" + UNKNOWN_ID + "/cancel", Who.NOBODY, null, null, 401);
        add("cancel of an unknown build", "hub", "POST", builds + "/" + UNKNOWN_ID + "/cancel", Who.MAINTAINER, null,
                null, 404);
        add("delete the build list", "hub", "DELETE", builds, Who.ADMIN, null, null, 405);
        add("unknown route", "hub", "GET", "/api/v1/nothing-here", Who.NOBODY, null, null, 404);

        String components = "/api/v1/components";
        String component = "{\"name\":\"badinput-new\",\"owners\":[\"mo\"]}";
        add("new component without a token", "hub", "POST", components, Who.NOBODY, JSON, bytes(component), 401);
        add("new component by a maintainer", "hub", "POST", components, Who.MAINTAINER, JSON, bytes(component), 403);
        add("new component with a name that is not one", "hub", "POST", components, Who.ADMIN, JSON,
                bytes("{\"name\":\"Bad Name!\",\"owners\":[\"mo\"]}"), 400);
        add("new component with a 1 MB name", "hub", "POST", components, Who.ADMIN, JSON,
                bytes("{\"name\":\"" + "n".repeat(1 << 20) + "\",\"owners\":[\"mo\"]}"), 400, 413);
        add("new component with owners not a list", "hub", "POST", components, Who.ADMIN, JSON,
                bytes("{\"name\":\"badinput-new\",\"owners\":\"mo\"}"), 400);
        add("new component with an owner that is not a user name", "hub", "POST", components, Who.ADMIN, JSON,
                bytes("{\"name\":\"badinput-new\",\"owners\":[\"<script>\"]}"), 400);
        add("new component that exists", "hub", "POST", components, Who.ADMIN, JSON,
                bytes("{\"name\":\"" + OWNED + "\",\"owners\":[\"mo\"]}"), 409);
        add("new component as text/plain", "hub", "POST", components, Who.ADMIN, "text/plain", bytes(component), 415);
        add("unknown component", "hub", "GET", components + "/no-such-component", Who.NOBODY, null, null, 404);
        add("component name with a NUL", "hub", "GET", components + "/a%00b", Who.NOBODY, null, null, 400, 404);
        add("owners of an unknown component", "hub", "PUT", components + "/no-such-component/owners", Who.ADMIN, JSON,
                bytes("{\"owners\":[\"mo\"]}"), 404);
        add("owners with malformed JSON", "hub", "PUT", components + "/" + OWNED + "/owners", Who.ADMIN, JSON,
                bytes("{\"owners\":["), 400);
        add("owners without a content type", "hub", "PUT", components + "/" + OWNED + "/owners", Who.ADMIN, null,
                bytes("{\"owners\":[\"mo\"]}"), 400, 415);
        add("owners set by a maintainer", "hub", "PUT", components + "/" + OWNED + "/owners", Who.MAINTAINER, JSON,
                bytes("{\"owners\":[\"mo\",\"eve\"]}"), 403);

        String tokens = "/api/v1/tokens";
        add("token made by a maintainer", "hub", "POST", tokens, Who.MAINTAINER, JSON,
                bytes("{\"user\":\"eve\",\"role\":\"admin\"}"), 403);
        add("token with an unknown role", "hub", "POST", tokens, Who.ADMIN, JSON,
                bytes("{\"user\":\"eve\",\"role\":\"god\"}"), 400);
        add("token for a user name that is not one", "hub", "POST", tokens, Who.ADMIN, JSON,
                bytes("{\"user\":\"eve and adam\",\"role\":\"maintainer\"}"), 400);
        add("token with a 1 MB description", "hub", "POST", tokens, Who.ADMIN, JSON,
                bytes("{\"user\":\"eve\",\"role\":\"maintainer\",\"description\":\"" + "d".repeat(1 << 20) + "\"}"), 400, 413);
        add("whoami without a token", "hub", "GET", "/api/v1/whoami", Who.NOBODY, null, null, 401);
    }

    // ---- qa ----

    private void qa() {
        String results = "/api/v1/results";
        String ok = "{\"testcase\":\"acme.smoke\",\"outcome\":\"PASSED\",\"item\":\"registry.example/x@" + UNKNOWN_DIGEST
                + "\"}";
        add("result without a token", "qa", "POST", results, Who.NOBODY, JSON, bytes(ok), 401);
        add("garbage result without a token", "qa", "POST", results, Who.NOBODY, JSON, bytes("}{"), 401);
        add("result with an unknown token", "qa", "POST", results, Who.GARBAGE, JSON, bytes(ok), 401, 403);
        add("result with malformed JSON", "qa", "POST", results, Who.HOOK, JSON, bytes("{\"testcase\":"), 400);
        add("result without a content type", "qa", "POST", results, Who.HOOK, null, bytes(ok), 400, 415);
        add("result as text/plain", "qa", "POST", results, Who.HOOK, "text/plain", bytes(ok), 415);
        add("result with an unknown outcome", "qa", "POST", results, Who.HOOK, JSON,
                bytes(ok.replace("PASSED", "MAYBE")), 400, 422);
        add("result without a test case", "qa", "POST", results, Who.HOOK, JSON,
                bytes("{\"outcome\":\"PASSED\",\"item\":\"registry.example/x@" + UNKNOWN_DIGEST + "\"}"), 400, 422);
        add("result whose item is not an image reference", "qa", "POST", results, Who.HOOK, JSON,
                bytes(ok.replace("registry.example/x@" + UNKNOWN_DIGEST, "not an image")), 400, 422);
        add("result with a 1 MB note", "qa", "POST", results, Who.HOOK, JSON,
                bytes(ok.replace("}", ",\"note\":\"" + "n".repeat(1 << 20) + "\"}")), 400, 413, 422);
        add("result with a javascript: ref_url", "qa", "POST", results, Who.HOOK, JSON,
                bytes(ok.replace("}", ",\"ref_url\":\"javascript:alert(1)\"}")), 400, 422);
        add("result with an unknown field", "qa", "POST", results, Who.HOOK, JSON,
                bytes(ok.replace("}", ",\"verdict\":\"fine\"}")), 400);
        add("results for a digest that is not one", "qa", "GET", results + "?digest=sha256:xyz", Who.NOBODY, null, null, 400);
        add("results with a negative limit", "qa", "GET", results + "?limit=-5", Who.NOBODY, null, null, 400);
        add("results with a limit that is not a number", "qa", "GET", results + "?limit=ten", Who.NOBODY, null, null, 400);
        add("results with an unknown outcome", "qa", "GET", results + "?outcome=MAYBE", Who.NOBODY, null, null, 400);
        add("result id that is not a number", "qa", "GET", results + "/abc", Who.NOBODY, null, null, 400, 404);
        add("unknown result", "qa", "GET", results + "/987654321", Who.NOBODY, null, null, 404);
        add("latest results without a digest", "qa", "GET", results + "/latest", Who.NOBODY, null, null, 400);
        add("runs for a digest that is not one", "qa", "GET", "/api/v1/runs?digest=nope", Who.NOBODY, null, null, 400);
        add("run id that is not one", "qa", "GET", "/api/v1/runs/not-a-run", Who.NOBODY, null, null, 400, 404);
        add("JUnit XML of an unknown run", "qa", "GET", "/api/v1/runs/" + UNKNOWN_ID + "/junit.xml", Who.NOBODY, null,
                null, 404);
        add("delete the results", "qa", "DELETE", results, Who.HOOK, null, null, 405);
    }

    // ---- signing ----

    private void signing() {
        add("keys in an unknown format", "signing", "GET", "/api/v1/keys?format=pkcs99", Who.NOBODY, null, null, 400);
        add("unknown key", "signing", "GET", "/api/v1/keys/0123456789abcdef.pem", Who.NOBODY, null, null, 404);
        add("key id with a NUL", "signing", "GET", "/api/v1/keys/ab%00cd.asc", Who.NOBODY, null, null, 400, 404);
        add("lookaside path climbing out", "signing", "GET", "/lookaside/..%2F..%2F..%2Fetc%2Fpasswd", Who.NOBODY, null,
                null, 400, 404);
        add("lookaside path with a digest that is not one", "signing", "GET", "/lookaside/x@sha256=zz/signature-1",
                Who.NOBODY, null, null, 400, 404);
        add("lookaside path of 3000 characters", "signing", "GET", "/lookaside/" + "p/".repeat(1500), Who.NOBODY, null,
                null, 400, 404);
        add("post a key", "signing", "POST", "/api/v1/keys", Who.ADMIN, JSON, bytes("{}"), 405);
    }

    // ---- release ----

    private void release() {
        String promotions = "/api/v1/promotions";
        String promote = "{\"buildId\":\"" + UNKNOWN_ID + "\"}";
        add("promotion without a token", "release", "POST", promotions, Who.NOBODY, JSON, bytes(promote), 401);
        add("garbage promotion without a token", "release", "POST", promotions, Who.NOBODY, JSON, bytes("[[["), 401);
        add("promotion with an unknown token", "release", "POST", promotions, Who.GARBAGE, JSON, bytes(promote), 401);
        add("promotion by a maintainer", "release", "POST", promotions, Who.MAINTAINER, JSON, bytes(promote), 403);
        add("promotion with malformed JSON", "release", "POST", promotions, Who.ENGINEER, JSON, bytes("{\"buildId\""), 400);
        add("promotion without a content type", "release", "POST", promotions, Who.ENGINEER, null, bytes(promote), 400, 415);
        add("promotion as text/plain", "release", "POST", promotions, Who.ENGINEER, "text/plain", bytes(promote), 415);
        add("promotion with an unknown field", "release", "POST", promotions, Who.ENGINEER, JSON,
                bytes("{\"buildId\":\"" + UNKNOWN_ID + "\",\"force\":true}"), 400);
        add("promotion without a build", "release", "POST", promotions, Who.ENGINEER, JSON, bytes("{}"), 400);
        add("promotion of an unknown build", "release", "POST", promotions, Who.ENGINEER, JSON, bytes(promote), 404);
        add("promotion of a build id with a NUL", "release", "POST", promotions, Who.ENGINEER, JSON,
                bytes("{\"buildId\":\"ab\\u0000cd\"}"), 400);
        add("promotion to an unknown registry", "release", "POST", promotions, Who.ENGINEER, JSON,
                bytes("{\"buildId\":\"" + UNKNOWN_ID + "\",\"to\":\"evil.example.com\"}"), 400, 404);
        String waivers = "/api/v1/waivers";
        String waive = "{\"buildId\":\"" + UNKNOWN_ID + "\",\"testCase\":\"acme.smoke\",\"comment\":\"known flake\"}";
        add("waiver without a token", "release", "POST", waivers, Who.NOBODY, JSON, bytes(waive), 401);
        add("waiver by a maintainer", "release", "POST", waivers, Who.MAINTAINER, JSON, bytes(waive), 403);
        add("waiver with a 1 MB comment", "release", "POST", waivers, Who.ENGINEER, JSON,
                bytes(waive.replace("known flake", "c".repeat(1 << 20))), 400, 413);
        add("waiver without a test case", "release", "POST", waivers, Who.ENGINEER, JSON,
                bytes("{\"buildId\":\"" + UNKNOWN_ID + "\",\"comment\":\"x\"}"), 400);
        add("waiver for an unknown build", "release", "POST", waivers, Who.ENGINEER, JSON, bytes(waive), 404);
        add("waiver with a JSON string", "release", "POST", waivers, Who.ENGINEER, JSON, bytes("\"waive it\""), 400);
        add("decision of an unknown build", "release", "GET", "/api/v1/decisions/" + UNKNOWN_ID, Who.NOBODY, null, null, 404);
        add("decisions for a digest that is not one", "release", "GET", "/api/v1/decisions?digest=sha256:12",
                Who.NOBODY, null, null, 400);
        add("decisions without a digest", "release", "GET", "/api/v1/decisions", Who.NOBODY, null, null, 400);
        add("unknown route", "release", "GET", "/api/v1/everything", Who.NOBODY, null, null, 404);
    }

    // ---- building blocks ----

    private void add(String name, String service, String method, String path, Who who, String type, Supplier<byte[]> body,
            int... statuses) {
        add(name, service, method, path, who, type, body, false, statuses);
    }

    private void add(String name, String service, String method, String path, Who who, String type, Supplier<byte[]> body,
            boolean chunked, int... statuses) {
        Set<Integer> allowed = new java.util.TreeSet<>();
        for (int s : statuses) {
            allowed.add(s);
        }
        cases.add(new Case(name, service, method, path, who, type, body == null ? null : Body.of(body), chunked,
                Set.copyOf(allowed)));
    }

    private String submit(String component, String requester) {
        return "{\"component\":\"" + component + "\",\"context\":{\"digest\":\"" + context + "\"}"
                + (requester == null ? "" : ",\"requester\":\"" + requester + "\"") + "}";
    }

    private static Supplier<byte[]> bytes(String s) {
        return () -> s.getBytes(StandardCharsets.UTF_8);
    }

    /** A tar entry: a file with content, a directory, a symbolic or hard link, or a block device. */
    record Entry(byte type, byte[] content, String target) {
    }

    static Entry file(String content) {
        return new Entry(TarConstants.LF_NORMAL, content.getBytes(StandardCharsets.UTF_8), null);
    }

    static Entry dir() {
        return new Entry(TarConstants.LF_DIR, new byte[0], null);
    }

    static Entry symlink(String target) {
        return new Entry(TarConstants.LF_SYMLINK, new byte[0], target);
    }

    static Entry hardlink(String target) {
        return new Entry(TarConstants.LF_LINK, new byte[0], target);
    }

    static Entry special(byte type) {
        return new Entry(type, new byte[0], null);
    }

    /** A Dockerfile, then {@code name}. */
    static Map<String, Entry> withDockerfile(String name, Entry entry) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        entries.put("Dockerfile", file("FROM busybox\nCOPY . /src\n"));
        entries.put(name, entry);
        return entries;
    }

    static byte[] tar(Map<String, Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey(), e.getValue().type(), true);
                if (e.getValue().target() != null) {
                    t.setLinkName(e.getValue().target());
                }
                t.setSize(e.getValue().type() == TarConstants.LF_NORMAL ? e.getValue().content().length : 0);
                t.setMode(e.getValue().type() == TarConstants.LF_DIR ? 0755 : 0644);
                tar.putArchiveEntry(t);
                if (e.getValue().type() == TarConstants.LF_NORMAL) {
                    tar.write(e.getValue().content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A gzip'd tar of one more (empty) file than the hub takes, written straight into the compressor. */
    private byte[] manyEntries() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            byte[] dockerfile = "FROM busybox\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry d = new TarArchiveEntry("Dockerfile");
            d.setSize(dockerfile.length);
            tar.putArchiveEntry(d);
            tar.write(dockerfile);
            tar.closeArchiveEntry();
            for (int i = 0; i <= entryLimit; i++) {
                TarArchiveEntry f = new TarArchiveEntry("f/" + i);
                f.setSize(0);
                tar.putArchiveEntry(f);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A small gzip'd tar whose one file expands to more than the hub's expanded-context limit (zeros compress well). */
    private byte[] bomb() {
        long size = expandedLimit + (64L << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            byte[] dockerfile = "FROM busybox\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry d = new TarArchiveEntry("Dockerfile");
            d.setSize(dockerfile.length);
            tar.putArchiveEntry(d);
            tar.write(dockerfile);
            tar.closeArchiveEntry();
            TarArchiveEntry big = new TarArchiveEntry("zeros");
            big.setSize(size);
            tar.putArchiveEntry(big);
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) {
                tar.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
