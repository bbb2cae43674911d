package dev.kiln.buildsubmission.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.service.SubmissionService;
import dev.kiln.buildsubmission.store.BuildStore;
import dev.kiln.events.BuildState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Server-Sent Events streams of one build's log and states. Each stream polls PostgreSQL (so any hub instance can
 * serve any build, and a stream survives nothing but its own connection) on its own thread until the build has
 * ended or the client went away.
 */
@ApplicationScoped
public class BuildStreams {
    private static final Logger LOG = Logger.getLogger(BuildStreams.class);

    private final SubmissionService service;
    private final ObjectMapper json;
    private final long pollMs;
    private final long graceMs;
    private final long keepAliveMs;
    private final ExecutorService executor;

    public BuildStreams(SubmissionService service, ObjectMapper json, KilnConfig config) {
        this.service = service;
        this.json = json;
        this.pollMs = Math.max(20, config.stream().pollIntervalMs());
        this.graceMs = Math.max(0, config.stream().endGraceMs());
        this.keepAliveMs = Math.max(1, config.stream().keepAliveSeconds()) * 1000;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-sse-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /** {@code log} events (id = batch sequence, data {sequence, lines}) after {@code after}; then {@code end}. */
    public void logs(String id, long after, SseEventSink sink, Sse sse) {
        executor.execute(() -> run(sink, "log stream of " + id, () -> {
            long last = after;
            long idleSince = System.currentTimeMillis();
            Long endedSince = null;
            while (!sink.isClosed()) {
                Optional<SubmissionService.LogPoll> poll = service.pollLogs(id, last);
                if (poll.isEmpty()) {
                    return;
                }
                List<BuildStore.LogBatch> batches = poll.get().batches();
                for (BuildStore.LogBatch b : batches) {
                    send(sink, sse.newEventBuilder().name("log").id(Long.toString(b.sequence()))
                            .data(write(ordered("sequence", b.sequence(), "lines", b.lines()))).build());
                    last = b.sequence();
                }
                long now = System.currentTimeMillis();
                if (!batches.isEmpty()) {
                    idleSince = now;
                }
                BuildState state = poll.get().state();
                if (state.isTerminal()) {
                    // lines may still arrive just after the end (another topic): wait a little for late ones
                    if (endedSince == null || !batches.isEmpty()) {
                        endedSince = now;
                    }
                    if (now - endedSince >= graceMs) {
                        send(sink, sse.newEventBuilder().name("end")
                                .data(write(ordered("state", state.name()))).build());
                        return;
                    }
                }
                idleSince = keepAlive(sink, sse, idleSince, now);
                Thread.sleep(pollMs);
            }
        }));
    }

    /**
     * {@code state} events (id = history position, data {state, at}, plus {@code inferred: true} for a state no event
     * proved yet) after {@code after}; then {@code end}.
     */
    public void states(String id, long after, SseEventSink sink, Sse sse) {
        executor.execute(() -> run(sink, "state stream of " + id, () -> {
            long last = after;
            long idleSince = System.currentTimeMillis();
            while (!sink.isClosed()) {
                Optional<List<BuildStore.HistoryRow>> rows = service.pollHistory(id, last);
                if (rows.isEmpty()) {
                    return;
                }
                for (BuildStore.HistoryRow r : rows.get()) {
                    send(sink, sse.newEventBuilder().name("state").id(Long.toString(r.position()))
                            .data(write(r.inferred() ? ordered("state", r.state().name(), "at", r.at().toString(),
                                    "inferred", true) : ordered("state", r.state().name(), "at", r.at().toString())))
                            .build());
                    last = r.position();
                }
                long now = System.currentTimeMillis();
                if (!rows.get().isEmpty()) {
                    idleSince = now;
                }
                Optional<BuildJson> build = service.find(id).map(BuildJson::of);
                if (build.isEmpty()) {
                    return;
                }
                if (BuildState.valueOf(build.get().state()).isTerminal()
                        && service.pollHistory(id, last).map(List::isEmpty).orElse(true)) {
                    send(sink, sse.newEventBuilder().name("end")
                            .data(write(build.get())).build());
                    return;
                }
                idleSince = keepAlive(sink, sse, idleSince, now);
                Thread.sleep(pollMs);
            }
        }));
    }

    private long keepAlive(SseEventSink sink, Sse sse, long idleSince, long now) throws Exception {
        if (now - idleSince >= keepAliveMs) {
            send(sink, sse.newEventBuilder().comment("keep-alive").build());
            return now;
        }
        return idleSince;
    }

    @FunctionalInterface
    private interface Loop {
        void run() throws Exception;
    }

    private void run(SseEventSink sink, String what, Loop loop) {
        try {
            loop.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the client went away (send failed) or the database is unreachable: end this stream only
            LOG.debugf("%s ended: %s", what, e.toString());
        } finally {
            try {
                sink.close();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    private static void send(SseEventSink sink, OutboundSseEvent event) throws Exception {
        sink.send(event).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A JSON object with its fields in the given order. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
