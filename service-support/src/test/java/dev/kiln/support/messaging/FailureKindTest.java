package dev.kiln.support.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.events.MalformedEventException;
import dev.kiln.events.Stage;
import dev.kiln.support.registry.RegistryException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FailureKindTest {
    @Test
    void databaseConnectionAndRollbackStatesAreTransientOthersAreNot() {
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new SQLException("connection lost", "08006")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new SQLException("admin shutdown", "57P01")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new SQLException("could not serialize", "40001")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new SQLException("too many connections", "53300")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new SQLException("Sorry, acquisition timeout!")));
        assertEquals(FailureKind.UNEXPECTED, FailureKind.of(new SQLException("syntax error", "42601")));
        // wrapped by a store: the cause decides
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new IllegalStateException("database error",
                new SQLException("connection refused", "08001"))));
    }

    @Test
    void registryErrorsSayThemselves() {
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new RegistryException("503 from the registry", true, 503)));
        assertEquals(FailureKind.PERMANENT, FailureKind.of(new RegistryException("manifest unknown", false, 404)));
    }

    @Test
    void refusedConnectionsAndServerErrorsAreTransientClientErrorsAreNot() {
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new ProcessingException(new ConnectException("refused"))));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new UncheckedIOException(new java.io.IOException("reset"))));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new WebApplicationException(503)));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new WebApplicationException(429)));
        assertEquals(FailureKind.UNEXPECTED, FailureKind.of(new WebApplicationException(404)));
        assertEquals(FailureKind.UNEXPECTED, FailureKind.of(new NoSuchFileException("/tmp/x")));
    }

    @Test
    void kilnsOwnKindsAndTheRest() {
        assertEquals(FailureKind.MALFORMED, FailureKind.of(new MalformedEventException("not JSON")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new TransientFailure("hub away")));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new EventNotSentException("record", new RuntimeException("x"))));
        assertEquals(FailureKind.PERMANENT, FailureKind.of(new PermanentFailure(Stage.PUSH, "push-refused", "no")));
        assertEquals(FailureKind.UNEXPECTED, FailureKind.of(new NullPointerException()));
        assertEquals(FailureKind.TRANSIENT, FailureKind.of(new org.apache.kafka.common.errors.TimeoutException("slow")));
    }
}
