package dev.kiln.buildsubmission.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Uploaded build context archives, by digest. */
@ApplicationScoped
public class ContextStore {

    /** Stores the archive unless it is already there; true when it was new. */
    public boolean insert(Connection c, String digest, byte[] bytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.contexts (digest, bytes, size) "
                + "VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING")) {
            ps.setString(1, digest);
            ps.setBytes(2, bytes);
            ps.setLong(3, bytes.length);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<byte[]> bytes(Connection c, String digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT bytes FROM submission.contexts WHERE digest = ?")) {
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    public boolean exists(Connection c, String digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM submission.contexts WHERE digest = ?")) {
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
