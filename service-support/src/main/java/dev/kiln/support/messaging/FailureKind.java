package dev.kiln.support.messaging;

import com.github.dockerjava.api.exception.DockerException;
import dev.kiln.events.MalformedEventException;
import dev.kiln.support.registry.RegistryException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * What kind of failure an exception is: the one place Kiln classifies them. Consumers retry {@link #TRANSIENT}
 * failures without end (with backoff), end the build on {@link #PERMANENT} ones, dead-letter {@link #MALFORMED} input,
 * and try {@link #UNEXPECTED} ones (a defect, most likely) a few times before they treat them as permanent.
 */
public enum FailureKind {
    /** The input itself is unreadable: a dead letter. */
    MALFORMED,
    /** Another try may succeed: a broker, database, registry, daemon or service that is away or overloaded. */
    TRANSIENT,
    /** Trying again cannot help: the build fails with a reason. */
    PERMANENT,
    /** Not recognised: a defect or a failure nobody classified. */
    UNEXPECTED;

    /** Classifies {@code failure} by itself and its causes: the first cause that says something decides. */
    public static FailureKind of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            FailureKind kind = direct(t);
            if (kind != null) {
                return kind;
            }
        }
        return UNEXPECTED;
    }

    public static boolean isTransient(Throwable failure) {
        return of(failure) == TRANSIENT;
    }

    private static FailureKind direct(Throwable t) {
        if (t instanceof MalformedEventException) {
            return MALFORMED;
        }
        if (t instanceof TransientFailure || t instanceof EventNotSentException) {
            return TRANSIENT;
        }
        if (t instanceof PermanentFailure) {
            return PERMANENT;
        }
        if (t instanceof RegistryException r) {
            return r.isTransient() ? TRANSIENT : PERMANENT;
        }
        if (t instanceof SQLException sql) {
            return sql(sql);
        }
        if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException
                || t instanceof TimeoutException) {
            return TRANSIENT;
        }
        if (t instanceof WebApplicationException web) {
            int status = web.getResponse() == null ? 0 : web.getResponse().getStatus();
            return status >= 500 || status == 429 || status == 408 ? TRANSIENT : null;
        }
        if (t instanceof DockerException docker) {
            // the daemon answered: 5xx with a connection problem underneath is decided by the cause
            return docker.getHttpStatus() == 503 || docker.getHttpStatus() == 429 ? TRANSIENT : null;
        }
        if (t instanceof FileSystemException) {
            return null;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            // refused or reset connections, timeouts, a peer that went away mid-answer
            return TRANSIENT;
        }
        return null; // e.g. a ProcessingException: decided by its cause (a refused connection is an IOException)
    }

    /**
     * SQL states that mean "try again": connection exceptions (08), transaction rollbacks such as serialization
     * failures and deadlocks (40), insufficient resources (53), operator intervention such as an administrator's
     * shutdown (57P), system errors (58). Agroal reports an exhausted pool without a state, as a timeout.
     */
    private static FailureKind sql(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return TRANSIENT;
        }
        String state = e.getSQLState();
        if (state == null) {
            String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
            return message.contains("acquisition timeout") || message.contains("connection") ? TRANSIENT : null;
        }
        if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57P")
                || state.startsWith("58")) {
            return TRANSIENT;
        }
        return null;
    }
}
