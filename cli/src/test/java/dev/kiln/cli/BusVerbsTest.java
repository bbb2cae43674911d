package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.broker.BusSetup;
import dev.kiln.support.messaging.broker.KafkaAcls;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.testsupport.KafkaBroker;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln certs bus, kiln bus setup and kiln bus hook against a real KRaft broker with mutual TLS and the
 * StandardAuthorizer, started bare from the certificates {@code kiln certs bus} issued, as an operator's would be.
 */
@QuarkusMainTest
class BusVerbsTest {
    @TempDir
    Path dir;

    @Test
    void anOperatorSetsUpABareBrokerAndLetsAHookInAndOut(QuarkusMainLauncher launcher) throws Exception {
        Path ca = dir.resolve("ca");
        Path bus = dir.resolve("bus");
        assertEquals(0, launcher.launch("certs", "init", "--dir", ca.toString()).exitCode());
        LaunchResult issued = launcher.launch("certs", "bus", "--ca", ca.toString(), "--out", bus.toString());
        assertEquals(0, issued.exitCode(), issued.getErrorOutput());
        List<String> principals = new ArrayList<>(List.of(TopicAccess.BROKER, TopicAccess.OPERATOR));
        TopicAccess.SERVICES.forEach(s -> principals.add(s.service()));
        for (String principal : principals) {
            X509Certificate cert = CertificateAuthority.readCertificate(bus.resolve(principal).resolve(CertificateAuthority.CERT));
            assertTrue(cert.getSubjectX500Principal().getName().startsWith("CN=" + principal + ","), principal);
            assertTrue(Files.isReadable(bus.resolve(principal).resolve(CertificateAuthority.KEYSTORE)), principal);
        }
        List<String> brokerUsage = CertificateAuthority.readCertificate(bus.resolve(TopicAccess.BROKER)
                .resolve(CertificateAuthority.CERT)).getExtendedKeyUsage();
        assertTrue(brokerUsage.contains("1.3.6.1.5.5.7.3.1") && brokerUsage.contains("1.3.6.1.5.5.7.3.2"),
                "the broker's certificate is for server and client (its controller): " + brokerUsage);
        String release = Files.readString(bus.resolve("release").resolve(CertificateAuthority.CERT));
        assertEquals(0, launcher.launch("certs", "bus", "--ca", ca.toString(), "--out", bus.toString()).exitCode());
        assertEquals(release, Files.readString(bus.resolve("release").resolve(CertificateAuthority.CERT)),
                "a second run keeps what exists");

        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.freePort(), KafkaBroker.freePort(), dir.resolve("logs"),
                bus, true)) {
            String servers = broker.bootstrapServers();
            String admin = bus.resolve(TopicAccess.OPERATOR).toString();
            LaunchResult setup = launcher.launch("bus", "setup", "--bootstrap", servers, "--certs", admin);
            assertEquals(0, setup.exitCode(), setup.getErrorOutput());
            int all = BusSetup.topics().size();
            assertTrue(setup.getOutput().startsWith("Made " + all + " of " + all + " topics"), setup.getOutput());
            try (Admin operator = Admin.create(broker.clientProperties(TopicAccess.OPERATOR))) {
                assertTrue(operator.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(BusSetup.topics()));
                eventually(() -> assertEquals(KafkaAcls.bindings().size(),
                        operator.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size()));
            }
            LaunchResult again = launcher.launch("bus", "setup", "--bootstrap", servers, "--certs", admin);
            assertTrue(again.getOutput().startsWith("Made 0 of " + all + " topics"), again.getOutput());

            LaunchResult asQa = launcher.launch("bus", "setup", "--bootstrap", servers, "--certs",
                    bus.resolve("qa").toString());
            assertEquals(ExitCodes.REFUSED, asQa.exitCode(), asQa.getOutput());
            assertTrue(asQa.getErrorOutput().contains("only the operator's (kiln-admin) may make topics and ACLs"),
                    asQa.getErrorOutput());

            // a hook: its certificate from Kiln's CA opens nothing until the operator adds it
            TopicAccess.Hook acme = new TopicAccess.Hook("acme");
            Path hookCerts = dir.resolve("hook-acme");
            assertEquals(0, launcher.launch("certs", "client", "--ca", ca.toString(), "--out", hookCerts.toString(),
                    "--cn", acme.principal()).exitCode());
            Map<String, Object> hook = KafkaBroker.clientProperties(servers, hookCerts);
            assertRefused(hook, "kiln.qa.hook.acme");
            LaunchResult added = launcher.launch("bus", "hook", "add", "acme", "--bootstrap", servers, "--certs", admin);
            assertEquals(0, added.exitCode(), added.getErrorOutput());
            assertTrue(added.getOutput().contains("kiln.qa.hook.acme"), added.getOutput());
            eventually(() -> send(hook, acme.topic())); // the broker applies new ACLs from its metadata log
            assertRefused(hook, "kiln.qa.result");
            LaunchResult removed = launcher.launch("bus", "hook", "remove", "acme", "--bootstrap", servers, "--certs", admin);
            assertEquals(0, removed.exitCode(), removed.getErrorOutput());
            assertTrue(removed.getOutput().contains("deleted " + KafkaAcls.hook(acme).size() + " ACLs"), removed.getOutput());
            eventually(() -> assertRefused(hook, acme.topic()));

            assertEquals(ExitCodes.USAGE, launcher.launch("bus", "hook", "add", "Acme.Scan", "--bootstrap", servers,
                    "--certs", admin).exitCode());
            assertEquals(ExitCodes.USAGE, launcher.launch("bus", "hook", "rename", "acme", "--bootstrap", servers,
                    "--certs", admin).exitCode());
        }
        LaunchResult noCerts = launcher.launch("bus", "setup", "--bootstrap", "localhost:9092", "--certs", dir.toString());
        assertEquals(ExitCodes.USAGE, noCerts.exitCode());
        assertTrue(noCerts.getErrorOutput().contains("No keystore.pem in " + dir), noCerts.getErrorOutput());
    }

    /** Runs {@code check} until it passes, for up to 10 s. */
    private static void eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                check.run();
                return;
            } catch (Exception | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    private static void send(Map<String, Object> client, String topic) throws Exception {
        Map<String, Object> p = new HashMap<>(client);
        p.put("max.block.ms", "10000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "b", "{}")).get(20, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(Map<String, Object> client, String topic) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> send(client, topic), topic);
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), topic);
    }
}
