package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sluice db migrate} against a real PostgreSQL: applies every script once, and again is a no-op. */
@SluiceInfra
class DbMigrateIT {

    @Test
    void migrateAppliesTheWholeSchemaAndIsIdempotent(Postgres pg) throws Exception {
        String url = pg.createDatabase("db_migrate_it");
        Settings settings = Settings.of(Map.of("pg.url", url));
        assertEquals(0, DbCommand.run(settings, new String[] {"migrate"}));
        assertEquals(0, DbCommand.run(settings, new String[] {"migrate"}));
        assertEquals(2, DbCommand.run(settings, new String[] {"status"}));
        try (Connection c = DriverManager.getConnection(
                        pg.jdbcUrl().replace("/" + pg.database(), "/db_migrate_it"), pg.user(), pg.password());
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT count(*) FROM sluice_schema_version WHERE script IN ('V1__run_log.sql', 'V2__workflows.sql', 'V3__tenants.sql')")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
        }
        try (Connection c = DriverManager.getConnection(
                        pg.jdbcUrl().replace("/" + pg.database(), "/db_migrate_it"), pg.user(), pg.password());
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT count(*) FROM pg_trigger WHERE tgname IN ('sluice_tenants_notify', 'sluice_api_keys_notify', 'sluice_sources_notify')")) {
            rs.next();
            assertTrue(rs.getInt(1) == 3, "the access tables notify on change");
        }
    }
}
