package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionUrisTest {

    @Test
    void postgresFromEnvironmentKeepsEveryPart() {
        Postgres postgres = Postgres.startOrFrom(
                Map.of(Postgres.URL_ENV, "postgresql://app%40x:p%3Ass+w@db.internal:6543/runs")::get);

        assertEquals("db.internal", postgres.host());
        assertEquals(6543, postgres.port());
        assertEquals("runs", postgres.database());
        assertEquals("app@x", postgres.user());
        assertEquals("p:ss+w", postgres.password());
        assertEquals("postgresql://app%40x:p%3Ass%2Bw@db.internal:6543/runs", postgres.uri());
        assertFalse(postgres.isEmbedded());
        assertFalse(postgres.toString().contains("ss"), postgres.toString());
        assertThrows(UnsupportedOperationException.class, postgres::stop);
        assertThrows(UnsupportedOperationException.class, postgres::restart);
        postgres.close();
    }

    @Test
    void postgresDefaultsPortAndDatabase() {
        Postgres postgres = Postgres.fromUri("postgres://sluice@localhost");

        assertEquals(5432, postgres.port());
        assertEquals("sluice", postgres.database());
        assertEquals("", postgres.password());
        assertEquals("postgresql://sluice@localhost:5432/sluice", postgres.uri());
    }

    @Test
    void redisFromEnvironmentIsUsedAsGiven() {
        Redis redis = Redis.startOrFrom(Map.of(Redis.URL_ENV, "redis://:secret@cache:7000/2")::get);

        assertEquals("redis://:secret@cache:7000/2", redis.uri());
        assertEquals(7000, redis.port());
        assertEquals(6379, Redis.fromUri("redis://cache").port());
        assertThrows(UnsupportedOperationException.class, redis::stop);
        redis.close();
    }

    @Test
    void rejectsOtherSchemes() {
        assertThrows(IllegalArgumentException.class, () -> Postgres.fromUri("mysql://u:p@h:1/d"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Redis.fromUri("http://u:topsecret@h:1"));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }
}
