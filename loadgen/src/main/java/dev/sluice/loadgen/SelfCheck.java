package dev.sluice.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Checks the generator against a server whose behaviour is known: it answers every request 10 ms
 * after it arrives (a timer, not a sleep). At a constant rate the ack p50 must be 10–12 ms. Then
 * the server stops answering for 1 s in the middle of the run: every answer due in that second
 * waits for its end. An open-loop generator must show that stall in its tail (at 500/s for 10 s a
 * 1 s stall delays ~10% of events by up to 1 s, so p99 is several hundred ms), while the service
 * time, measured from when a request actually went out, stays near 10 ms at the median — which
 * is all a closed-loop tool would have seen.
 */
public final class SelfCheck {

    /** The server's answer delay. */
    public static final Duration SERVICE_TIME = Duration.ofMillis(10);

    /** Both runs' figures and whether they are what they must be. */
    public record Result(
            Percentiles steadyAck,
            Percentiles steadyService,
            Percentiles stalledAck,
            Percentiles stalledService,
            List<String> problems) {
        public boolean pass() {
            return problems.isEmpty();
        }
    }

    private SelfCheck() {}

    public static Result run(double rate, Duration duration, Duration stall, Path out, PrintStream log) {
        Vertx server = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try (Generator g = Generator.start(2, 0)) {
            AtomicLongArray pause = new AtomicLongArray(2);
            HttpServer http = Generator.await(server.createHttpServer()
                    .requestHandler(req -> handle(server, req, pause))
                    .listen(0, "127.0.0.1"));
            Target target = Target.external("http://127.0.0.1:" + http.actualPort() + "/v1/events/selfcheck", null);
            RunOptions base =
                    RunOptions.defaults().withTarget(target.ingestUrl(), null).withRate(rate);
            RunOptions o = base.with(b -> {
                b.duration = duration;
                b.warmup = Duration.ofSeconds(3);
                b.out = out.resolve("steady");
                b.kneeMaxSteps = 1;
                b.drain = Duration.ZERO;
                b.loops = 2;
                b.selfWarmup = Duration.ZERO;
            });
            log.printf(
                    Locale.ROOT,
                    "selfcheck: server answers after %d ms; %s/s for %s%n",
                    SERVICE_TIME.toMillis(),
                    RateSchedule.fmt(rate),
                    dev.sluice.core.Durations.format(duration));
            Generator.RunResult steady = g.run(o, target);
            Reports.write(steady, o.out());
            log.print(Reports.text(steady.summary()));

            // The stall: in the middle of the measured window, nothing is answered for `stall`.
            long startIn = TimeUnit.MILLISECONDS.toNanos(100);
            long from =
                    System.nanoTime() + startIn + o.warmup().toNanos() + duration.toNanos() / 2 - stall.toNanos() / 2;
            pause.set(0, from);
            pause.set(1, from + stall.toNanos());
            RunOptions stalledOptions = o.withOut(out.resolve("stalled"));
            Generator.RunResult stalled = g.run(stalledOptions, target);
            Reports.write(stalled, stalledOptions.out());
            log.printf(
                    Locale.ROOT, "selfcheck: the server stalls for %d ms in the middle of the run%n", stall.toMillis());
            log.print(Reports.text(stalled.summary()));

            Percentiles sa = steady.summary().latency(RunSummary.ACK);
            Percentiles ss = steady.summary().latency(RunSummary.SERVICE);
            Percentiles ta = stalled.summary().latency(RunSummary.ACK);
            Percentiles ts = stalled.summary().latency(RunSummary.SERVICE);
            List<String> problems = new ArrayList<>();
            if (sa.p50() < 10 || sa.p50() > 12) {
                problems.add(String.format(Locale.ROOT, "steady ack p50 is %.2f ms, outside 10–12 ms", sa.p50()));
            }
            double expectedTail = stall.toMillis() / 2.0;
            if (ta.p99() < expectedTail) {
                problems.add(String.format(
                        Locale.ROOT,
                        "with a %d ms stall the ack p99 is %.1f ms, under %.0f ms: the stall is hidden",
                        stall.toMillis(),
                        ta.p99(),
                        expectedTail));
            }
            if (ts.p50() > 12) {
                problems.add(String.format(
                        Locale.ROOT, "with the stall the service-time p50 is %.2f ms, above 12 ms", ts.p50()));
            }
            log.printf(
                    Locale.ROOT,
                    "selfcheck: steady ack p50 %.2f ms (must be 10–12); stalled ack p99 %.1f ms (must be ≥ %.0f) "
                            + "vs service-time p50 %.2f ms / p99 %.1f ms (closed-loop view): %s%n",
                    sa.p50(),
                    ta.p99(),
                    expectedTail,
                    ts.p50(),
                    ts.p99(),
                    problems.isEmpty() ? "PASS" : "FAIL " + problems);
            log.printf(Locale.ROOT, "selfcheck: reports in %s%n", out);
            return new Result(sa, ss, ta, ts, problems);
        } finally {
            Generator.await(server.close());
        }
    }

    private static void handle(Vertx vertx, HttpServerRequest req, AtomicLongArray pause) {
        req.body().onComplete(b -> vertx.setTimer(SERVICE_TIME.toMillis(), id -> answer(vertx, req, pause)));
    }

    private static void answer(Vertx vertx, HttpServerRequest req, AtomicLongArray pause) {
        long now = System.nanoTime();
        if (now >= pause.get(0) && now < pause.get(1)) {
            vertx.setTimer(
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(pause.get(1) - now)), id -> answer(vertx, req, pause));
            return;
        }
        req.response()
                .setStatusCode(202)
                .putHeader("content-type", "application/json")
                .end("{\"id\":\"selfcheck\"}");
    }
}
