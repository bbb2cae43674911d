package dev.kiln.support.jdbc;

import java.sql.Connection;
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
}
