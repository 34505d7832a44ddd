package dev.sluice.cli.redrive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.db.Migrations;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The re-drive markers on a real PostgreSQL, across the change to per-workflow markers: a marker a
 * re-drive wrote before it ({@code topic/partition/offset} alone) stands for every workflow of that
 * original, so an upgraded re-drive never publishes it again.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedriveMarksIT {

    private final Vertx vertx = Vertx.vertx();
    private Pool pool;
    private RedriveMarks marks;

    @BeforeEach
    void migrate(Postgres pg) {
        pool = PgBuilder.pool()
                .connectingTo(pg.createDatabase("redrive_marks_it"))
                .using(vertx)
                .build();
        RedriveMarks.await(Migrations.apply(pool));
        RedriveMarks.await(pool.query("DELETE FROM sluice_redrives").execute());
        marks = new RedriveMarks(pool);
    }

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private void legacyMark(String origin, String publishedTo) {
        RedriveMarks.await(pool.preparedQuery(
                        "INSERT INTO sluice_redrives (origin, redriven_from, published_to) VALUES ($1, $2, $3)")
                .execute(Tuple.of(origin, "orders.dlq/0/7", publishedTo)));
    }

    @Test
    void anOriginalRedrivenBeforePerWorkflowMarkersIsNotRedrivenAgainForAnyWorkflow() {
        legacyMark("orders/1/42", "orders/1/90");

        assertTrue(marks.marked("orders/1/42#notify"), "a dry run counts it re-driven");
        assertEquals(RedriveMarks.Claim.PUBLISHED, marks.claim("orders/1/42#notify", "orders.dlq/0/8"));
        assertEquals(RedriveMarks.Claim.PUBLISHED, marks.claim("orders/1/42#audit", "orders.dlq/0/9"));
        assertEquals(
                1L,
                RedriveMarks.await(pool.query("SELECT count(*) FROM sluice_redrives")
                                .execute())
                        .iterator()
                        .next()
                        .getLong(0),
                "nothing marked anew");
    }

    @Test
    void aLegacyMarkWithoutALandingPlaceIsUnfinished() {
        legacyMark("orders/0/5", null);

        assertEquals(RedriveMarks.Claim.UNFINISHED, marks.claim("orders/0/5#notify", "orders.dlq/1/3"));
    }

    @Test
    void otherOriginalsAndOtherWorkflowsAreClaimedOnceEach() {
        legacyMark("orders/1/42", "orders/1/90");

        assertFalse(marks.marked("orders/1/43#notify"));
        assertEquals(RedriveMarks.Claim.CLAIMED, marks.claim("orders/1/43#notify", "orders.dlq/0/10"));
        assertEquals(RedriveMarks.Claim.CLAIMED, marks.claim("orders/1/43#audit", "orders.dlq/0/11"));
        assertEquals(RedriveMarks.Claim.UNFINISHED, marks.claim("orders/1/43#notify", "orders.dlq/0/10"));
        marks.published("orders/1/43#notify", "orders/1/91");
        assertEquals(RedriveMarks.Claim.PUBLISHED, marks.claim("orders/1/43#notify", "orders.dlq/0/10"));
        assertTrue(marks.marked("orders/1/43#audit"));
    }
}
