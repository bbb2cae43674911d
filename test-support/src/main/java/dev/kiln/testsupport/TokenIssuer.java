package dev.kiln.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.support.registry.RegistryTokens;
import dev.kiln.support.tls.CertificateAuthority;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small token issuer for distribution's token authentication (the protocol Docker Hub, Quay, GHCR and Harbor
 * speak): {@code GET /token?service=...&scope=repository:<name>:<actions>} answers a JWT made by service-support's
 * {@link RegistryTokens}, whose root is the registry's {@code rootcertbundle}. Known users (HTTP Basic) get the
 * actions they ask for; anonymous callers get {@code pull} only; wrong credentials get a 401. Runs in the test's JVM;
 * for tests of a client of token auth.
 */
public final class TokenIssuer implements AutoCloseable {
    public static final String SERVICE = "kiln-test-registry";
    public static final String ISSUER = "kiln-test-token-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, String> users;
    private final RegistryTokens tokens;
    private final Path dir;
    private final AtomicInteger issued = new AtomicInteger();

    private TokenIssuer(Map<String, String> users) throws IOException {
        this.users = Map.copyOf(users);
        CertificateAuthority ca = CertificateAuthority.create("kiln test token CA", Duration.ofDays(1));
        this.tokens = new RegistryTokens(ca.issueClient("kiln test token signer", Duration.ofDays(1)), ISSUER);
        this.dir = Files.createTempDirectory("kiln-token-issuer-");
        ca.save(dir);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** An issuer that knows {@code users} (name → password). */
    public static TokenIssuer start(Map<String, String> users) {
        try {
            return new TokenIssuer(users);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the token issuer: " + e.getMessage(), e);
        }
    }

    /** The realm the registry names in its challenge. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The PEM file of the root that signed the token key: the registry's {@code rootcertbundle}. */
    public Path rootCertBundle() {
        return dir.resolve(CertificateAuthority.CA_CERT);
    }

    /** How many tokens were handed out. */
    public int issued() {
        return issued.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String user = null;
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String[] pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8)
                        .split(":", 2);
                if (pair.length != 2 || !pair[1].equals(users.get(pair[0]))) {
                    respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                    return;
                }
                user = pair[0];
            }
            List<String> scopes = new ArrayList<>();
            String service = null;
            String query = exchange.getRequestURI().getRawQuery();
            for (String param : query == null ? new String[0] : query.split("&")) {
                String[] kv = param.split("=", 2);
                String value = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                if (kv[0].equals("scope")) {
                    scopes.add(value);
                } else if (kv[0].equals("service")) {
                    service = value;
                }
            }
            if (!SERVICE.equals(service)) {
                respond(exchange, 400, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"unknown service\"}]}");
                return;
            }
            String token = token(user, scopes);
            issued.incrementAndGet();
            ObjectNode body = JSON.createObjectNode();
            body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", 300);
            body.put("issued_at", Instant.now().toString());
            respond(exchange, 200, JSON.writeValueAsString(body));
        }
    }

    /** The JWT: the asked actions for a known user, {@code pull} alone for an anonymous one. */
    private String token(String user, List<String> scopes) {
        List<RegistryTokens.Scope> access = new ArrayList<>();
        for (String scope : scopes) {
            RegistryTokens.Scope asked = RegistryTokens.Scope.parse(scope);
            access.add(user != null ? asked : asked.only(Set.of("pull")));
        }
        return tokens.mint(SERVICE, user, access, Instant.now(), Duration.ofMinutes(5));
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
