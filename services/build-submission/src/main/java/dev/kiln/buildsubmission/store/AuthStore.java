package dev.kiln.buildsubmission.store;

import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.domain.Component;
import dev.kiln.buildsubmission.domain.Role;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** API tokens (by the SHA-256 of the token, never the token itself), components and their owners. */
@ApplicationScoped
public class AuthStore {

    // ---- tokens ----

    public void insertToken(Connection c, String id, String tokenHash, String user, Role role, String description,
            String createdBy, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.api_tokens (id, token_hash, username, "
                + "role, description, created_at, created_by) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, tokenHash);
            ps.setString(3, user);
            ps.setString(4, role.wireName());
            ps.setString(5, description);
            ps.setObject(6, at.atOffset(ZoneOffset.UTC));
            ps.setString(7, createdBy);
            ps.executeUpdate();
        }
    }

    public Optional<Caller> callerByTokenHash(Connection c, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT username, role FROM submission.api_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Role.fromWire(rs.getString(2)).map(role -> {
                    try {
                        return new Caller(rs.getString(1), role);
                    } catch (SQLException e) {
                        throw new StoreException("database error: " + e.getMessage(), e);
                    }
                });
            }
        }
    }

    /** A token as admins see it: never the token itself. */
    public record TokenRecord(String id, String user, Role role, String description, Instant createdAt,
            String createdBy, Instant revokedAt, String revokedBy) {
    }

    private static final String TOKEN_COLUMNS = "SELECT id, username, role, description, created_at, created_by, "
            + "revoked_at, revoked_by FROM submission.api_tokens";

    /** Every token, newest first (at most {@code limit}); revoked ones only when asked. */
    public List<TokenRecord> tokens(Connection c, boolean withRevoked, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TOKEN_COLUMNS + (withRevoked ? "" : " WHERE revoked_at IS NULL")
                + " ORDER BY created_at DESC, id LIMIT ?")) {
            ps.setInt(1, limit);
            return tokenRecords(ps);
        }
    }

    /** The token with this id, revoked or not. */
    public Optional<TokenRecord> token(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TOKEN_COLUMNS + " WHERE id = ?")) {
            ps.setString(1, id);
            return tokenRecords(ps).stream().findFirst();
        }
    }

    private static List<TokenRecord> tokenRecords(PreparedStatement ps) throws SQLException {
        List<TokenRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TokenRecord(rs.getString(1), rs.getString(2), Role.fromWire(rs.getString(3)).orElseThrow(),
                        rs.getString(4), instant(rs, 5), rs.getString(6), instant(rs, 7), rs.getString(8)));
            }
        }
        return out;
    }

    /** Marks the token revoked unless it already is; true when it was live. */
    public boolean revokeToken(Connection c, String id, String by, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE submission.api_tokens SET revoked_at = ?, revoked_by = ? "
                + "WHERE id = ? AND revoked_at IS NULL")) {
            ps.setObject(1, at.atOffset(ZoneOffset.UTC));
            ps.setString(2, by);
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    // ---- components ----

    /** Registers a component; false when it exists already. */
    public boolean insertComponent(Connection c, String name, String createdBy, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.components (name, created_at, "
                + "created_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, name);
            ps.setObject(2, at.atOffset(ZoneOffset.UTC));
            ps.setString(3, createdBy);
            return ps.executeUpdate() == 1;
        }
    }

    /** Replaces the owners of a component. */
    public void setOwners(Connection c, String component, List<String> owners) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM submission.component_owners WHERE component = ?")) {
            del.setString(1, component);
            del.executeUpdate();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO submission.component_owners (component, username) "
                + "VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (String owner : owners) {
                ins.setString(1, component);
                ins.setString(2, owner);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /** The component, locked until the end of the transaction when {@code forUpdate}. */
    public Optional<Component> component(Connection c, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, created_at, created_by FROM submission.components "
                + "WHERE name = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Component(rs.getString(1), owners(c, name),
                        rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3)));
            }
        }
    }

    public List<Component> components(Connection c) throws SQLException {
        Map<String, List<String>> owners = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT component, username FROM submission.component_owners ORDER BY component, username");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                owners.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<Component> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, created_at, created_by FROM submission.components ORDER BY name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Component(rs.getString(1), owners.getOrDefault(rs.getString(1), List.of()),
                        rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3)));
            }
        }
        return out;
    }

    private List<String> owners(Connection c, String component) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT username FROM submission.component_owners WHERE component = ? ORDER BY username")) {
            ps.setString(1, component);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
