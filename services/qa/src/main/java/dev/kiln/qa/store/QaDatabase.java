package dev.kiln.qa.store;

import dev.kiln.events.QaOutcome;
import dev.kiln.events.Source;
import dev.kiln.qa.domain.BuildSource;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.domain.StoredResult;
import dev.kiln.support.jdbc.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Plain JDBC over the Agroal data source; tables live in the {@code qa} schema (Flyway). */
@ApplicationScoped
public class QaDatabase {
    private static final String RESULT_COLUMNS = "id, run_id, build_id, subject_repository, subject_digest, test_case, "
            + "outcome, note, reporter, ref_url, result_time, submit_time";

    /** A database failure, unchecked. */
    public static class DatabaseException extends RuntimeException {
        public DatabaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Inject
    DataSource dataSource;

    private <T> T with(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException("qa database: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        return with(c -> Jdbc.transaction(c, work::run));
    }

    /** Records a build's source; a repeated event changes nothing. */
    public void saveSource(BuildSource s) {
        with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO qa.build_sources (build_id, component, kind, "
                    + "git_url, git_ref, git_commit, context_digest) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (build_id) DO NOTHING")) {
                Source src = s.source();
                ps.setString(1, s.buildId());
                ps.setString(2, s.component());
                ps.setString(3, src.kind().name());
                ps.setString(4, src.gitUrl());
                ps.setString(5, src.gitRef());
                ps.setString(6, src.gitCommit());
                ps.setString(7, src.contextDigest());
                return ps.executeUpdate();
            }
        });
    }

    public Optional<BuildSource> source(String buildId) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT component, kind, git_url, git_ref, git_commit, "
                    + "context_digest FROM qa.build_sources WHERE build_id = ?")) {
                ps.setString(1, buildId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Source.Kind kind = Source.Kind.valueOf(rs.getString(2));
                    Source source = new Source(kind, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
                    return Optional.of(new BuildSource(buildId, rs.getString(1), source));
                }
            }
        });
    }

    public Optional<Run> run(String buildId, String digest) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, build_id, subject_repository, subject_digest, "
                    + "started_at, finished_at, note FROM qa.runs WHERE build_id = ? AND subject_digest = ?")) {
                ps.setString(1, buildId);
                ps.setString(2, digest);
                return runs(ps).stream().findFirst();
            }
        });
    }

    public Optional<Run> run(UUID id) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, build_id, subject_repository, subject_digest, "
                    + "started_at, finished_at, note FROM qa.runs WHERE id = ?")) {
                ps.setObject(1, id);
                return runs(ps).stream().findFirst();
            }
        });
    }

    /** Runs of a subject digest, newest first. */
    public List<Run> runsOf(String digest) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, build_id, subject_repository, subject_digest, "
                    + "started_at, finished_at, note FROM qa.runs WHERE subject_digest = ? ORDER BY started_at DESC")) {
                ps.setString(1, digest);
                return runs(ps);
            }
        });
    }

    /** Starts a run (or restarts an unfinished one after a crash: the same id, a new start time and note). */
    public void startRun(Run run) {
        with(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO qa.runs (id, build_id, subject_repository, "
                    + "subject_digest, started_at, note) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    + "started_at = EXCLUDED.started_at, note = EXCLUDED.note, finished_at = NULL")) {
                ps.setObject(1, run.id());
                ps.setString(2, run.buildId());
                ps.setString(3, run.subjectRepository());
                ps.setString(4, run.subjectDigest());
                ps.setTimestamp(5, Timestamp.from(run.startedAt()));
                ps.setString(6, run.note());
                return ps.executeUpdate();
            }
        });
    }

    public void finishRun(UUID id, Instant at) {
        with(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE qa.runs SET finished_at = ? WHERE id = ?")) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setObject(2, id);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Stores a result; returns it with its id, or empty when the same result (reporter, digest, test case, outcome,
     * time) is stored already.
     */
    public Optional<StoredResult> insert(StoredResult r) {
        return with(c -> insert(c, r));
    }

    /** As {@link #insert(StoredResult)}, on {@code c} (in its transaction). */
    public Optional<StoredResult> insert(Connection c, StoredResult r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO qa.results (run_id, build_id, subject_repository, "
                + "subject_digest, test_case, outcome, note, reporter, ref_url, result_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (reporter, subject_digest, test_case, outcome, result_time) DO NOTHING RETURNING " + RESULT_COLUMNS)) {
            if (r.runId() == null) {
                ps.setNull(1, Types.OTHER);
            } else {
                ps.setObject(1, r.runId());
            }
            ps.setString(2, r.buildId());
            ps.setString(3, r.subjectRepository());
            ps.setString(4, r.subjectDigest());
            ps.setString(5, r.testCase());
            ps.setString(6, r.outcome().name());
            ps.setString(7, r.note());
            ps.setString(8, r.reporter());
            ps.setString(9, r.refUrl());
            ps.setTimestamp(10, Timestamp.from(r.time()));
            return results(ps).stream().findFirst();
        }
    }

    public Optional<StoredResult> result(long id) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RESULT_COLUMNS + " FROM qa.results WHERE id = ?")) {
                ps.setLong(1, id);
                return results(ps).stream().findFirst();
            }
        });
    }

    /** Results matching the given filters (null: any), newest first, at most {@code limit}. */
    public List<StoredResult> results(String digest, String testCase, String reporter, QaOutcome outcome, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + RESULT_COLUMNS + " FROM qa.results WHERE true");
        List<Object> args = new ArrayList<>();
        if (digest != null) {
            sql.append(" AND subject_digest = ?");
            args.add(digest);
        }
        if (testCase != null) {
            sql.append(" AND test_case = ?");
            args.add(testCase);
        }
        if (reporter != null) {
            sql.append(" AND reporter = ?");
            args.add(reporter);
        }
        if (outcome != null) {
            sql.append(" AND outcome = ?");
            args.add(outcome.name());
        }
        sql.append(" ORDER BY result_time DESC, id DESC LIMIT ?");
        args.add(limit);
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                return results(ps);
            }
        });
    }

    /** The newest result of each (test case, reporter) of a subject digest, by test case. */
    public List<StoredResult> latest(String digest) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (test_case, reporter) " + RESULT_COLUMNS
                    + " FROM qa.results WHERE subject_digest = ? ORDER BY test_case, reporter, result_time DESC, id DESC")) {
                ps.setString(1, digest);
                return results(ps);
            }
        });
    }

    /** The newest result of each test case of a run, by test case. */
    public List<StoredResult> latestOfRun(UUID runId) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (test_case) " + RESULT_COLUMNS
                    + " FROM qa.results WHERE run_id = ? ORDER BY test_case, result_time DESC, id DESC")) {
                ps.setObject(1, runId);
                return results(ps);
            }
        });
    }

    /** Every result of a run in the order they were made (for durations). */
    public List<StoredResult> resultsOfRun(UUID runId) {
        return with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RESULT_COLUMNS
                    + " FROM qa.results WHERE run_id = ? ORDER BY result_time, id")) {
                ps.setObject(1, runId);
                return results(ps);
            }
        });
    }

    private static List<Run> runs(PreparedStatement ps) throws SQLException {
        List<Run> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp finished = rs.getTimestamp(6);
                out.add(new Run(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), finished == null ? null : finished.toInstant(), rs.getString(7)));
            }
        }
        return out;
    }

    private static List<StoredResult> results(PreparedStatement ps) throws SQLException {
        List<StoredResult> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredResult(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), QaOutcome.valueOf(rs.getString(7)), rs.getString(8),
                        rs.getString(9), rs.getString(10), rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant()));
            }
        }
        return out;
    }
}
