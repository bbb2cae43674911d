package dev.kiln.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Quarkus test resource: a fresh database on the real PostgreSQL server for the test's service, dropped after. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    private String db;

    @Override
    public Map<String, String> start() {
        db = Postgres.createDatabase("kiln_test");
        return Map.of("quarkus.datasource.jdbc.url", Postgres.jdbcUrl(db),
                "quarkus.datasource.username", Postgres.user(),
                "quarkus.datasource.password", Postgres.password(),
                "quarkus.datasource.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        if (db != null) {
            Postgres.dropDatabase(db);
        }
    }
}
