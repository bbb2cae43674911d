package dev.kiln.support.messaging;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.support.jdbc.Jdbc;
import dev.kiln.support.text.Failures;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * A transactional outbox: a service that changes its database and announces it writes the event as a row of its
 * outbox table ({@code kiln.messaging.outbox-table}, e.g. {@code submission.outbox}) in the same transaction
 * ({@link #add(Connection, KilnEvent)}), and one relay per service sends the rows in their order (so in order per build
 * id), at least once, deleting each after the broker acknowledged it. No send happens inside a transaction, and a
 * crash between commit and send only delays the event: the next relay sends it (with the same event id, so consumers
 * recognise a repeat).
 * <p>
 * Several instances of a service share the table: a PostgreSQL advisory lock held by the relay's connection makes one
 * of them the sender; another takes over within {@value #LOCK_RETRY_MILLIS} ms of its connection closing.
 * A service without {@code kiln.messaging.outbox-table} has no relay.
 */
@ApplicationScoped
public class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class);
    static final long LOCK_RETRY_MILLIS = 2000;
    private static final int BATCH = 100;
    /** Poll interval when idle; right after an add the relay looks again at once. */
    private static final long IDLE_MILLIS = 250;

    @Inject
    EventPublisher publisher;

    @Inject
    Instance<DataSource> dataSources;

    @Inject
    MessagingConfig config;

    private Optional<String> table = Optional.empty();

    private final Object signal = new Object();
    private volatile boolean woken;
    /** When the last add happened: its transaction commits shortly after, so the relay looks again quickly. */
    private volatile long lastWake;
    private volatile boolean running;
    private Thread relay;
    private final RetryPolicy policy = RetryPolicy.configured();

    /** Adds {@code event} to the outbox in {@code c}'s transaction; answers its event id. */
    public String add(Connection c, KilnEvent event) throws SQLException {
        String name = config.outboxTable().orElseThrow(() -> new IllegalStateException(
                "kiln.messaging.outbox-table is not set"));
        String eventId = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + name
                + " (event_id, event_type, build_id, payload) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, eventId);
            ps.setString(2, EventType.of(event).ceType());
            ps.setString(3, event.buildId());
            ps.setString(4, EventCodec.encode(event));
            ps.executeUpdate();
        }
        wake();
        return eventId;
    }

    /** Tells the relay to look now (an add's transaction is about to commit). */
    public void wake() {
        lastWake = System.nanoTime();
        woken = true;
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    void start(@Observes StartupEvent started) {
        table = config.outboxTable();
        if (table.isEmpty()) {
            return;
        }
        if (!table.get().matches("[a-z_]+\\.[a-z_]+")) {
            throw new IllegalStateException("kiln.messaging.outbox-table must name schema.table, got " + table.get());
        }
        running = true;
        relay = new Thread(this::relayLoop, "kiln-outbox-relay");
        relay.setDaemon(true);
        relay.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        wake();
        if (relay != null) {
            try {
                relay.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void relayLoop() {
        int failures = 0;
        while (running) {
            try (Connection c = dataSources.get().getConnection()) {
                c.setAutoCommit(true);
                if (!lock(c)) {
                    idle(LOCK_RETRY_MILLIS);
                    continue;
                }
                LOG.infof("outbox relay for %s started", table.get());
                try {
                    while (running) {
                        int sent = relayBatch(c);
                        failures = 0;
                        if (sent == 0) {
                            boolean recent = System.nanoTime() - lastWake < 1_000_000_000L;
                            idle(recent ? 20 : IDLE_MILLIS);
                        }
                    }
                } finally {
                    // the pool keeps the session open after close(): give the lock back so another relay can take it
                    unlock(c);
                }
            } catch (SQLException | RuntimeException e) {
                failures++;
                LOG.warnf("outbox relay for %s: %s (trying again)", table.get(), Failures.message(e));
                policy.pause(failures, () -> !running);
            }
        }
    }

    /** Sends one batch in order and deletes what the broker acknowledged; answers how many rows were sent. */
    private int relayBatch(Connection c) throws SQLException {
        record Row(long id, String eventId, KilnEvent event) {
        }
        List<Row> rows = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, event_id, event_type, payload FROM " + table.get()
                        + " ORDER BY id LIMIT " + BATCH)) {
            while (rs.next()) {
                EventType type = EventType.byCeType(rs.getString(3)).orElseThrow(() -> new IllegalStateException(
                        "unknown event type in the outbox"));
                rows.add(new Row(rs.getLong(1), rs.getString(2), EventCodec.decode(rs.getString(4), type.recordType())));
            }
        }
        if (rows.isEmpty()) {
            return 0;
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (Row r : rows) {
            acks.add(publisher.sendAsync(r.event(), r.eventId()));
        }
        List<Long> done = new ArrayList<>();
        RuntimeException failure = null;
        for (int i = 0; i < rows.size(); i++) {
            try {
                EventPublisher.await(acks.get(i), EventType.of(rows.get(i).event()).ceType() + " event");
                done.add(rows.get(i).id());
            } catch (RuntimeException e) {
                failure = e;
                break; // later rows are sent again after this one, in order
            }
        }
        if (!done.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.get() + " WHERE id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("bigint", done.toArray()));
                ps.executeUpdate();
            }
        }
        if (failure != null) {
            throw failure;
        }
        return rows.size();
    }

    private boolean lock(Connection c) throws SQLException {
        return Jdbc.tryLock(c, lockName());
    }

    private void unlock(Connection c) {
        try {
            // all of the session's locks: a lock left from a checkout whose unlock failed goes too
            Jdbc.unlockAll(c);
        } catch (SQLException e) {
            LOG.debugf("outbox relay: unlocking on a broken connection (%s); closing it ends the lock", e.getMessage());
        }
    }

    private String lockName() {
        return "kiln-outbox:" + table.get();
    }

    private void idle(long millis) {
        synchronized (signal) {
            if (!woken && running) {
                try {
                    signal.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }
}
