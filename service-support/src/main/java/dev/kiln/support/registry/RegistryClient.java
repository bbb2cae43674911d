package dev.kiln.support.registry;

import dev.kiln.support.tls.TrustedCas;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A small client of the OCI distribution API (CNCF distribution 2.8): manifests by tag or digest, blobs, cross-repository
 * mounts. Manifests are asked for with Accept headers for both Docker schema2 and OCI media types so that the registry
 * never converts them (a conversion would change the digest). Blobs travel through temporary files, never whole in memory.
 * <p>
 * Authentication, as docker and skopeo do it: with credentials, HTTP Basic is sent with every request (distribution's
 * htpasswd); a registry that answers {@code 401} with {@code WWW-Authenticate: Bearer realm=..., service=..., scope=...}
 * (distribution's token auth, Quay, GHCR, Harbor, GitLab, Docker Hub) gets the token flow: the token is asked of the
 * realm for the challenged service and scopes (with the credentials as Basic, or anonymously without), kept for its
 * {@code expires_in} (60 s when not said) per scope, and the request is sent again once with
 * {@code Authorization: Bearer <token>}. A token already held for a request's repository and action is sent up front.
 *
 * <p>Longer than the house's 300 lines: every distribution API call shares one authentication flow (Basic, the token
 * challenge, the token cache) and one error wording.
 */
public final class RegistryClient {
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String ACCEPT = String.join(", ", OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST);

    private final String registry;
    private final URI base;
    private final Optional<String> authorization;
    private final HttpClient http;
    private final Duration timeout;
    /** Bearer tokens by scope ({@code repository:<name>:pull,push}), with when they stop being used. */
    private final java.util.concurrent.ConcurrentHashMap<String, Token> tokens = new java.util.concurrent.ConcurrentHashMap<>();

    private record Token(String value, java.time.Instant until) {
    }

    /**
     * @param registry the registry as it appears in image references, e.g. {@code localhost:5000}
     * @param baseUrl  how to reach it, e.g. {@code https://localhost:5000}
     */
    public RegistryClient(String registry, URI baseUrl, Optional<String> username, Optional<String> password) {
        this(registry, baseUrl, username, password, Duration.ofMinutes(10));
    }

    /** @param timeout how long one request may wait for the registry's answer (a blob upload: for the whole upload) */
    public RegistryClient(String registry, URI baseUrl, Optional<String> username, Optional<String> password,
            Duration timeout) {
        this(registry, baseUrl, username, password, timeout, TrustedCas.context(Optional.empty()));
    }

    /** @param tls whom to trust over https: {@link TrustedCas#context} with the registry's CA file, say */
    public RegistryClient(String registry, URI baseUrl, Optional<String> username, Optional<String> password,
            Duration timeout, SSLContext tls) {
        this.timeout = timeout;
        this.registry = registry;
        this.base = URI.create(baseUrl.toString().replaceAll("/+$", ""));
        this.authorization = username.filter(u -> !u.isBlank()).map(u -> "Basic " + Base64.getEncoder()
                .encodeToString((u + ":" + password.orElse("")).getBytes(StandardCharsets.UTF_8)));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(tls)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public static RegistryClient anonymous(String registry, URI baseUrl) {
        return new RegistryClient(registry, baseUrl, Optional.empty(), Optional.empty());
    }

    public String registry() {
        return registry;
    }

    /** A manifest as the registry stores it: its exact bytes, its media type and the digest of those bytes. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {
    }

    public Optional<Manifest> getManifest(String repository, String reference) {
        HttpResponse<byte[]> r = send(request("/v2/" + repository + "/manifests/" + reference).header("Accept", ACCEPT).GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "get manifest " + repository + ":" + reference);
        String mediaType = r.headers().firstValue("Content-Type").orElse(DOCKER_MANIFEST).split(";")[0].trim();
        return Optional.of(new Manifest(r.body(), mediaType, sha256(r.body())));
    }

    public boolean manifestExists(String repository, String reference) {
        HttpResponse<Void> r = send(request("/v2/" + repository + "/manifests/" + reference).header("Accept", ACCEPT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 404) {
            return false;
        }
        expect(r, 200, "check manifest " + repository + ":" + reference);
        return true;
    }

    /** Puts the manifest bytes unchanged and returns their digest. */
    public String putManifest(String repository, String reference, byte[] bytes, String mediaType) {
        HttpResponse<String> r = send(request("/v2/" + repository + "/manifests/" + reference).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)), HttpResponse.BodyHandlers.ofString());
        expect(r, 201, "put manifest " + repository + ":" + reference);
        return sha256(bytes);
    }

    public boolean blobExists(String repository, String digest) {
        HttpResponse<Void> r = send(request("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 404) {
            return false;
        }
        expect(r, 200, "check blob " + repository + "@" + digest);
        return true;
    }

    public byte[] getBlob(String repository, String digest) {
        HttpResponse<byte[]> r = send(request("/v2/" + repository + "/blobs/" + digest).GET(), HttpResponse.BodyHandlers.ofByteArray());
        expect(r, 200, "get blob " + repository + "@" + digest);
        return r.body();
    }

    /** Downloads a blob into {@code target} and checks its digest. */
    public void downloadBlob(String repository, String digest, Path target) {
        HttpResponse<Path> r = send(request("/v2/" + repository + "/blobs/" + digest).GET(), HttpResponse.BodyHandlers.ofFile(target));
        expect(r, 200, "get blob " + repository + "@" + digest);
        try (InputStream in = Files.newInputStream(target)) {
            String actual = sha256(in);
            if (!actual.equals(digest)) {
                throw new RegistryException("blob " + repository + "@" + digest + " from " + registry + " has digest " + actual, false);
            }
        } catch (IOException e) {
            throw new RegistryException("cannot read downloaded blob " + digest + ": " + e.getMessage(), true);
        }
    }

    /** Tries a cross-repository mount; returns false when the registry started an upload instead (then cancelled). */
    public boolean mountBlob(String repository, String fromRepository, String digest) {
        HttpResponse<Void> r = send(request("/v2/" + repository + "/blobs/uploads/?mount=" + enc(digest) + "&from=" + enc(fromRepository))
                .POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 201) {
            return true;
        }
        expect(r, 202, "mount blob " + digest + " from " + fromRepository + " into " + repository);
        r.headers().firstValue("Location").ifPresent(loc -> send(rawRequest(resolve(loc)).DELETE(), HttpResponse.BodyHandlers.discarding()));
        return false;
    }

    public void putBlob(String repository, String digest, byte[] bytes) {
        putBlob(repository, digest, HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    public void putBlob(String repository, String digest, Path file) {
        try {
            putBlob(repository, digest, HttpRequest.BodyPublishers.ofFile(file));
        } catch (java.io.FileNotFoundException e) {
            throw new RegistryException("blob file vanished: " + file, false);
        }
    }

    private void putBlob(String repository, String digest, HttpRequest.BodyPublisher body) {
        HttpResponse<Void> start = send(request("/v2/" + repository + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        expect(start, 202, "start blob upload to " + repository);
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new RegistryException(registry + " started an upload without a Location", false));
        URI upload = resolve(location);
        String sep = upload.getQuery() == null ? "?" : "&";
        HttpResponse<String> done = send(rawRequest(URI.create(upload + sep + "digest=" + enc(digest)))
                .header("Content-Type", "application/octet-stream").PUT(body), HttpResponse.BodyHandlers.ofString());
        expect(done, 201, "upload blob " + digest + " to " + repository);
    }

    public List<String> tags(String repository) {
        HttpResponse<String> r = send(request("/v2/" + repository + "/tags/list").GET(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return List.of();
        }
        expect(r, 200, "list tags of " + repository);
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("tags");
            List<String> tags = new java.util.ArrayList<>();
            if (node != null && node.isArray()) {
                node.forEach(t -> tags.add(t.asText()));
            }
            return tags;
        } catch (IOException e) {
            throw new RegistryException(registry + " answered tags/list with something that is not JSON", false);
        }
    }

    private HttpRequest.Builder request(String path) {
        return rawRequest(URI.create(base + path));
    }

    private HttpRequest.Builder rawRequest(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        authorization.ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    private URI resolve(String location) {
        return base.resolve(location);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest first = request.build();
        Optional<Token> held = heldToken(first);
        if (held.isPresent()) {
            first = request.setHeader("Authorization", "Bearer " + held.get().value()).build();
        }
        HttpResponse<T> r = exchange(first, handler);
        if (r.statusCode() != 401) {
            return r;
        }
        Optional<Challenge> challenge = r.headers().allValues("WWW-Authenticate").stream().map(Challenge::parse)
                .flatMap(Optional::stream).findFirst();
        if (challenge.isEmpty()) {
            return r; // Basic (or nothing we speak): the caller reports the 401
        }
        Token token = fetchToken(challenge.get());
        for (String scope : challenge.get().scopes()) {
            tokens.put(scope, token);
        }
        return exchange(request.setHeader("Authorization", "Bearer " + token.value()).build(), handler);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            Optional<String> tls = TrustedCas.explain(e);
            if (tls.isPresent()) { // a wrong certificate or scheme does not heal by waiting
                throw new RegistryException("registry " + registry + " (" + request.uri().getScheme() + "://"
                        + request.uri().getAuthority() + ") cannot be used: " + tls.get(), false);
            }
            throw new RegistryException("registry " + registry + " cannot be reached: "
                    + (e.getMessage() == null || e.getMessage().isBlank() ? "no connection" : e.getMessage()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while talking to " + registry, true);
        }
    }

    /** A token held for the request's repository that allows its action (push for writes, pull for reads). */
    private Optional<Token> heldToken(HttpRequest request) {
        String path = request.uri().getPath();
        if (!path.startsWith("/v2/") || tokens.isEmpty()) {
            return Optional.empty();
        }
        int end = path.indexOf("/manifests/");
        if (end < 0) {
            end = path.indexOf("/blobs/");
        }
        if (end < 0) {
            end = path.indexOf("/tags/");
        }
        if (end < 0) {
            return Optional.empty();
        }
        String repository = path.substring("/v2/".length(), end);
        boolean write = !request.method().equals("GET") && !request.method().equals("HEAD");
        java.time.Instant now = java.time.Instant.now();
        for (Map.Entry<String, Token> e : tokens.entrySet()) {
            String[] parts = e.getKey().split(":");
            if (parts.length == 3 && parts[0].equals("repository") && parts[1].equals(repository)
                    && List.of(parts[2].split(",")).contains(write ? "push" : "pull") && e.getValue().until().isAfter(now)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** A {@code Bearer} challenge: where to ask, for which service, which scopes. */
    record Challenge(String realm, String service, List<String> scopes) {
        private static final java.util.regex.Pattern PARAM = java.util.regex.Pattern
                .compile("([A-Za-z_]+)=\"([^\"]*)\"");

        static Optional<Challenge> parse(String header) {
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            Map<String, String> params = new java.util.HashMap<>();
            java.util.regex.Matcher m = PARAM.matcher(header.substring(7));
            while (m.find()) {
                params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
            }
            if (!params.containsKey("realm")) {
                return Optional.empty();
            }
            List<String> scopes = params.containsKey("scope") ? List.of(params.get("scope").split(" ")) : List.of();
            return Optional.of(new Challenge(params.get("realm"), params.get("service"), scopes));
        }
    }

    /** Asks the challenge's realm for a token (distribution's token protocol, GET with the scopes as query). */
    private Token fetchToken(Challenge c) {
        StringBuilder query = new StringBuilder();
        if (c.service() != null) {
            query.append("service=").append(enc(c.service()));
        }
        for (String scope : c.scopes()) {
            query.append(query.length() == 0 ? "" : "&").append("scope=").append(enc(scope));
        }
        URI realm = URI.create(c.realm() + (query.length() == 0 ? "" : (c.realm().contains("?") ? "&" : "?") + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(realm).timeout(timeout).GET();
        authorization.ifPresent(a -> b.header("Authorization", a));
        HttpResponse<String> r = exchange(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            boolean transientFailure = r.statusCode() >= 500 || r.statusCode() == 429;
            int status = r.statusCode() == 401 || r.statusCode() == 403 ? 401 : r.statusCode();
            String body = errorText(r.body());
            throw new RegistryException("the token service " + c.realm() + " of " + registry + " refused a token for "
                    + String.join(" ", c.scopes()) + " (" + r.statusCode() + (body.isEmpty() ? "" : ": " + body) + ")",
                    transientFailure, status);
        }
        try {
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(r.body());
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException("the token service " + c.realm() + " answered without a token", false);
            }
            long seconds = Math.max(json.path("expires_in").asLong(60), 10);
            // used until shortly before it expires
            return new Token(token, java.time.Instant.now().plusSeconds(seconds - 5));
        } catch (IOException e) {
            throw new RegistryException("the token service " + c.realm() + " answered with something that is not JSON",
                    false);
        }
    }

    private void expect(HttpResponse<?> r, int status, String what) {
        if (r.statusCode() != status) {
            String body = errorText(r.body() instanceof String s ? s
                    : r.body() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "");
            boolean transientFailure = r.statusCode() >= 500 || r.statusCode() == 429;
            throw new RegistryException(what + " at " + registry + " answered " + r.statusCode()
                    + (body.isEmpty() ? "" : ": " + body), transientFailure, r.statusCode());
        }
    }

    /**
     * An error answer as a sentence: distribution's {@code {"errors":[{"code","message"}]}} as {@code CODE: message}
     * (several joined with {@code ; }), any other body as it is, on one line and shortened.
     */
    static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body.strip();
        if (text.startsWith("{")) {
            try {
                com.fasterxml.jackson.databind.JsonNode errors = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(text).path("errors");
                if (errors.isArray() && !errors.isEmpty()) {
                    List<String> parts = new java.util.ArrayList<>();
                    for (com.fasterxml.jackson.databind.JsonNode e : errors) {
                        String code = e.path("code").asText("");
                        String message = e.path("message").asText("");
                        parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
                    }
                    text = String.join("; ", parts);
                }
            } catch (IOException notJson) {
                // keep the text as it is
            }
        }
        text = text.replaceAll("\\s+", " ");
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
