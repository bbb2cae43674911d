package dev.kiln.testsupport;

import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.broker.BusSetup;
import dev.kiln.support.messaging.broker.KafkaClients;
import dev.kiln.support.tls.CertificateAuthority;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * A real single-node Apache Kafka broker in KRaft mode (no ZooKeeper), in this JVM, locked the way Kiln's bus is
 * everywhere (docs/security.md): one SSL listener that requires a client certificate from Kiln's CA, the KRaft
 * {@code StandardAuthorizer} denying what no ACL allows, principals taken from the certificate's common name, and the
 * ACLs of service-support's {@code KafkaAcls} applied at start with the operator's certificate ({@link #ADMIN}),
 * which alone (with the broker's own) may do everything. Tests start one per JVM through {@link KafkaResource}; the
 * demo runs {@link #main} as its own process with a log directory that survives restarts.
 *
 * <p>The certificates live in one directory: {@code ca/} (Kiln's CA), {@code kafka/} (the broker's, serverAuth and
 * clientAuth: it connects to its own controller listener over the same TLS), and one directory per client principal,
 * issued on demand by {@link #certificates}.
 */
public final class KafkaBroker implements AutoCloseable {
    /** Fixed so that a restarted demo broker accepts its formatted log directory. */
    public static final String CLUSTER_ID = "a2lsbi1kZW1vLWNsdXN0ZX";
    /** The broker's own principal. */
    public static final String BROKER = TopicAccess.BROKER;
    /** The operator's principal: makes the topics and ACLs, and what tests read and write with. */
    public static final String ADMIN = TopicAccess.OPERATOR;
    /** Each client principal is the certificate's CN ({@code CN=qa,O=Kiln}: {@code User:qa}). */
    public static final String PRINCIPAL_RULES = "RULE:^CN=([^,]+)(,.*)?$/$1/,DEFAULT";
    private static final Duration VALIDITY = Duration.ofDays(365);

    private final EmbeddedKafkaBroker broker;
    private final Path certs;

    private KafkaBroker(EmbeddedKafkaBroker broker, Path certs) {
        this.broker = broker;
        this.certs = certs;
    }

    /** Starts a broker on free ports with a throw-away log directory and a CA of its own. */
    public static KafkaBroker startEphemeral() {
        try {
            Path dir = Files.createTempDirectory("kiln-kafka-");
            Path certs = dir.resolve("certs");
            prepareCertificates(certs);
            KafkaBroker broker = start(freePort(), freePort(), dir.resolve("logs"), certs, true);
            broker.setUp(6);
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Kafka log directory: " + e.getMessage(), e);
        }
    }

    /** Makes the CA, the broker's and the operator's certificates in {@code certs} where they are missing. */
    public static void prepareCertificates(Path certs) {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(certs.resolve("ca"), "Kiln internal CA",
                CertificateAuthority.DEFAULT_CA_VALIDITY);
        if (!Files.exists(certs.resolve(BROKER).resolve(CertificateAuthority.KEYSTORE))) {
            ca.issuePeer(BROKER, List.of("localhost"), List.of("127.0.0.1"), VALIDITY).writeTo(certs.resolve(BROKER));
        }
        if (!Files.exists(certs.resolve(ADMIN).resolve(CertificateAuthority.KEYSTORE))) {
            ca.issueClient(ADMIN, VALIDITY).writeTo(certs.resolve(ADMIN));
        }
    }

    /**
     * Starts a broker whose certificates are in {@code certs} ({@link #prepareCertificates}): the broker's in
     * {@code certs/kiln-kafka}.
     */
    public static KafkaBroker start(int port, int controllerPort, Path logDir, Path certs, boolean deleteOnClose) {
        Path own = certs.resolve(BROKER);
        EmbeddedKafkaBroker b = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withKafkaHost("localhost")
                .withKafkaPort(port)
                .withControllerPort(controllerPort)
                .withClusterId(CLUSTER_ID)
                .withDeleteLogDirsOnClose(deleteOnClose)
                .withAdditionalProperties(p -> {
                    p.put("listeners", "SSL://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
                    p.put("advertised.listeners", "SSL://localhost:" + port);
                    p.put("listener.security.protocol.map", "SSL:SSL,CONTROLLER:SSL");
                    p.put("inter.broker.listener.name", "SSL");
                    p.put("controller.listener.names", "CONTROLLER");
                    p.put("ssl.keystore.type", "PEM");
                    p.put("ssl.keystore.location", own.resolve(CertificateAuthority.KEYSTORE).toString());
                    p.put("ssl.truststore.type", "PEM");
                    p.put("ssl.truststore.location", own.resolve(CertificateAuthority.CA_CERT).toString());
                    p.put("ssl.client.auth", "required");
                    p.put("ssl.principal.mapping.rules", PRINCIPAL_RULES);
                    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                    p.put("super.users", "User:" + BROKER + ";User:" + ADMIN);
                    p.put("allow.everyone.if.no.acl.found", "false");
                    p.put("auto.create.topics.enable", "false");
                    p.put("log.dirs", logDir.toAbsolutePath().toString());
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("offsets.topic.num.partitions", "4");
                    p.put("transaction.state.log.replication.factor", "1");
                    p.put("transaction.state.log.min.isr", "1");
                    p.put("share.coordinator.state.topic.replication.factor", "1");
                    p.put("share.coordinator.state.topic.min.isr", "1");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("num.partitions", "6");
                });
        return new KafkaBroker(b.start(), certs);
    }

    /** Makes Kiln's topics ({@code partitions} each) and ACLs as the operator. */
    public void setUp(int partitions) {
        try (Admin admin = KafkaClients.admin(clientProperties(ADMIN))) {
            BusSetup.apply(admin, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the bus", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make Kiln's topics and ACLs: " + e.getMessage(), e);
        }
    }

    /** Lets QA hook {@code hook} in, as the operator does with {@code kiln bus hook add}. */
    public void addHook(TopicAccess.Hook hook) {
        try (Admin admin = KafkaClients.admin(clientProperties(ADMIN))) {
            BusSetup.addHook(admin, hook, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding hook " + hook.name(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot add hook " + hook.name() + ": " + e.getMessage(), e);
        }
    }

    /** {@code localhost:<port>}. */
    public String bootstrapServers() {
        return broker.getAdvertisedListeners().replaceAll("^[A-Z_]+://", "");
    }

    /** The directory of {@code principal}'s certificate ({@code keystore.pem}, {@code ca.pem}), issued when missing. */
    public synchronized Path certificates(String principal) {
        Path dir = certs.resolve(principal);
        if (!Files.exists(dir.resolve(CertificateAuthority.KEYSTORE))) {
            CertificateAuthority.load(certs.resolve("ca")).issueClient(principal, VALIDITY).writeTo(dir);
        }
        return dir;
    }

    /** Kafka client properties that connect as {@code principal}. */
    public Map<String, Object> clientProperties(String principal) {
        return clientProperties(bootstrapServers(), certificates(principal));
    }

    /** Kafka client properties that connect to {@code servers} with the certificate in {@code certDir}. */
    public static Map<String, Object> clientProperties(String servers, Path certDir) {
        return KafkaClients.ssl(servers, certDir);
    }

    /**
     * The configuration a Quarkus service needs to connect as {@code principal}: {@code kafka.bootstrap.servers} and
     * {@code kiln.bus.certs} (service-support's defaults name the stores in it).
     */
    public Map<String, String> serviceConfig(String principal) {
        return Map.of("kafka.bootstrap.servers", bootstrapServers(),
                "kiln.bus.certs", certificates(principal).toString());
    }

    @Override
    public void close() {
        broker.close();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }

    /**
     * {@code java -cp 'test-support/target/lib/*:test-support/target/test-support.jar' KafkaBroker PORT CONTROLLER_PORT
     * LOG_DIR CERT_DIR}: starts with the certificates {@code kiln certs bus} made in CERT_DIR ({@code kiln-kafka/},
     * {@code kiln-admin/}) and makes Kiln's topics and ACLs.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: KafkaBroker PORT CONTROLLER_PORT LOG_DIR CERT_DIR");
            System.exit(2);
        }
        Path certs = Path.of(args[3]);
        for (String principal : List.of(BROKER, ADMIN)) {
            if (!Files.isReadable(certs.resolve(principal).resolve(CertificateAuthority.KEYSTORE))) {
                System.err.println("no certificate for " + principal + " in " + certs + ": make them with kiln certs bus"
                        + " --ca CA_DIR --out " + certs);
                System.exit(2);
            }
        }
        KafkaBroker broker = start(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2]), certs, false);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        // like any operator's broker, it starts bare: kiln bus setup makes the topics and ACLs (./kiln runs it)
        System.out.println("Kafka broker (KRaft) listening on " + broker.bootstrapServers()
                + " (mutual TLS, deny by default; certificates in " + certs + ")");
        Thread.currentThread().join();
    }
}
