import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example Kiln QA hook: no dependencies beyond the JDK, run with {@code java Hook.java …} (Java 17+).
 *
 * <p>Its check: the candidate registry serves the image's manifest, and the manifest's bytes hash to the digest in
 * the reference (what QA tested is what the registry holds). It reports the outcome to Kiln's qa service with
 * {@code POST /api/v1/results} and its hook token; qa stores it and publishes it as {@code kiln.qa.result} with the
 * hook's name as reporter.
 *
 * <pre>
 * KILN_QA_HOOK_TOKEN=… java Hook.java --qa http://localhost:8083 --image localhost:5000/hello@sha256:…
 * KILN_QA_HOOK_TOKEN=… java Hook.java --qa http://localhost:8083 --poll 10     # every new image qa queues
 * </pre>
 *
 * Options: {@code --qa URL} (qa service), {@code --image REF} (registry/repository@sha256:…), {@code --registry-url URL}
 * (how to reach the registry; default http://&lt;registry of the reference&gt;), {@code --test-case NAME} (default
 * example.manifest.digest), {@code --token T} (default: env KILN_QA_HOOK_TOKEN), {@code --poll SECONDS}.
 * Exit code 0 when qa stored the result, 1 when it refused it or could not be reached, 2 for bad arguments.
 */
public class Hook {
    private static final Pattern REFERENCE = Pattern.compile("([^/]+)/(.+)@(sha256:[0-9a-f]{64})");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        String qa = opts.get("qa");
        String token = opts.getOrDefault("token", System.getenv("KILN_QA_HOOK_TOKEN"));
        String testCase = opts.getOrDefault("test-case", "example.manifest.digest");
        if (qa == null || token == null || token.isBlank()) {
            usage("--qa and a token (--token or KILN_QA_HOOK_TOKEN) are required");
        }
        if (opts.containsKey("poll")) {
            poll(qa.replaceAll("/+$", ""), token, testCase, opts.get("registry-url"), Integer.parseInt(opts.get("poll")));
            return;
        }
        String image = opts.get("image");
        if (image == null) {
            usage("--image or --poll is required");
        }
        System.exit(checkAndReport(qa.replaceAll("/+$", ""), token, testCase, image, opts.get("registry-url"), null) ? 0 : 1);
    }

    /** Asks qa every few seconds which images it has queued, and checks each new one once. */
    static void poll(String qa, String token, String testCase, String registryUrl, int seconds) throws Exception {
        Set<String> done = new LinkedHashSet<>();
        Pattern item = Pattern.compile("\"item\"\\s*:\\s*\"([^\"]+)\"[^}]*\"build_id\"\\s*:\\s*\"([^\"]+)\"");
        while (true) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(qa
                    + "/api/v1/results?testcase=kiln.image.starts&outcome=QUEUED&limit=50")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = item.matcher(r.body());
            while (m.find()) {
                if (done.add(m.group(1))) {
                    checkAndReport(qa, token, testCase, m.group(1), registryUrl, m.group(2));
                }
            }
            Thread.sleep(seconds * 1000L);
        }
    }

    /** Runs the check on {@code image} and posts the result; true when qa stored it. */
    static boolean checkAndReport(String qa, String token, String testCase, String image, String registryUrl,
            String buildId) throws Exception {
        Matcher ref = REFERENCE.matcher(image);
        if (!ref.matches()) {
            usage("--image must be <registry>/<repository>@sha256:<64 hex>, got " + image);
        }
        String outcome;
        String note;
        try {
            String base = registryUrl != null ? registryUrl.replaceAll("/+$", "") : "http://" + ref.group(1);
            HttpResponse<byte[]> manifest = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + ref.group(2)
                    + "/manifests/" + ref.group(3)))
                    .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, "
                            + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
                            + "application/vnd.docker.distribution.manifest.list.v2+json")
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (manifest.statusCode() != 200) {
                outcome = "FAILED";
                note = "the registry answered " + manifest.statusCode() + " for the manifest " + ref.group(3);
            } else {
                String actual = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest.body()));
                outcome = actual.equals(ref.group(3)) ? "PASSED" : "FAILED";
                note = outcome.equals("PASSED") ? "the registry serves the manifest (" + manifest.body().length
                        + " bytes) and it hashes to its digest" : "the manifest served hashes to " + actual;
            }
        } catch (java.io.IOException e) {
            outcome = "ERROR";
            note = "could not reach the registry: " + e.getMessage();
        }
        String body = "{\"testcase\":" + json(testCase) + ",\"outcome\":" + json(outcome) + ",\"note\":" + json(note)
                + ",\"item\":" + json(image) + (buildId == null ? "" : ",\"build_id\":" + json(buildId)) + "}";
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(qa + "/api/v1/results"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(testCase + " " + outcome + " for " + image + ": " + note);
        System.out.println("qa answered " + posted.statusCode() + ": " + posted.body());
        return posted.statusCode() == 201;
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static void usage(String problem) {
        System.err.println("Hook: " + problem);
        System.err.println("usage: java Hook.java --qa URL (--image REGISTRY/REPO@sha256:… | --poll SECONDS)"
                + " [--registry-url URL] [--test-case NAME] [--token T]");
        System.exit(2);
    }
}
