package dev.kiln.buildsubmission.store;

import dev.kiln.support.jdbc.Jdbc;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;

/** Plain JDBC transactions on the service's datasource (no ORM: quick to start, explicit SQL). */
@ApplicationScoped
public class Transactions {
    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final AgroalDataSource dataSource;

    public Transactions(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs {@code work} in a transaction (service-support {@code Jdbc.transaction}: committed when it returns, rolled
     * back when it throws). Runtime exceptions pass through unchanged; SQL errors become {@link StoreException}.
     */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.transaction(c, work::run);
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }
}
