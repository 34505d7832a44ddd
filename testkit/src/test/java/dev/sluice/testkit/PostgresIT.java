package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An embedded PostgreSQL of its own, reached over TCP by vertx-pg-client through {@link Postgres#uri()}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresIT {

    private static Vertx vertx;

    @BeforeAll
    static void createVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void answersQueriesAndKeepsDataAcrossStopAndRestart() throws Exception {
        Path dir;
        try (Postgres postgres = Postgres.startEmbedded()) {
            assertTrue(postgres.isEmbedded());
            assertEquals("127.0.0.1", postgres.host());
            assertEquals("postgresql://postgres:postgres@127.0.0.1:" + postgres.port() + "/postgres", postgres.uri());
            dir = postgres.dir();

            assertEquals(1, query(postgres.uri(), "select 1").iterator().next().getInteger(0));
            query(postgres.uri(), "create table kept (id int primary key)");
            query(postgres.uri(), "insert into kept values (1), (2), (3)");

            postgres.stop();

            assertFalse(postgres.isRunning());
            assertThrows(ConnectException.class, () -> connect(postgres.port()));

            postgres.restart();

            assertTrue(postgres.isRunning());
            assertEquals(
                    3L,
                    query(postgres.uri(), "select count(*) from kept")
                            .iterator()
                            .next()
                            .getLong(0));
        }
        assertFalse(Files.exists(dir), "close() deletes the data directory");
    }

    @Test
    void createDatabaseGivesAnIsolatedDatabaseOnTheSameServer() throws Exception {
        try (Postgres postgres = Postgres.startEmbedded()) {
            String uri = postgres.createDatabase("orders_test");
            assertEquals(uri, postgres.createDatabase("orders_test"), "idempotent");

            query(uri, "create table only_here (id int)");

            assertEquals(List.of("orders_test"), names(query(uri, "select current_database()")));
            assertEquals(
                    0L,
                    query(
                                    postgres.uri(),
                                    "select count(*) from information_schema.tables where table_name = 'only_here'")
                            .iterator()
                            .next()
                            .getLong(0));
            assertThrows(IllegalArgumentException.class, () -> postgres.createDatabase("Robert'); drop"));
        }
    }

    private static RowSet<Row> query(String uri, String sql) throws Exception {
        Pool pool = PgBuilder.pool()
                .connectingTo(PgConnectOptions.fromUri(uri))
                .using(vertx)
                .build();
        try {
            return pool.query(sql)
                    .execute()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> names(RowSet<Row> rows) {
        return StreamSupport.stream(rows.spliterator(), false)
                .map(r -> r.getString(0))
                .toList();
    }

    private static void connect(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        }
    }
}
