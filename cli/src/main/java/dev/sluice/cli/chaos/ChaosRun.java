package dev.sluice.cli.chaos;

import dev.sluice.testkit.WebhookTarget;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One fault run on a started {@link ChaosStack}: the open-loop load, the fault at its time and for
 * its length, the stop, the drain (until every 202 has a terminal record, or the TTL and a margin
 * have passed since the last event), and the audit.
 */
public final class ChaosRun {

    /** After the last event, how long past its TTL the drain waits for terminal records. */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(15);

    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration WARM_UP = Duration.ofSeconds(60);
    /** After the warm-up load, how long the executors get to finish its events before the audited load starts. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    /** The least time the load runs after the faulted part is back. */
    private static final Duration AFTER_HEAL = Duration.ofSeconds(5);
    /**
     * The same after a fault of the target, which may have opened its circuit at the fault's last
     * moment: the circuit then refuses calls for its cool-down (executor.circuit.cooldown, 5 s by
     * default) after the heal, before one probe closes it; recovery can only be seen after that.
     */
    private static final Duration AFTER_HEAL_OF_TARGET = Duration.ofSeconds(8);
    /** How long after the load stopped every request must have its answer. */
    private static final Duration ANSWERS = Duration.ofSeconds(90);

    private ChaosRun() {}

    /** Runs {@code options}' fault on {@code stack}, printing progress to {@code log}, and returns the audit. */
    public static ChaosReport run(ChaosStack stack, ChaosOptions options, PrintStream log) {
        String runId = options.fault().spelling + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        List<Ledger.Lane> lanes = new ArrayList<>();
        lanes.add(new Ledger.Lane(
                ChaosStack.SOURCE,
                stack.ingest(ChaosStack.SOURCE),
                options.fault().twoTenants() ? 4 : 1));
        if (options.fault().twoTenants()) {
            lanes.add(new Ledger.Lane(ChaosStack.NOISY, stack.ingest(ChaosStack.NOISY), 1));
        }
        FaultActions actions = new FaultActions(options.fault(), stack);
        List<String> notes = new ArrayList<>();
        warmUp(stack.ingest(ChaosStack.SOURCE), runId);
        if (options.fault().twoTenants()) {
            stack.infra().target().delay(Duration.ofMillis(1));
        }
        if (!options.warmUp().isZero()) {
            notes.add(warmUpLoad(lanes, runId, options, log));
        }
        long begin = System.nanoTime();
        ChaosAudit.Window window;
        try (Ledger load = Ledger.start(lanes, runId, options.rate(), false)) {
            untilSinceBegin(begin, options.at());
            long faultStart = System.nanoTime();
            log.printf("chaos: %s at %d ms%n", options.fault().spelling, millis(begin, faultStart));
            String note = actions.inject();
            log.printf("chaos: fault in place after %d ms%n", millis(faultStart, System.nanoTime()));
            if (!note.isEmpty()) {
                notes.add(note);
            }
            untilSinceBegin(begin, options.at().plus(options.length()));
            long faultEnd = System.nanoTime();
            actions.heal();
            long healed = System.nanoTime();
            log.printf(
                    "chaos: healing began at %d ms, done at %d ms%n", millis(begin, faultEnd), millis(begin, healed));
            // The load goes on at least AFTER_HEAL past the healing, so that recovery can be seen even when it is slow.
            Duration loadFor = options.duration();
            Duration minimum = Duration.ofNanos(healed - begin)
                    .plus(options.fault().tripsTargetCircuit() ? AFTER_HEAL_OF_TARGET : AFTER_HEAL);
            if (minimum.compareTo(loadFor) > 0) {
                loadFor = minimum;
            }
            if (millis(faultEnd, healed) >= 1_000) {
                notes.add("healing took " + millis(faultEnd, healed) + " ms; load ran " + loadFor.toMillis() + " ms");
            }
            untilSinceBegin(begin, loadFor);
            load.stop();
            window = new ChaosAudit.Window(faultStart, faultEnd, System.nanoTime());
            // Each request gives up after 15 s (twice with a retry); a starved client thread may take longer still.
            long answered = System.nanoTime() + ANSWERS.toNanos();
            while (!load.drained() && System.nanoTime() < answered) {
                Pause.millis(100);
            }
            if (!load.drained()) {
                throw new IllegalStateException(
                        "requests still unanswered " + ANSWERS.toSeconds() + " s after the load stopped");
            }
            log.printf(
                    "chaos: load stopped at %d ms; %d events sent; draining ...%n",
                    millis(begin, window.loadStoppedNanos()), load.sent().size());
            return audit(stack, options, load, runId, window, notes, log);
        }
    }

    private static ChaosReport audit(
            ChaosStack stack,
            ChaosOptions options,
            Ledger load,
            String runId,
            ChaosAudit.Window window,
            List<String> notes,
            PrintStream log) {
        ChaosStack.Infra infra = stack.infra();
        IngestAudit ingest = IngestAudit.of(load, infra.cluster(), stack.topic());
        Set<String> accepted = new HashSet<>();
        load.answers().forEach((id, a) -> {
            if (a.accepted()) {
                accepted.add(id);
            }
        });
        Vertx vertx = Vertx.vertx();
        Pool pg = PgBuilder.pool().connectingTo(stack.pgUri()).using(vertx).build();
        try {
            long until =
                    window.loadStoppedNanos() + options.ttl().plus(DRAIN_MARGIN).toNanos();
            TerminalRecords records = TerminalRecords.read(pg, infra.cluster(), stack.topic(), runId);
            int open = undecided(accepted, ingest, records);
            while (open > 0 && System.nanoTime() < until) {
                Pause.millis(POLL.toMillis());
                records = TerminalRecords.read(pg, infra.cluster(), stack.topic(), runId);
                open = undecided(accepted, ingest, records);
            }
            log.printf("chaos: drained; %d of %d accepted events without a terminal record%n", open, accepted.size());
            List<String> dead = stack.deadChildren();
            if (!dead.isEmpty()) {
                notes.add("exited on their own: " + dead);
            }
            return ChaosAudit.judge(
                    options.fault(), load, ingest, records, deliveries(stack, options, runId), window, notes);
        } finally {
            pg.close();
            vertx.close();
        }
    }

    /** The deliveries the targets took for this run's events. */
    private static List<WebhookTarget.Received> deliveries(ChaosStack stack, ChaosOptions options, String runId) {
        List<WebhookTarget.Received> all =
                new ArrayList<>(stack.infra().target().delivered(ChaosStack.HOOK));
        if (options.fault().twoTenants()) {
            all.addAll(stack.infra().noisyTarget().delivered(ChaosStack.HOOK));
        }
        String prefix = runId + "-";
        return all.stream()
                .filter(r -> r.header("ce-id") != null && r.header("ce-id").startsWith(prefix))
                .toList();
    }

    /**
     * The run's load, unaudited (ids outside the run's), for {@code options.warmUp()}, then its
     * answers and a pause for the executors to finish its events: the audited window then starts on
     * compiled code and filled pools, not on JVMs started moments ago.
     */
    private static String warmUpLoad(List<Ledger.Lane> lanes, String runId, ChaosOptions options, PrintStream log) {
        try (Ledger warm = Ledger.start(lanes, "warm-" + runId, options.rate(), false)) {
            Pause.millis(options.warmUp().toMillis());
            warm.stop();
            long answered = System.nanoTime() + ANSWERS.toNanos();
            while (!warm.drained() && System.nanoTime() < answered) {
                Pause.millis(100);
            }
            Pause.millis(SETTLE.toMillis());
            String note = "warm-up: " + options.warmUp().toSeconds() + " s, "
                    + warm.sent().size() + " events sent, " + warm.accepted() + " accepted (not audited)";
            log.printf("chaos: %s%n", note);
            return note;
        }
    }

    /**
     * Sends single events (ids outside the run's) until one is accepted within a second: a router
     * just started, on a busy machine, answers its first requests slowly, and that is not the fault.
     */
    private static void warmUp(URI ingest, String runId) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long until = System.nanoTime() + WARM_UP.toNanos();
        for (int n = 1; System.nanoTime() < until; n++) {
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(ingest)
                                .timeout(Duration.ofSeconds(1))
                                .header("content-type", "application/json")
                                .header("ce-id", "warm-up-" + runId + "-" + n)
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 202) {
                    return;
                }
            } catch (IOException e) {
                // not yet: the next try
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            Pause.millis(200);
        }
        throw new IllegalStateException("the router accepted no event within " + WARM_UP);
    }

    /** Accepted ids with no terminal record yet. */
    private static int undecided(Set<String> accepted, IngestAudit ingest, TerminalRecords records) {
        int open = 0;
        Map<String, List<TerminalRecords.RunRow>> runs = records.runs();
        for (String id : accepted) {
            boolean decided = runs.getOrDefault(id, List.of()).stream()
                            .anyMatch(r -> !r.outcome().equals("skipped_duplicate"))
                    || records.expired().contains(id)
                    || records.deadLettered().contains(id)
                    || records.inSpan(ingest.stored().get(id));
            open += decided ? 0 : 1;
        }
        return open;
    }

    private static void untilSinceBegin(long begin, Duration offset) {
        Pause.millis(TimeUnit.NANOSECONDS.toMillis(begin + offset.toNanos() - System.nanoTime()));
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }
}
