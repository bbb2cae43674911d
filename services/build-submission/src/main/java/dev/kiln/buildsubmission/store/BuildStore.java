package dev.kiln.buildsubmission.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.domain.CancelRequest;
import dev.kiln.buildsubmission.domain.Failure;
import dev.kiln.buildsubmission.domain.HistoryEntry;
import dev.kiln.buildsubmission.domain.ImageLocation;
import dev.kiln.buildsubmission.domain.QaRecord;
import dev.kiln.buildsubmission.domain.SignatureRecord;
import dev.kiln.buildsubmission.domain.Transition;
import dev.kiln.events.BuildState;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The builds, their history, QA results, signatures, logs, NVR reservations and processed event ids.
 *
 * <p>Longer than the house's 300 lines: the SQL of one aggregate, the build, with its child tables, in one place (as
 * Apicurio keeps its SQL).
 */
@ApplicationScoped
public class BuildStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, component, state, scratch, requester, nvr_name, nvr_version, nvr_release, "
            + "dockerfile_path, source_kind, git_url, git_ref, git_commit, context_digest, created_at, updated_at, "
            + "failure_stage, failure_reason, failure_message, parent_image, parent_digest, candidate_registry, "
            + "candidate_repository, candidate_digest, candidate_tags, promoted_registry, promoted_repository, "
            + "promoted_digest, promoted_tags, image_id, image_size, cancel_requested_by, cancel_requested_at, layers, "
            + "worker_id, docker_host";

    // ---- NVR reservations ----

    /** Reserves exactly this NVR; false when it is already taken. */
    public boolean reserve(Connection c, Nvr nvr, String buildId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.nvr_reservations "
                + "(name, version, release, build_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, nvr.name());
            ps.setString(2, nvr.version());
            ps.setString(3, nvr.release());
            ps.setString(4, buildId);
            return ps.executeUpdate() == 1;
        }
    }

    /** The highest numeric release reserved for {@code name}-{@code version}, 0 when there is none. */
    public long maxNumericRelease(Connection c, String name, String version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(CAST(release AS BIGINT)), 0) "
                + "FROM submission.nvr_reservations WHERE name = ? AND version = ? AND release ~ '^[0-9]{1,18}$'")) {
            ps.setString(1, name);
            ps.setString(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ---- builds ----

    public void insert(Connection c, Build b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.builds (id, component, state, scratch, "
                + "requester, nvr_name, nvr_version, nvr_release, dockerfile_path, source_kind, git_url, git_ref, "
                + "git_commit, context_digest, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, b.id());
            ps.setString(2, b.request().component());
            ps.setString(3, b.state().name());
            ps.setBoolean(4, b.request().scratch());
            ps.setString(5, b.request().requester());
            ps.setString(6, b.request().nvr().name());
            ps.setString(7, b.request().nvr().version());
            ps.setString(8, b.request().nvr().release());
            ps.setString(9, b.request().dockerfilePath());
            ps.setString(10, b.request().source().kind().name());
            ps.setString(11, b.request().source().gitUrl());
            ps.setString(12, b.request().source().gitRef());
            ps.setString(13, b.request().source().gitCommit());
            ps.setString(14, b.request().source().contextDigest());
            ps.setObject(15, odt(b.timeline().createdAt()));
            ps.setObject(16, odt(b.timeline().updatedAt()));
            ps.executeUpdate();
        }
    }

    public void insertHistory(Connection c, String buildId, BuildState state, Instant at) throws SQLException {
        insertHistory(c, buildId, state, at, false);
    }

    private void insertHistory(Connection c, String buildId, BuildState state, Instant at, boolean inferred)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO submission.build_history (build_id, state, at, inferred) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, buildId);
            ps.setString(2, state.name());
            ps.setObject(3, odt(at));
            ps.setBoolean(4, inferred);
            ps.executeUpdate();
        }
    }

    /**
     * Applies a transition at {@code now}: the history gets a row per state in {@code passedOver} (inferred, at
     * {@code at}) and one for the new state (at {@code at}, the time of the event that caused it).
     */
    public void applyTransition(Connection c, String buildId, Transition t, Instant now, Instant at,
            List<BuildState> passedOver) throws SQLException {
        Failure f = t.failure();
        // a failure is kept once set (a terminal state never changes)
        String failureColumns = "failure_stage = COALESCE(?, failure_stage), failure_reason = COALESCE(?, failure_reason), "
                + "failure_message = COALESCE(?, failure_message) ";
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.builds SET state = ?, updated_at = ?, "
                + failureColumns + "WHERE id = ?")) {
            ps.setString(1, t.to().name());
            ps.setObject(2, odt(now));
            ps.setString(3, f == null || f.stage() == null ? null : f.stage().wireName());
            ps.setString(4, f == null ? null : f.reason());
            ps.setString(5, f == null ? null : f.message());
            ps.setString(6, buildId);
            ps.executeUpdate();
        }
        for (BuildState passed : passedOver) {
            insertHistory(c, buildId, passed, at, true);
        }
        insertHistory(c, buildId, t.to(), at);
    }

    /**
     * The event that proves {@code state} came after a later state had implied it: its inferred history row gets the
     * event's time and is no longer inferred. Nothing happens when the state was seen already or never passed.
     */
    public boolean proveHistory(Connection c, String buildId, BuildState state, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.build_history SET at = ?, inferred = false"
                + " WHERE build_id = ? AND state = ? AND inferred")) {
            ps.setObject(1, odt(at));
            ps.setString(2, buildId);
            ps.setString(3, state.name());
            return ps.executeUpdate() > 0;
        }
    }

    /** Locks the build row until the end of the transaction and returns the build (with its lists). */
    public Optional<Build> lock(Connection c, String id) throws SQLException {
        return load(c, id, true);
    }

    public Optional<Build> find(Connection c, String id) throws SQLException {
        return load(c, id, false);
    }

    private Optional<Build> load(Connection c, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM submission.builds WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(map(c, rs));
            }
        }
    }

    /** Filters of a build list; null fields do not filter. */
    public record ListFilter(String component, BuildState state, String requester, Instant since) {
    }

    /** Newest first; {@code limit} rows from {@code offset}. */
    public List<Build> list(Connection c, ListFilter f, int limit, long offset) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM submission.builds WHERE TRUE");
        List<Object> params = new ArrayList<>();
        if (f.component() != null) {
            sql.append(" AND component = ?");
            params.add(f.component());
        }
        if (f.state() != null) {
            sql.append(" AND state = ?");
            params.add(f.state().name());
        }
        if (f.requester() != null) {
            sql.append(" AND requester = ?");
            params.add(f.requester());
        }
        if (f.since() != null) {
            sql.append(" AND created_at >= ?");
            params.add(odt(f.since()));
        }
        sql.append(" ORDER BY created_at DESC, id LIMIT ? OFFSET ?");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            ps.setInt(i++, limit);
            ps.setLong(i, offset);
            List<Build> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(map(c, rs));
                }
            }
            return out;
        }
    }

    /** A history row with its position, for streams that resume after a row. */
    public record HistoryRow(long position, BuildState state, Instant at, boolean inferred) {
    }

    public List<HistoryRow> historyAfter(Connection c, String id, long afterPosition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, state, at, inferred FROM submission.build_history WHERE build_id = ? AND id > ? ORDER BY id")) {
            ps.setString(1, id);
            ps.setLong(2, afterPosition);
            List<HistoryRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryRow(rs.getLong(1), BuildState.valueOf(rs.getString(2)), instant(rs, "at"),
                            rs.getBoolean("inferred")));
                }
            }
            return out;
        }
    }

    /** One stored batch of log lines. */
    public record LogBatch(long sequence, List<String> lines) {
    }

    public List<LogBatch> logBatchesAfter(Connection c, String id, long afterSequence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sequence, lines FROM submission.build_logs "
                + "WHERE build_id = ? AND sequence > ? ORDER BY sequence")) {
            ps.setString(1, id);
            ps.setLong(2, afterSequence);
            List<LogBatch> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LogBatch(rs.getLong(1), stringList(rs.getString(2))));
                }
            }
            return out;
        }
    }

    /** The state alone (cheap, for streams); empty when there is no such build. */
    public Optional<BuildState> state(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT state FROM submission.builds WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(BuildState.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** Remembers the first cancel request of a build. */
    public void recordCancelRequest(Connection c, String id, String by, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.builds SET cancel_requested_by = ?, "
                + "cancel_requested_at = ? WHERE id = ? AND cancel_requested_by IS NULL")) {
            ps.setString(1, by);
            ps.setObject(2, odt(at));
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    private Build map(Connection c, ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        Source.Kind kind = Source.Kind.valueOf(rs.getString("source_kind"));
        Source source = kind == Source.Kind.GIT
                ? Source.git(rs.getString("git_url"), rs.getString("git_ref"), rs.getString("git_commit"))
                : Source.context(rs.getString("context_digest"));
        String stage = rs.getString("failure_stage");
        Failure failure = rs.getString("failure_reason") == null ? null
                : new Failure(stage == null ? null : Stage.fromWire(stage), rs.getString("failure_reason"),
                        rs.getString("failure_message"));
        ImageLocation candidate = rs.getString("candidate_digest") == null ? null
                : new ImageLocation(rs.getString("candidate_registry"), rs.getString("candidate_repository"),
                        rs.getString("candidate_digest"), stringList(rs.getString("candidate_tags")));
        ImageLocation promoted = rs.getString("promoted_digest") == null ? null
                : new ImageLocation(rs.getString("promoted_registry"), rs.getString("promoted_repository"),
                        rs.getString("promoted_digest"), stringList(rs.getString("promoted_tags")));
        Build.Request request = new Build.Request(rs.getString("component"), rs.getBoolean("scratch"),
                rs.getString("requester"),
                new Nvr(rs.getString("nvr_name"), rs.getString("nvr_version"), rs.getString("nvr_release")),
                rs.getString("dockerfile_path"), source);
        CancelRequest cancel = rs.getString("cancel_requested_by") == null ? null
                : new CancelRequest(rs.getString("cancel_requested_by"), instant(rs, "cancel_requested_at"));
        Build.Timeline timeline = new Build.Timeline(instant(rs, "created_at"), instant(rs, "updated_at"),
                history(c, id), failure, cancel);
        Build.Built built = new Build.Built(rs.getString("image_id"),
                rs.getObject("image_size") == null ? null : rs.getLong("image_size"), rs.getString("parent_image"),
                rs.getString("parent_digest"), layers(rs.getString("layers")), rs.getString("worker_id"),
                rs.getString("docker_host"));
        Build.Delivery delivery = new Build.Delivery(candidate, qaResults(c, id), signatures(c, id), promoted);
        return new Build(id, BuildState.valueOf(rs.getString("state")), request, timeline, built, delivery);
    }

    private List<HistoryEntry> history(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT state, at, inferred FROM submission.build_history WHERE build_id = ? ORDER BY id")) {
            ps.setString(1, id);
            List<HistoryEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryEntry(BuildState.valueOf(rs.getString(1)), instant(rs, "at"),
                            rs.getBoolean("inferred")));
                }
            }
            return out;
        }
    }

    // ---- facts from events ----

    public void recordStarted(Connection c, String id, String workerId, String dockerHost, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.builds SET worker_id = ?, docker_host = ?, "
                + "updated_at = ? WHERE id = ?")) {
            ps.setString(1, workerId);
            ps.setString(2, dockerHost);
            ps.setObject(3, odt(at));
            ps.setString(4, id);
            ps.executeUpdate();
        }
    }

    public void recordCompleted(Connection c, String id, String parentImage, String parentDigest, String imageId,
            long size, Map<String, String> labels, List<String> contentManifest, List<ImageLayer> layers, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.builds SET parent_image = ?, "
                + "parent_digest = ?, image_id = ?, image_size = ?, labels = CAST(? AS JSONB), "
                + "content_manifest = CAST(? AS JSONB), layers = CAST(? AS JSONB), updated_at = ? WHERE id = ?")) {
            ps.setString(1, parentImage);
            ps.setString(2, parentDigest);
            ps.setString(3, imageId);
            ps.setLong(4, size);
            ps.setString(5, json(labels));
            ps.setString(6, json(contentManifest));
            ps.setString(7, json(layers));
            ps.setObject(8, odt(at));
            ps.setString(9, id);
            ps.executeUpdate();
        }
    }

    /** The content manifest recorded from {@code build.completed}; empty until the build completed. */
    public Optional<List<String>> contentManifest(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT content_manifest::text FROM submission.builds WHERE id = ? AND content_manifest IS NOT NULL")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(List.of(JSON.readValue(rs.getString(1), String[].class)));
                } catch (JsonProcessingException e) {
                    throw new SQLException("unreadable content manifest of build " + id, e);
                }
            }
        }
    }

    public void recordCandidate(Connection c, String id, ImageLocation l, Instant at) throws SQLException {
        recordLocation(c, id, "candidate", l, at);
    }

    public void recordPromoted(Connection c, String id, ImageLocation l, Instant at) throws SQLException {
        recordLocation(c, id, "promoted", l, at);
    }

    private void recordLocation(Connection c, String id, String prefix, ImageLocation l, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.builds SET " + prefix + "_registry = ?, "
                + prefix + "_repository = ?, " + prefix + "_digest = ?, " + prefix + "_tags = CAST(? AS JSONB), "
                + "updated_at = ? WHERE id = ?")) {
            ps.setString(1, l.registry());
            ps.setString(2, l.repository());
            ps.setString(3, l.digest());
            ps.setString(4, json(l.tags()));
            ps.setObject(5, odt(at));
            ps.setString(6, id);
            ps.executeUpdate();
        }
    }

    public List<QaRecord> qaResults(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT test_case, subject_digest, outcome, summary, reporter, "
                + "log_url, reported_at FROM submission.qa_results WHERE build_id = ? ORDER BY test_case")) {
            ps.setString(1, id);
            List<QaRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new QaRecord(rs.getString(1), rs.getString(2), QaOutcome.valueOf(rs.getString(3)),
                            rs.getString(4), rs.getString(5), rs.getString(6), instant(rs, "reported_at")));
                }
            }
            return out;
        }
    }

    public void upsertQa(Connection c, String id, QaRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.qa_results (build_id, test_case, "
                + "subject_digest, outcome, summary, reporter, log_url, reported_at) VALUES (?,?,?,?,?,?,?,?) "
                + "ON CONFLICT (build_id, test_case) DO UPDATE SET subject_digest = EXCLUDED.subject_digest, "
                + "outcome = EXCLUDED.outcome, summary = EXCLUDED.summary, reporter = EXCLUDED.reporter, "
                + "log_url = EXCLUDED.log_url, reported_at = EXCLUDED.reported_at")) {
            ps.setString(1, id);
            ps.setString(2, r.testCase());
            ps.setString(3, r.subjectDigest());
            ps.setString(4, r.outcome().name());
            ps.setString(5, r.summary());
            ps.setString(6, r.reporter());
            ps.setString(7, r.logUrl());
            ps.setObject(8, odt(r.time()));
            ps.executeUpdate();
        }
    }

    public List<SignatureRecord> signatures(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT reference, digest, format, key_id "
                + "FROM submission.signatures WHERE build_id = ? ORDER BY id")) {
            ps.setString(1, id);
            List<SignatureRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SignatureRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        }
    }

    /** Records a signature unless the same one is already there. */
    public boolean insertSignature(Connection c, String id, SignatureRecord s, String location) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.signatures (build_id, reference, digest, "
                + "format, key_id, location) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, s.reference());
            ps.setString(3, s.digest());
            ps.setString(4, s.format());
            ps.setString(5, s.keyId());
            ps.setString(6, location);
            return ps.executeUpdate() == 1;
        }
    }

    public void insertLog(Connection c, String id, long sequence, List<String> lines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.build_logs (build_id, sequence, lines) "
                + "VALUES (?, ?, CAST(? AS JSONB)) ON CONFLICT DO NOTHING")) {
            ps.setString(1, id);
            ps.setLong(2, sequence);
            ps.setString(3, json(lines));
            ps.executeUpdate();
        }
    }

    /** The build's log lines, in order of their batches. */
    public List<String> logLines(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT lines FROM submission.build_logs WHERE build_id = ? ORDER BY sequence")) {
            ps.setString(1, id);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.addAll(stringList(rs.getString(1)));
                }
            }
            return out;
        }
    }

    // ---- deduplication ----

    /** Remembers a CloudEvents id; false when it was seen before (a redelivery). */
    public boolean markProcessed(Connection c, String eventId, String topic) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.processed_events (event_id, topic) "
                + "VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, eventId);
            ps.setString(2, topic);
            return ps.executeUpdate() == 1;
        }
    }

    // ---- helpers ----

    private static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> stringList(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad JSON in database: " + json, e);
        }
    }

    /** The layers column: null until the build completed (or when it completed before layers were recorded). */
    private static List<ImageLayer> layers(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<ImageLayer>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad layers in database: " + json, e);
        }
    }

}
