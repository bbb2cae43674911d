package dev.kiln.release.client;

import dev.kiln.events.QaOutcome;
import dev.kiln.release.domain.Promotion;
import dev.kiln.release.domain.QaRecord;
import dev.kiln.release.domain.SignatureRecord;
import dev.kiln.release.domain.Subject;
import dev.kiln.release.domain.Waiver;
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

/** Plain JDBC over the Agroal data source; tables live in the {@code release} schema (Flyway). */
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
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("release database: " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
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
                       last_decision::text
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
                        rs.getString("last_decision")));
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

    public void storeDecision(Connection c, String buildId, String decisionJson) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE release.subjects SET last_decision = CAST(? AS jsonb), updated_at = now() WHERE build_id = ?")) {
            st.setString(1, decisionJson);
            st.setString(2, buildId);
            st.executeUpdate();
        }
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
