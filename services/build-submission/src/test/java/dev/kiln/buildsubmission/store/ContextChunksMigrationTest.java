package dev.kiln.buildsubmission.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.testsupport.Postgres;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** V5 moves archives that older hubs stored whole into 1 MiB chunks, byte for byte. */
class ContextChunksMigrationTest {

    @Test
    void wholeArchivesBecomeChunks() throws Exception {
        String db = Postgres.createDatabase("kiln_hub_v5");
        try {
            byte[] big = new byte[2 * 1024 * 1024 + 123];
            new Random(5).nextBytes(big);
            byte[] exact = new byte[1024 * 1024];
            new Random(6).nextBytes(exact);
            byte[] small = "a small archive".getBytes();
            flyway(db, "4").migrate();
            try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO submission.contexts (digest, bytes, size) VALUES (?, ?, ?)")) {
                for (Object[] row : new Object[][] { { "big", big }, { "exact", exact }, { "small", small } }) {
                    ps.setString(1, "sha256:" + row[0]);
                    ps.setBytes(2, (byte[]) row[1]);
                    ps.setLong(3, ((byte[]) row[1]).length);
                    ps.executeUpdate();
                }
            }
            flyway(db, null).migrate();
            try (Connection c = connect(db)) {
                assertArrayEquals(big, read(c, "sha256:big", 3));
                assertArrayEquals(exact, read(c, "sha256:exact", 1));
                assertArrayEquals(small, read(c, "sha256:small", 1));
                try (ResultSet rs = c.getMetaData().getColumns(null, "submission", "contexts", "bytes")) {
                    assertFalse(rs.next(), "contexts.bytes should be gone");
                }
            }
        } finally {
            Postgres.dropDatabase(db);
        }
    }

    private static byte[] read(Connection c, String digest, int chunks) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT sequence, bytes FROM submission.context_chunks "
                + "WHERE digest = ? ORDER BY sequence")) {
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertEquals(n++, rs.getInt(1));
                    out.write(rs.getBytes(2));
                }
            }
        }
        assertEquals(chunks, n, digest);
        return out.toByteArray();
    }

    private static Connection connect(String db) throws Exception {
        return DriverManager.getConnection(Postgres.jdbcUrl(db), Postgres.user(), Postgres.password());
    }

    private static Flyway flyway(String db, String target) {
        var config = Flyway.configure().dataSource(Postgres.jdbcUrl(db), Postgres.user(), Postgres.password())
                .locations("classpath:db/migration").schemas("submission").defaultSchema("submission")
                .createSchemas(true).table("flyway_schema_history");
        if (target != null) {
            config.target(target);
        }
        return config.load();
    }
}
