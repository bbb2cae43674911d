package dev.kiln.release.store;

import dev.kiln.events.QaOutcome;
import dev.kiln.release.domain.Promotion;
import dev.kiln.release.domain.QaRecord;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.domain.Waiver;
import dev.kiln.support.jdbc.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain JDBC over the Agroal data source; tables live in the {@code release} schema (Flyway).
 *
 * <p>Longer than the house's 300 lines: the SQL of one aggregate, the release subject, with its facts, decisions,
 * waivers and promotion queue, in one place (as Apicurio keeps its SQL).
 */
@ApplicationScoped
public class ReleaseDatabase {

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A database failure, unchecked. */
    public static class DatabaseException extends RuntimeException {
        public DatabaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Inject
    DataSource dataSource;

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.transaction(c, work::run);
        } catch (SQLException e) {
            throw new DatabaseException("release database: " + e.getMessage(), e);
        }
    }

    /** Records the pushed image; a promoted subject is never changed any more. */
    public void upsertPushed(Connection c, Subject s) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO release.subjects (build_id, component, scratch, name, version, release, registry, repository, digest, tags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (build_id) DO UPDATE SET component = EXCLUDED.component, scratch = EXCLUDED.scratch,
                    name = EXCLUDED.name, version = EXCLUDED.version, release = EXCLUDED.release,
                    registry = EXCLUDED.registry, repository = EXCLUDED.repository, digest = EXCLUDED.digest,
                    tags = EXCLUDED.tags, updated_at = now()
                WHERE NOT release.subjects.promoted""")) {
            st.setString(1, s.buildId());
            st.setString(2, s.component());
            st.setBoolean(3, s.scratch());
            st.setString(4, s.name());
            st.setString(5, s.version());
            st.setString(6, s.release());
            st.setString(7, s.registry());
            st.setString(8, s.repository());
            st.setString(9, s.digest());
            st.setArray(10, c.createArrayOf("text", s.tags().toArray()));
            st.executeUpdate();
        }
    }

    /** Makes sure a (possibly still empty) subject row exists for {@code buildId}. */
    public void ensureSubject(Connection c, String buildId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO release.subjects (build_id) VALUES (?) ON CONFLICT (build_id) DO NOTHING")) {
            st.setString(1, buildId);
            st.executeUpdate();
        }
    }

    /** Reads the subject and locks its row until the transaction ends, so one build is evaluated by one thread at a time. */
    public Optional<Subject> lockSubject(Connection c, String buildId) throws SQLException {
        return subject(c, buildId, true);
    }

    public Optional<Subject> findSubject(String buildId) {
        return inTransaction(c -> subject(c, buildId, false));
    }

    private Optional<Subject> subject(Connection c, String buildId, boolean lock) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT build_id, component, scratch, name, version, release, registry, repository, digest, tags, promoted,
                       last_decision::text, failing_since, decision_final
                FROM release.subjects WHERE build_id = ?""" + (lock ? " FOR UPDATE" : ""))) {
            st.setString(1, buildId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array tags = rs.getArray("tags");
                List<String> tagList = tags == null ? List.of() : Arrays.asList((String[]) tags.getArray());
                return Optional.of(new Subject(rs.getString("build_id"), rs.getString("component"), rs.getBoolean("scratch"),
                        rs.getString("name"), rs.getString("version"), rs.getString("release"), rs.getString("registry"),
                        rs.getString("repository"), rs.getString("digest"), tagList, rs.getBoolean("promoted"),
                        rs.getString("last_decision"), instant(rs.getTimestamp("failing_since")),
                        rs.getBoolean("decision_final")));
            }
        }
    }

    /** Stores a result unless a newer one for the same test case is already there. */
    public void upsertQaResult(Connection c, String buildId, String testCase, QaOutcome outcome, String subjectDigest,
            String reporter, Instant time) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO release.qa_results (build_id, test_case, outcome, subject_digest, reporter, reported_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (build_id, test_case) DO UPDATE SET outcome = EXCLUDED.outcome,
                    subject_digest = EXCLUDED.subject_digest, reporter = EXCLUDED.reporter, reported_at = EXCLUDED.reported_at
                WHERE release.qa_results.reported_at <= EXCLUDED.reported_at""")) {
            st.setString(1, buildId);
            st.setString(2, testCase);
            st.setString(3, outcome.name());
            st.setString(4, subjectDigest);
            st.setString(5, reporter);
            st.setTimestamp(6, Timestamp.from(time));
            st.executeUpdate();
        }
    }

    public void insertSignature(Connection c, String buildId, SignatureRecord s, String location, Instant time) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO release.signatures (build_id, reference, digest, key_id, format, location, signed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ON CONSTRAINT signatures_unique DO NOTHING""")) {
            st.setString(1, buildId);
            st.setString(2, s.reference());
            st.setString(3, s.digest());
            st.setString(4, s.keyId());
            st.setString(5, s.format());
            st.setString(6, location);
            st.setTimestamp(7, Timestamp.from(time));
            st.executeUpdate();
        }
    }

    public List<QaRecord> qaResults(Connection c, String buildId) throws SQLException {
        List<QaRecord> results = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT test_case, outcome, subject_digest FROM release.qa_results WHERE build_id = ? ORDER BY test_case")) {
            st.setString(1, buildId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    results.add(new QaRecord(rs.getString(1), QaOutcome.valueOf(rs.getString(2)), rs.getString(3)));
                }
            }
        }
        return results;
    }

    public List<SignatureRecord> signatures(Connection c, String buildId) throws SQLException {
        List<SignatureRecord> results = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT reference, digest, key_id, format FROM release.signatures WHERE build_id = ? ORDER BY reference")) {
            st.setString(1, buildId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    results.add(new SignatureRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return results;
    }

    /** Stores the decision sent last; a final one is final for good. */
    public void storeDecision(Connection c, String buildId, String decisionJson, boolean decisionFinal) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                UPDATE release.subjects SET last_decision = CAST(? AS jsonb), decision_final = decision_final OR ?,
                    updated_at = now() WHERE build_id = ?""")) {
            st.setString(1, decisionJson);
            st.setBoolean(2, decisionFinal);
            st.setString(3, buildId);
            st.executeUpdate();
        }
    }

    /** Since when only a waiver could satisfy the gate of {@code buildId}; null: no longer so. */
    public void setFailingSince(Connection c, String buildId, Instant since) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE release.subjects SET failing_since = ? WHERE build_id = ?")) {
            st.setTimestamp(1, since == null ? null : Timestamp.from(since));
            st.setString(2, buildId);
            st.executeUpdate();
        }
    }

    /** Builds whose gate has needed a waiver since {@code cutoff} or longer, and whose decision is not final yet. */
    public List<String> failingSince(Instant cutoff) {
        return inTransaction(c -> ids(c, """
                SELECT build_id FROM release.subjects WHERE failing_since <= ? AND NOT decision_final
                ORDER BY failing_since LIMIT 100""", Timestamp.from(cutoff)));
    }

    /** A queued automatic promotion: the build and how many attempts failed so far. */
    public record PromotionJob(String buildId, int attempts) {
    }

    /** Queues the automatic promotion of {@code buildId}, due now unless it is queued already (or done, or failed). */
    public void queuePromotion(Connection c, String buildId, Instant now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                UPDATE release.subjects SET promotion_due_at = COALESCE(promotion_due_at, ?)
                WHERE build_id = ? AND NOT promoted AND promotion_failure IS NULL""")) {
            st.setTimestamp(1, Timestamp.from(now));
            st.setString(2, buildId);
            st.executeUpdate();
        }
    }

    /** Promotions due at {@code now}, the longest waiting first. */
    public List<PromotionJob> duePromotions(Instant now, int limit) {
        return inTransaction(c -> {
            List<PromotionJob> jobs = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT build_id, promotion_attempts FROM release.subjects
                    WHERE promotion_due_at <= ? AND NOT promoted AND promotion_failure IS NULL
                    ORDER BY promotion_due_at LIMIT ?""")) {
                st.setTimestamp(1, Timestamp.from(now));
                st.setInt(2, limit);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        jobs.add(new PromotionJob(rs.getString(1), rs.getInt(2)));
                    }
                }
            }
            return jobs;
        });
    }

    /** The promotion of {@code buildId} is done (or no longer needed): nothing queued any more. */
    public void promotionDone(Connection c, String buildId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE release.subjects SET promotion_due_at = NULL, promotion_attempts = 0 WHERE build_id = ?")) {
            st.setString(1, buildId);
            st.executeUpdate();
        }
    }

    /** An attempt failed and may succeed later: the next one is due at {@code next}. */
    public void promotionRetry(String buildId, Instant next) {
        inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("""
                    UPDATE release.subjects SET promotion_attempts = promotion_attempts + 1, promotion_due_at = ?
                    WHERE build_id = ? AND promotion_due_at IS NOT NULL""")) {
                st.setTimestamp(1, Timestamp.from(next));
                st.setString(2, buildId);
                st.executeUpdate();
            }
            return null;
        });
    }

    /** The promotion of {@code buildId} failed for good ({@code why}); it is not tried again. */
    public void promotionFailed(Connection c, String buildId, String why) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE release.subjects SET promotion_due_at = NULL, promotion_failure = ? WHERE build_id = ?")) {
            st.setString(1, why);
            st.setString(2, buildId);
            st.executeUpdate();
        }
    }

    /**
     * Runs {@code work} on a connection of its own, outside any transaction, while this process holds the session's
     * advisory lock named {@code name}; answers false (without running it) when another session holds it. The lock
     * ends with the work, or with the connection if the process dies, so a crashed holder blocks nobody.
     */
    public boolean whileLocked(String name, Runnable work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!Jdbc.tryLock(c, name)) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                try {
                    Jdbc.unlock(c, name);
                } catch (SQLException e) {
                    // the pool must not keep a session that may still hold the lock: drop it (closing it ends the lock)
                    try {
                        c.abort(Runnable::run);
                    } catch (SQLException | RuntimeException ignored) {
                        // already gone
                    }
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException("release database: " + e.getMessage(), e);
        }
    }

    private static List<String> ids(Connection c, String sql, Timestamp at) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setTimestamp(1, at);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    public void markPromoted(Connection c, String buildId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE release.subjects SET promoted = true, promoted_at = now(), updated_at = now() WHERE build_id = ?")) {
            st.setString(1, buildId);
            st.executeUpdate();
        }
    }

    /** The last decision of every subject with {@code digest}, as stored JSON, oldest subject first. */
    public List<String> decisionsByDigest(String digest) {
        return inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT last_decision::text FROM release.subjects
                    WHERE digest = ? AND last_decision IS NOT NULL ORDER BY created_at, build_id""")) {
                st.setString(1, digest);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** Stores a waiver; a second one for the same test case replaces the comment and author. */
    public void upsertWaiver(Connection c, Waiver w) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO release.waivers (build_id, test_case, comment, waived_by, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (build_id, test_case) DO UPDATE SET comment = EXCLUDED.comment, waived_by = EXCLUDED.waived_by,
                    created_at = EXCLUDED.created_at""")) {
            st.setString(1, w.buildId());
            st.setString(2, w.testCase());
            st.setString(3, w.comment());
            st.setString(4, w.waivedBy());
            st.setTimestamp(5, Timestamp.from(w.time()));
            st.executeUpdate();
        }
    }

    public List<Waiver> waivers(Connection c, String buildId) throws SQLException {
        List<Waiver> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT build_id, test_case, comment, waived_by, created_at FROM release.waivers WHERE build_id = ? ORDER BY test_case")) {
            st.setString(1, buildId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Waiver(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return out;
    }

    public void insertPromotion(Connection c, Promotion p) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO release.promotions (build_id, registry, repository, digest, tags, promoted_by, promoted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (build_id, registry) DO NOTHING""")) {
            st.setString(1, p.buildId());
            st.setString(2, p.toRegistry());
            st.setString(3, p.toRepository());
            st.setString(4, p.digest());
            st.setArray(5, c.createArrayOf("text", p.tags().toArray()));
            st.setString(6, p.promotedBy());
            st.setTimestamp(7, Timestamp.from(p.time()));
            st.executeUpdate();
        }
    }

    /** The promotion of {@code buildId} to {@code registry}, if there was one. */
    public Optional<Promotion> promotion(Connection c, Subject subject, String registry) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT registry, repository, digest, tags, promoted_by, promoted_at FROM release.promotions
                WHERE build_id = ? AND registry = ?""")) {
            st.setString(1, subject.buildId());
            st.setString(2, registry);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Promotion(subject.buildId(), subject.registry(), subject.repository(), rs.getString(1),
                        rs.getString(2), rs.getString(3), Arrays.asList((String[]) rs.getArray(4).getArray()), rs.getString(5),
                        rs.getTimestamp(6).toInstant()));
            }
        }
    }
}
