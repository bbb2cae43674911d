package dev.kiln.support.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Plain JDBC transactions, the same in every service that keeps its own SQL. */
public final class Jdbc {
    private Jdbc() {
    }

    /** Work done on one connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on {@code c} in one transaction: committed when it returns, rolled back when it throws (the
     * rollback's own failure is added as suppressed); {@code c}'s auto-commit setting is restored either way.
     */
    public static <T> T transaction(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Takes PostgreSQL's session-level advisory lock named {@code name} on {@code c} if no other session holds it
     * (true). The lock lasts until {@link #unlock} or until the connection closes, so a crashed holder blocks nobody.
     */
    public static boolean tryLock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Releases the advisory lock named {@code name} that {@link #tryLock} took on {@code c}. */
    public static void unlock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
            ps.setString(1, name);
            ps.execute();
        }
    }

    /** Releases every advisory lock the session of {@code c} holds, however often each was taken. */
    public static void unlockAll(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock_all()")) {
            ps.execute();
        }
    }
}
