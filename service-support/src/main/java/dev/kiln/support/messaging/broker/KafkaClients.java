package dev.kiln.support.messaging.broker;

import dev.kiln.support.text.Failures;
import dev.kiln.support.tls.CertificateAuthority;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * This service's Kafka client settings: the {@code kafka.*} properties the messaging channels get (the bootstrap
 * servers, {@code security.protocol=SSL} and the PEM key and trust stores of the service's certificate), for the
 * clients a service makes itself (admin clients, the hub's dead-letter reader). One place, so that every client of a
 * service connects as the same principal.
 *
 * <p>At start it holds the bus to mutual TLS: a service whose {@code kafka.security.protocol} is not {@code SSL} does
 * not start, except in the {@code dev} profile, where it warns. A service on TLS whose certificate files are missing,
 * or whose certificate is for another principal than its {@code kiln.bus.principal}, does not start either, with the
 * command that makes the right one.
 */
@ApplicationScoped
public class KafkaClients {
    private static final Logger LOG = Logger.getLogger(KafkaClients.class);
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> properties;
    private final Optional<String> principal;

    @Inject
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> properties, BusConfig bus) {
        this.properties = Map.copyOf(properties);
        this.principal = bus.principal();
    }

    void onStart(@Observes StartupEvent started) {
        if (!properties.containsKey("bootstrap.servers")) {
            return;
        }
        Optional<String> problem = problem(properties, principal.orElse(null));
        if (problem.isEmpty()) {
            return;
        }
        if (ConfigUtils.getProfiles().contains("dev")) {
            LOG.warnf("%s; allowed only because the dev profile is active", problem.get());
        } else {
            throw new IllegalStateException(problem.get());
        }
    }

    /**
     * Why {@code client} may not connect to Kiln's bus as {@code principal} (null: not checked), if it may not: no
     * mutual TLS, a store file missing, or a certificate for another principal.
     */
    static Optional<String> problem(Map<String, Object> client, String principal) {
        String protocol = String.valueOf(client.getOrDefault("security.protocol", "PLAINTEXT"));
        if (!"SSL".equalsIgnoreCase(protocol)) {
            return Optional.of("kafka.security.protocol is " + protocol + ": Kiln's bus takes mutual TLS only"
                    + " (docs/security.md); set kafka.security.protocol=SSL and give this service its certificate");
        }
        for (String store : new String[] {"ssl.keystore.location", "ssl.truststore.location"}) {
            Object file = client.get(store);
            if (file == null || !Files.isReadable(Path.of(file.toString()))) {
                return Optional.of("kafka." + store + " (" + file + ") is not a readable file: this service connects to"
                        + " the bus with its own certificate; set kiln.bus.certs (KILN_BUS_CERTS) to a directory"
                        + " holding keystore.pem and ca.pem, made by kiln certs client --ca CA_DIR --out DIR --cn "
                        + (principal == null ? "<service>" : principal));
            }
        }
        if (principal == null) {
            return Optional.empty();
        }
        Path keystore = Path.of(client.get("ssl.keystore.location").toString());
        Optional<String> cn;
        try {
            cn = CertificateAuthority.commonName(CertificateAuthority.readCertificate(keystore));
        } catch (RuntimeException e) {
            return Optional.of("kafka.ssl.keystore.location (" + keystore + ") holds no readable certificate: "
                    + Failures.message(e));
        }
        if (!cn.equals(Optional.of(principal))) {
            // the broker would take it for someone else: every ACL check would fail, far from the cause
            return Optional.of("the bus certificate in " + keystore + " is for " + cn.map(n -> "CN=" + n).orElse("no CN")
                    + ", but this service is " + principal + " (kiln.bus.principal): give it its own certificate,"
                    + " kiln certs client --ca CA_DIR --out DIR --cn " + principal);
        }
        return Optional.empty();
    }

    /** A copy of the client properties, to add a client's own (group id, deserializers) to. */
    public Map<String, Object> properties() {
        return new HashMap<>(properties);
    }

    /**
     * The client properties that connect to Kiln's bus at {@code servers} with the certificate directory
     * {@code certDir} ({@code keystore.pem} and {@code ca.pem}, as {@code kiln certs} writes it): for the operator's
     * tools and the tests, which are not Quarkus services.
     */
    public static Map<String, Object> ssl(String servers, Path certDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", servers);
        p.put("security.protocol", "SSL");
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.location", certDir.resolve(CertificateAuthority.KEYSTORE).toString());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", certDir.resolve(CertificateAuthority.CA_CERT).toString());
        return p;
    }

    /** An admin client as this service's principal, with Kiln's timeouts. */
    public Admin admin() {
        return admin(properties);
    }

    /** An admin client for {@code client} properties, with Kiln's timeouts (30 s per call, 10 s per request). */
    public static Admin admin(Map<String, Object> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(p);
    }
}
