package dev.kiln.testsupport;

import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.support.tls.TrustedCas;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real CNCF distribution registry (Debian's {@code docker-registry}) as a child process on a free loopback port with
 * its own storage directory, over plain HTTP or, with a {@link Tls}, over https with a certificate from a Kiln CA.
 * Fails loudly when the binary is missing.
 */
public final class RegistryProcess implements AutoCloseable {
    public static final String BINARY = System.getenv().getOrDefault("KILN_REGISTRY_BINARY", "/usr/bin/docker-registry");

    private volatile Process process;
    private final int port;
    private final Path dir;
    private final Tls tls;

    /** What a registry serves https with: a server certificate for localhost and 127.0.0.1 from a Kiln CA. */
    public record Tls(Path certificate, Path key, Path caFile) {
        /** A server certificate from {@code ca} for {@code localhost} and {@code 127.0.0.1}, in a fresh directory. */
        public static Tls issuedBy(CertificateAuthority ca) {
            try {
                Path dir = Files.createTempDirectory("kiln-registry-tls-");
                ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(dir);
                return new Tls(dir.resolve(CertificateAuthority.CERT), dir.resolve(CertificateAuthority.KEY),
                        dir.resolve(CertificateAuthority.CA_CERT));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the registry's certificate: " + e.getMessage(), e);
            }
        }
    }

    private RegistryProcess(Process process, int port, Path dir, Tls tls) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.tls = tls;
    }

    public static RegistryProcess start(String name) {
        return start(name, (String) null);
    }

    /** An open registry (anonymous pushes and pulls) over https. */
    public static RegistryProcess start(String name, Tls tls) {
        return start(name, null, null, tls);
    }

    /**
     * A registry with distribution's token authentication: clients are sent to {@code issuer} for a token
     * (realm, service and issuer of the {@link TokenIssuer}; its root as the {@code rootcertbundle}).
     */
    public static RegistryProcess startWithTokenAuth(String name, TokenIssuer issuer) {
        return startWithTokenAuth(name, issuer.realm(), TokenIssuer.SERVICE, TokenIssuer.ISSUER, issuer.rootCertBundle());
    }

    /**
     * A registry with distribution's token authentication against {@code realm} (the hub's, say): it trusts tokens
     * for {@code service} from {@code issuer} whose chain ends in {@code rootCertBundle}.
     */
    public static RegistryProcess startWithTokenAuth(String name, String realm, String service, String issuer,
            Path rootCertBundle) {
        return startWithTokenAuth(name, realm, service, issuer, rootCertBundle, null);
    }

    /** As {@link #startWithTokenAuth(String, String, String, String, Path)}, over https when {@code tls} is given. */
    public static RegistryProcess startWithTokenAuth(String name, String realm, String service, String issuer,
            Path rootCertBundle, Tls tls) {
        return start(name, null, "auth:\n  token:\n    realm: " + realm + "\n    service: " + service
                + "\n    issuer: " + issuer + "\n    rootcertbundle: " + rootCertBundle + "\n", tls);
    }

    /** A registry that takes {@code user}/{@code password} by HTTP Basic only (distribution's htpasswd). */
    public static RegistryProcess startWithBasicAuth(String name, String user, String password) {
        return start(name, htpasswd(user, password));
    }

    /** An htpasswd line with a bcrypt hash (the only kind distribution accepts). */
    public static String htpasswd(String user, String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return user + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5) + "\n";
    }

    /** @param htpasswd content of an htpasswd file (bcrypt entries) to require basic auth, or null for none */
    public static RegistryProcess start(String name, String htpasswd) {
        return start(name, htpasswd, null, null);
    }

    private static RegistryProcess start(String name, String htpasswd, String authConfig, Tls tls) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's docker-registry (./kiln test does)");
        }
        try {
            int port = KafkaBroker.freePort();
            Path dir = Files.createTempDirectory("kiln-registry-" + name + "-");
            StringBuilder config = new StringBuilder()
                    .append("version: 0.1\n")
                    .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
                    .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                    .append("  delete:\n    enabled: true\n")
                    .append("http:\n  addr: 127.0.0.1:").append(port).append('\n')
                    .append("  debug:\n    addr: ''\n");
            if (tls != null) {
                config.append("  tls:\n    certificate: ").append(tls.certificate()).append("\n    key: ")
                        .append(tls.key()).append('\n');
            }
            if (htpasswd != null) {
                Files.writeString(dir.resolve("htpasswd"), htpasswd);
                config.append("auth:\n  htpasswd:\n    realm: kiln\n    path: ").append(dir.resolve("htpasswd")).append('\n');
            } else if (authConfig != null) {
                config.append(authConfig);
            }
            Files.writeString(dir.resolve("config.yml"), config);
            Process p = new ProcessBuilder(BINARY, "serve", dir.resolve("config.yml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            RegistryProcess registry = new RegistryProcess(p, port, dir, tls);
            registry.awaitReady();
            return registry;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start registry " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().sslContext(TrustedCas.context(caFile())).build();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("registry exited: " + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("registry did not answer on " + url() + " within 30s: " + log());
    }

    /**
     * The registry goes away for {@code down} (its process stopped: connections are refused) and comes back on the
     * same port with the same storage: a registry restart or outage as clients meet it.
     */
    public void outageFor(Duration down) throws IOException, InterruptedException {
        process.destroy();
        process.waitFor();
        Thread.sleep(down.toMillis());
        process = new ProcessBuilder(BINARY, "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile())).start();
        awaitReady();
    }

    /** {@code localhost:<port>}, as it appears in image references. */
    public String hostPort() {
        return "localhost:" + port;
    }

    /** {@code https://localhost:<port>} with TLS, else {@code http://localhost:<port>}. */
    public String url() {
        return (tls == null ? "http" : "https") + "://localhost:" + port;
    }

    /** The CA file that issued its certificate (what a client trusts it by); empty over plain HTTP. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(tls).map(Tls::caFile);
    }

    /** An anonymous client of this registry that trusts its CA. */
    public RegistryClient client() {
        return client(null, null);
    }

    /** A client of this registry with the credentials {@code username}/{@code password} (null: anonymous). */
    public RegistryClient client(String username, String password) {
        return new RegistryClient(hostPort(), URI.create(url()), Optional.ofNullable(username),
                Optional.ofNullable(password), Duration.ofMinutes(10), TrustedCas.context(caFile()));
    }

    /** The registry's own log (access log included), e.g. to count blob uploads. */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the registry and deletes its storage, configuration and log. */
    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
