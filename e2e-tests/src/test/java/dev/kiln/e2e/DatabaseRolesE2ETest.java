package dev.kiln.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.testsupport.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database door (deploy/postgres/roles.sql) on the running stack, whose services each run as their own role:
 * every role reads and writes its own schema, and is refused reading, changing or adding to any other's; nothing in
 * the other schemas changes.
 */
@Tag("e2e")
@ExtendWith(KilnStack.Extension.class)
class DatabaseRolesE2ETest {
    /** Insufficient privilege. */
    private static final String DENIED = "42501";

    /** Role to schema. */
    private static Map<String, String> schemas() {
        Map<String, String> schemas = new TreeMap<>();
        KilnStack.DB_SCHEMAS.values().forEach(schema -> schemas.put(KilnStack.dbRole(schema), schema));
        return schemas;
    }

    @Test
    void eachServiceRoleOwnsItsSchemaAndNoOther() throws Exception {
        Map<String, Long> before = migrationCounts();
        for (Map.Entry<String, String> own : schemas().entrySet()) {
            String role = own.getKey();
            try (Connection c = DriverManager.getConnection(Postgres.jdbcUrl(KilnStack.database), role,
                    KilnStack.DB_PASSWORDS.get(own.getValue())); Statement st = c.createStatement()) {
                // its own schema: the migrations it ran at start, and it may add a table there
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + own.getValue() + ".flyway_schema_history")) {
                    assertTrue(rs.next() && rs.getLong(1) > 0, role + " reads its own schema");
                }
                st.execute("CREATE TABLE " + own.getValue() + ".door_check (x int)");
                st.execute("DROP TABLE " + own.getValue() + ".door_check");
                for (String other : schemas().values()) {
                    if (other.equals(own.getValue())) {
                        continue;
                    }
                    refused(st, role, "SELECT count(*) FROM " + other + ".flyway_schema_history");
                    refused(st, role, "DELETE FROM " + other + ".flyway_schema_history");
                    refused(st, role, "CREATE TABLE " + other + ".intruder (x int)");
                }
                refused(st, role, "CREATE TABLE public.intruder (x int)");
                refused(st, role, "CREATE ROLE intruder");
            }
        }
        assertEquals(before, migrationCounts(), "nothing changed in any schema");
    }

    private static void refused(Statement st, String role, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), role + " may not: " + sql);
        assertEquals(DENIED, e.getSQLState(), role + ": " + sql + " failed otherwise: " + e.getMessage());
    }

    /** Each schema's migration rows, read as the administrator. */
    private static Map<String, Long> migrationCounts() throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(Postgres.jdbcUrl(KilnStack.database), Postgres.user(),
                Postgres.password()); Statement st = c.createStatement()) {
            for (String schema : schemas().values()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".flyway_schema_history")) {
                    if (!rs.next()) {
                        fail("no count for " + schema);
                    }
                    counts.put(schema, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
