package dev.sluice.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --find-knee}: runs steps of {@code --duration} at rates growing by {@code --knee-factor}
 * from {@code --rate}, until a step misses: achieved under 95% of asked, or ack p99 over
 * {@code --p99-bound} (end to end, also ingest → start p99 over it). The knee is the last step
 * that held. Each step writes its own report under {@code step-NN-<rate>/}.
 */
public final class KneeFinder {

    /** One step's outcome. */
    public record Step(
            double asked, double achieved, double ackP99, double e2eP99, long errors, boolean held, String why) {
        JsonObject toJson() {
            return new JsonObject()
                    .put("asked", RunSummary.round(asked))
                    .put("achieved", RunSummary.round(achieved))
                    .put("ackP99Ms", ackP99)
                    .put("ingestToStartP99Ms", e2eP99)
                    .put("errors", errors)
                    .put("held", held)
                    .put("why", why);
        }
    }

    private KneeFinder() {}

    public static List<Step> find(Generator g, Target target, RunOptions o, PrintStream log) {
        List<Step> steps = new ArrayList<>();
        double rate = o.rate();
        for (int k = 0; k < o.kneeMaxSteps(); k++) {
            Path dir = o.out()
                    .resolve(String.format(Locale.ROOT, "step-%02d-%s", k + 1, RateSchedule.fmt(Math.round(rate))));
            RunOptions step = o.withRate(Math.round(rate)).withOut(dir);
            log.printf(
                    Locale.ROOT,
                    "knee step %d: %.0f events/s for %s%n",
                    k + 1,
                    step.rate(),
                    dev.sluice.core.Durations.format(o.duration()));
            Generator.RunResult r = g.run(step, target);
            Reports.write(r, dir);
            log.print(Reports.text(r.summary()));
            Step s = judge(r.summary(), o);
            steps.add(s);
            log.printf(Locale.ROOT, "  -> %s%n", s.held() ? "held" : "missed: " + s.why());
            if (!s.held()) {
                break;
            }
            rate *= o.kneeFactor();
        }
        write(steps, o);
        log.print(table(steps, o));
        return steps;
    }

    static Step judge(RunSummary s, RunOptions o) {
        double bound = o.p99Bound().toMillis();
        double ack = s.latency(RunSummary.ACK).p99();
        double e2e = s.latency(RunSummary.INGEST_TO_START).p99();
        List<String> why = new ArrayList<>();
        if (s.rateAchieved() < BudgetGate.MIN_RATE_RATIO * s.rateAsked()) {
            why.add(String.format(Locale.ROOT, "achieved %.0f < 95%% of %.0f", s.rateAchieved(), s.rateAsked()));
        }
        if (ack > bound) {
            why.add(String.format(Locale.ROOT, "ack p99 %.1f ms > %.0f ms", ack, bound));
        }
        if (o.e2e() && e2e > bound) {
            why.add(String.format(Locale.ROOT, "ingest→start p99 %.1f ms > %.0f ms", e2e, bound));
        }
        if (o.e2e() && s.accounting().unaccounted() > 0) {
            why.add(s.accounting().unaccounted() + " unaccounted");
        }
        return new Step(
                s.rateAsked(), s.rateAchieved(), ack, e2e, s.counts().errors(), why.isEmpty(), String.join(", ", why));
    }

    /** The last step that held, or null. */
    public static Step knee(List<Step> steps) {
        Step knee = null;
        for (Step s : steps) {
            if (!s.held()) {
                break;
            }
            knee = s;
        }
        return knee;
    }

    static String table(List<Step> steps, RunOptions o) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%nknee search (%s, p99 bound %d ms):%n%10s %10s %12s %16s %8s  %s%n",
                o.e2e() ? "end to end" : "router only",
                o.p99Bound().toMillis(),
                "asked/s",
                "achieved/s",
                "ack p99 ms",
                "ingest→start p99",
                "errors",
                "verdict"));
        for (Step s : steps) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%10.0f %10.0f %12.1f %16s %8d  %s%n",
                    s.asked(),
                    s.achieved(),
                    s.ackP99(),
                    o.e2e() ? String.format(Locale.ROOT, "%.1f", s.e2eP99()) : "-",
                    s.errors(),
                    s.held() ? "held" : "missed: " + s.why()));
        }
        Step knee = knee(steps);
        sb.append(
                knee == null
                        ? String.format(Locale.ROOT, "knee: below the first step (%.0f/s)%n", o.rate())
                        : String.format(
                                Locale.ROOT,
                                "knee: %.0f events/s (achieved %.0f/s); the next step missed%n",
                                knee.asked(),
                                knee.achieved()));
        return sb.toString();
    }

    private static void write(List<Step> steps, RunOptions o) {
        JsonArray arr = new JsonArray();
        steps.forEach(s -> arr.add(s.toJson()));
        Step knee = knee(steps);
        JsonObject j = new JsonObject()
                .put("mode", o.e2e() ? "e2e" : "router-only")
                .put("p99BoundMs", o.p99Bound().toMillis())
                .put("steps", arr)
                .put("knee", knee == null ? null : knee.toJson());
        try {
            Files.createDirectories(o.out());
            Files.writeString(o.out().resolve("knee.json"), j.encodePrettily() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
