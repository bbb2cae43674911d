package dev.kiln.testsupport;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real single-node Apache Kafka broker in KRaft mode (no ZooKeeper), in this JVM. Tests start one per JVM through
 * {@link KafkaResource}; the demo runs {@link #main} as its own process with a log directory that survives restarts.
 */
public final class KafkaBroker implements AutoCloseable {
    /** Fixed so that a restarted demo broker accepts its formatted log directory. */
    public static final String CLUSTER_ID = "a2lsbi1kZW1vLWNsdXN0ZX";

    private final EmbeddedKafkaBroker broker;

    private KafkaBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Starts a broker on free ports with a throw-away log directory. */
    public static KafkaBroker startEphemeral() {
        try {
            return start(freePort(), freePort(), Files.createTempDirectory("kiln-kafka-"), true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Kafka log directory: " + e.getMessage(), e);
        }
    }

    public static KafkaBroker start(int port, int controllerPort, Path logDir, boolean deleteOnClose) {
        EmbeddedKafkaBroker b = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withKafkaHost("localhost")
                .withKafkaPort(port)
                .withControllerPort(controllerPort)
                .withClusterId(CLUSTER_ID)
                .withDeleteLogDirsOnClose(deleteOnClose)
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", logDir.toAbsolutePath().toString());
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("offsets.topic.num.partitions", "4");
                    p.put("transaction.state.log.replication.factor", "1");
                    p.put("transaction.state.log.min.isr", "1");
                    p.put("share.coordinator.state.topic.replication.factor", "1");
                    p.put("share.coordinator.state.topic.min.isr", "1");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("auto.create.topics.enable", "true");
                    p.put("num.partitions", "6");
                });
        return new KafkaBroker(b.start());
    }

    /** {@code localhost:<port>}. */
    public String bootstrapServers() {
        return broker.getAdvertisedListeners().replaceAll("^[A-Z_]+://", "");
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

    /** {@code java -cp 'test-support/target/lib/*:test-support/target/test-support.jar' KafkaBroker PORT CONTROLLER_PORT LOG_DIR}. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: KafkaBroker PORT CONTROLLER_PORT LOG_DIR");
            System.exit(2);
        }
        KafkaBroker broker = start(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2]), false);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        System.out.println("Kafka broker (KRaft) listening on " + broker.bootstrapServers());
        Thread.currentThread().join();
    }
}
