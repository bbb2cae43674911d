package dev.kiln.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The real PostgreSQL server that {@code ./kiln test} starts. Tests get a fresh database each; the server address
 * and an account that may create databases come from {@code KILN_TEST_PG_HOST}, {@code KILN_TEST_PG_PORT},
 * {@code KILN_TEST_PG_USER}, {@code KILN_TEST_PG_PASSWORD} (defaults: localhost, 5432, kiln, kiln).
 */
public final class Postgres {
    private Postgres() {
    }

    public static String host() {
        return env("KILN_TEST_PG_HOST", "localhost");
    }

    public static int port() {
        return Integer.parseInt(env("KILN_TEST_PG_PORT", "5432"));
    }

    public static String user() {
        return env("KILN_TEST_PG_USER", "kiln");
    }

    public static String password() {
        return env("KILN_TEST_PG_PASSWORD", "kiln");
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** Creates an empty database named {@code prefix_<random>} and returns its name. Fails loudly when the server is not there. */
    public static String createDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + host() + ":" + port() + " is not usable as " + user()
                    + " (start it with ./kiln test, or see docs/development.md): " + e.getMessage(), e);
        }
        return name;
    }

    /**
     * Drops a database made by {@link #createDatabase}, closing whatever sessions are still on it (PostgreSQL 13+);
     * a server that is gone meanwhile leaves it be.
     */
    public static void dropDatabase(String name) {
        if (!name.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a database made by createDatabase: " + name);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop the test database " + name + ": " + e.getMessage());
        }
    }

    /**
     * Runs {@code deploy/postgres/roles.sql} of the checkout on {@code database} as the administrator, with each
     * role's password ({@code passwords}: schema to password) set in the session first, the way {@code ./kiln} runs
     * it with psql. The roles are {@code <database>_<schema>}.
     */
    public static void applyRoles(Path rolesSql, String database, Map<String, String> passwords) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), user(), password())) {
            for (Map.Entry<String, String> e : passwords.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, false)")) {
                    ps.setString(1, "kiln.password." + e.getKey());
                    ps.setString(2, e.getValue());
                    ps.execute();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute(Files.readString(rolesSql));
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("applying " + rolesSql + " to " + database + " failed: " + e.getMessage(), e);
        }
    }

    /** Drops a role {@link #applyRoles} made, once its database is dropped; a role still in use is left be. */
    public static void dropRole(String role) {
        if (!role.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a role made by applyRoles: " + role);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
                Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + role);
        } catch (SQLException e) {
            System.err.println("could not drop the test role " + role + ": " + e.getMessage());
        }
    }

    private static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? def : v;
    }
}
