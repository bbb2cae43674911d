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
                "SELECT username, role FROM submission.api_tokens WHERE token_hash = ?")) {
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
