package dev.sluice.router.impl.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idempotent ingest: the first request with a given key (per tenant and source) claims it in
 * Redis ({@code SET NX PX ttl}) with the event id it will produce as {@code p:<id>}; once the
 * broker acknowledged, the claim becomes {@code a:<id>|<deadline>}. A duplicate that finds
 * {@code a:} is answered with the original id without producing; one that finds {@code p:} waits
 * for the outcome; a claim whose produce failed is released, so the sender's retry can succeed.
 *
 * <p>A request claims all its keys in one pipelined round trip ({@link #claimAll}), and settles
 * them in one more ({@link #settleAll}), once the producer reported every event's outcome: a claim
 * whose request was answered 503 {@code produce-timeout} stays in flight until then. Every round
 * trip is bounded by the timeout given at construction. Every key of one source carries the hash tag
 * {@code {tenant/source}}, so on Redis Cluster a batch's keys live on one slot and its pipeline
 * goes to one node.
 */
public final class RedisDeduplicator implements Deduplicator {

    private static final long POLL_MS = 5;

    private final Vertx vertx;
    private final Redis client;
    private final RedisAPI redis;
    private final long timeoutMillis;

    /** {@code timeoutMillis} bounds each Redis round trip: one not answered within it counts as Redis unreachable. */
    public RedisDeduplicator(Vertx vertx, Redis client, long timeoutMillis) {
        this.vertx = vertx;
        this.client = client;
        this.redis = RedisAPI.api(client);
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Claims every key at once: each round is one pipeline of {@code SET key p:<id> NX PX ttl} and
     * {@code GET key} per key still open. Keys whose original is still in flight are asked again
     * (together) every few milliseconds until {@code waitMillis} is spent. Never fails: with Redis
     * unreachable, every claim comes back {@code UNAVAILABLE}.
     */
    @Override
    public Future<List<Claim>> claimAll(List<String> keys, List<String> newIds, List<Long> ttlMillis, long waitMillis) {
        Claim[] out = new Claim[keys.size()];
        int[] open = new int[keys.size()];
        for (int i = 0; i < open.length; i++) {
            open[i] = i;
        }
        long until = System.currentTimeMillis() + waitMillis;
        return round(keys, newIds, ttlMillis, until, out, open).recover(err -> {
            if (answeredOnce(out)) {
                // The first round was answered: every key is either ours or held by a request still in
                // flight. A later round that stalls must not turn the latter into "unchecked" (a fail-open
                // source would then produce a duplicate of an event being stored): it stays in progress.
                return Future.succeededFuture(Arrays.asList(out));
            }
            // Some claims may have been taken before Redis stalled: give back those still ours.
            releaseOwn(keys, newIds);
            List<Claim> down = new ArrayList<>(out.length);
            for (String id : newIds) {
                down.add(new Claim(Kind.UNAVAILABLE, id, 0));
            }
            return Future.succeededFuture(down);
        });
    }

    /** Whether a round's answer was read: the first round decides every key (ours, an original's, or in progress). */
    private static boolean answeredOnce(Claim[] out) {
        for (Claim c : out) {
            if (c != null) {
                return true;
            }
        }
        return false;
    }

    private Future<List<Claim>> round(
            List<String> keys, List<String> newIds, List<Long> ttl, long until, Claim[] out, int[] open) {
        List<Request> commands = new ArrayList<>(open.length * 2);
        for (int i : open) {
            commands.add(Request.cmd(Command.SET)
                    .arg(keys.get(i))
                    .arg("p:" + newIds.get(i))
                    .arg("NX")
                    .arg("PX")
                    .arg(Math.max(1, ttl.get(i))));
            commands.add(Request.cmd(Command.GET).arg(keys.get(i)));
        }
        return client.batch(commands)
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .compose(answers -> {
                    boolean late = System.currentTimeMillis() >= until;
                    int[] again = new int[open.length];
                    int n = 0;
                    for (int j = 0; j < open.length; j++) {
                        int i = open[j];
                        Response set = answers.get(2 * j);
                        Response get = answers.get(2 * j + 1);
                        String v = get == null ? null : get.toString();
                        if (set != null) {
                            out[i] = new Claim(Kind.NEW, newIds.get(i), 0);
                        } else if (v != null && v.startsWith("a:")) {
                            int bar = v.indexOf('|');
                            out[i] = new Claim(Kind.REPLAY, v.substring(2, bar), Long.parseLong(v.substring(bar + 1)));
                        } else if (late) {
                            out[i] = new Claim(Kind.IN_PROGRESS, v == null ? newIds.get(i) : v.substring(2), 0);
                        } else {
                            // In flight elsewhere, or released between our SET and GET: ask again shortly (in progress
                            // until a later round says otherwise).
                            out[i] = new Claim(Kind.IN_PROGRESS, v == null ? newIds.get(i) : v.substring(2), 0);
                            again[n++] = i;
                        }
                    }
                    if (n == 0) {
                        return Future.succeededFuture(Arrays.asList(out));
                    }
                    int[] next = Arrays.copyOf(again, n);
                    return vertx.timer(POLL_MS).compose(t -> round(keys, newIds, ttl, until, out, next));
                });
    }

    /**
     * KEYS the claims of one batch (one hash tag, so one slot); ARGV[i] the value KEYS[i] holds if
     * it is still this batch's claim. Deletes exactly those, so another request's claim is never
     * dropped.
     */
    static final String RELEASE_OWN = String.join(
            "\n",
            "for i, k in ipairs(KEYS) do",
            "  if redis.call('GET', k) == ARGV[i] then redis.call('DEL', k) end",
            "end",
            "return 0");

    /** Best effort, after a batch's claim failed midway: deletes the claims that are still this batch's. */
    private void releaseOwn(List<String> keys, List<String> newIds) {
        List<String> args = new ArrayList<>(2 + 2 * keys.size());
        args.add(RELEASE_OWN);
        args.add(Integer.toString(keys.size()));
        args.addAll(keys);
        for (String id : newIds) {
            args.add("p:" + id);
        }
        redis.eval(args).onFailure(e -> {});
    }

    /**
     * Settles a request's claims in one pipeline: the accepted keys answer duplicates from now on,
     * the {@code released} ones may be claimed again.
     */
    @Override
    public Future<Void> settleAll(List<Accepted> accepted, List<String> released) {
        List<Request> commands = new ArrayList<>(accepted.size() + 1);
        for (Accepted a : accepted) {
            commands.add(Request.cmd(Command.SET)
                    .arg(a.key())
                    .arg("a:" + a.id() + "|" + a.deadline())
                    .arg("PX")
                    .arg(Math.max(1, a.ttlMillis())));
        }
        if (!released.isEmpty()) {
            Request del = Request.cmd(Command.DEL);
            released.forEach(del::arg);
            commands.add(del);
        }
        return commands.isEmpty()
                ? Future.succeededFuture()
                : client.batch(commands)
                        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .mapEmpty();
    }
}
