package dev.sluice.router.impl.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A batch's claims against real Redis: one pipeline claims, settles, replays; releasing touches only this batch's own claims. */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisDeduplicatorIT {

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBatchClaimsSettlesAndIsThenReplayedWhileAReleasedKeyCanBeClaimedAgain(Redis redis) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            io.vertx.redis.client.Redis client = io.vertx.redis.client.Redis.createClient(
                    vertx, new RedisOptions().setConnectionString(redis.uri()));
            Deduplicator dedup = new RedisDeduplicator(vertx, client, 1000);
            String run = Long.toString(System.nanoTime());
            List<String> keys =
                    List.of(Deduplicator.key("acme", "pay", run + "-a"), Deduplicator.key("acme", "pay", run + "-b"));
            assertTrue(keys.get(0).startsWith("sluice:idem:{acme/pay}:"), "one hash tag per tenant and source");
            List<Deduplicator.Claim> first =
                    await(dedup.claimAll(keys, List.of("id-a", "id-b"), List.of(60_000L, 60_000L), 100));
            assertEquals(Deduplicator.Kind.NEW, first.get(0).kind());
            assertEquals(Deduplicator.Kind.NEW, first.get(1).kind());
            await(dedup.settleAll(
                    List.of(new Deduplicator.Accepted(keys.get(0), "id-a", 1234L, 60_000)), List.of(keys.get(1))));
            List<Deduplicator.Claim> again =
                    await(dedup.claimAll(keys, List.of("id-a2", "id-b2"), List.of(60_000L, 60_000L), 100));
            assertEquals(new Deduplicator.Claim(Deduplicator.Kind.REPLAY, "id-a", 1234L), again.get(0));
            assertEquals(
                    new Deduplicator.Claim(Deduplicator.Kind.NEW, "id-b2", 0),
                    again.get(1),
                    "the released key was free");
            // Still in flight (p:) past the wait: in progress, naming the claim holder's id.
            List<Deduplicator.Claim> waiting =
                    await(dedup.claimAll(List.of(keys.get(1)), List.of("id-b3"), List.of(60_000L), 30));
            assertEquals(new Deduplicator.Claim(Deduplicator.Kind.IN_PROGRESS, "id-b2", 0), waiting.get(0));
        } finally {
            await(vertx.close());
        }
    }

    @Test
    void releasingOwnClaimsLeavesAnotherRequestsClaimInPlace(Redis redis) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            RedisAPI api = RedisAPI.api(io.vertx.redis.client.Redis.createClient(
                    vertx, new RedisOptions().setConnectionString(redis.uri())));
            String run = Long.toString(System.nanoTime());
            String mine = Deduplicator.key("acme", "pay", run + "-mine");
            String theirs = Deduplicator.key("acme", "pay", run + "-theirs");
            await(api.set(List.of(mine, "p:m1")));
            await(api.set(List.of(theirs, "p:t1")));
            await(api.eval(List.of(RedisDeduplicator.RELEASE_OWN, "2", mine, theirs, "p:m1", "p:m2")));
            Response gone = await(api.get(mine));
            assertNull(gone);
            assertEquals("p:t1", await(api.get(theirs)).toString());
        } finally {
            await(vertx.close());
        }
    }

    @Test
    void aRedisThatStallsIsUnavailableBeforeItsFirstAnswerAndInProgressAfter() throws Exception {
        Redis own = Redis.startLocal();
        Vertx vertx = Vertx.vertx();
        try {
            io.vertx.redis.client.Redis client =
                    io.vertx.redis.client.Redis.createClient(vertx, new RedisOptions().setConnectionString(own.uri()));
            Deduplicator dedup = new RedisDeduplicator(vertx, client, 200);
            String key = Deduplicator.key("acme", "pay", "stall-" + System.nanoTime());
            assertEquals(
                    Deduplicator.Kind.NEW,
                    await(dedup.claimAll(List.of(key), List.of("holder"), List.of(60_000L), 0))
                            .get(0)
                            .kind());
            // A duplicate starts waiting on the holder's claim; Redis then freezes while it polls.
            Future<List<Deduplicator.Claim>> waiting =
                    dedup.claimAll(List.of(key), List.of("dup"), List.of(60_000L), 5_000);
            // Its first poll has been answered once Redis has served the second GET (the holder's claim made the
            // first).
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> getCalls(client) >= 2);
            own.pause();
            try {
                Deduplicator.Claim c = await(waiting).get(0);
                assertEquals(
                        new Deduplicator.Claim(Deduplicator.Kind.IN_PROGRESS, "holder", 0),
                        c,
                        "known to be in flight elsewhere: never 'unchecked', which would let a fail-open source store a duplicate");
                long start = System.nanoTime();
                Deduplicator.Claim fresh = await(
                                dedup.claimAll(List.of(key + "-2"), List.of("x"), List.of(60_000L), 5_000))
                        .get(0);
                assertEquals(Deduplicator.Kind.UNAVAILABLE, fresh.kind());
                assertTrue(
                        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5),
                        "bounded by the timeout, not by the stall");
            } finally {
                own.resume();
            }
        } finally {
            await(vertx.close());
            own.close();
        }
    }

    /** How many GET commands this Redis has served, from INFO commandstats. */
    private static long getCalls(io.vertx.redis.client.Redis client) throws Exception {
        String info = await(client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.INFO)
                        .arg("commandstats")))
                .toString();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
