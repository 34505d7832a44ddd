package dev.sluice.cli.chaos;

import dev.sluice.testkit.WebhookTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The audit per event id, from the client's ledger, the topic and the terminal records: each 202
 * must have a run-log row, a record in {@code .expired} or {@code .dlq}, or a place in a recorded
 * dead span. Counters are never trusted; every figure is a count of ids.
 */
final class ChaosAudit {

    /** The ingest → start budget an event must meet to count as served normally (recovery). */
    static final long BUDGET_MS = 2_000;
    /** How long a stretch of served events must last for the system to count as recovered. */
    static final long RECOVERED_STRETCH_MS = 1_000;

    /** The kinds of terminal record an event can have. */
    enum Kind {
        EXECUTED,
        DEAD_LETTERED,
        EXPIRED,
        SKIPPED
    }

    /** When the fault was applied and healed, in {@link System#nanoTime()}. */
    record Window(long startNanos, long endNanos, long loadStoppedNanos) {}

    private ChaosAudit() {}

    static ChaosReport judge(
            Fault fault,
            Ledger load,
            IngestAudit ingest,
            TerminalRecords records,
            List<WebhookTarget.Received> deliveries,
            Window window,
            List<String> notes) {
        Map<String, Ledger.Sent> sent = load.sent();
        Map<String, Ledger.Answer> answers = load.answers();
        int[] byKind = new int[Kind.values().length];
        List<String> lost = new ArrayList<>();
        int twoKinds = 0;
        int late = 0;
        for (Map.Entry<String, Ledger.Answer> e : answers.entrySet()) {
            if (!e.getValue().accepted()) {
                continue;
            }
            Set<Kind> kinds = kinds(e.getKey(), ingest, records);
            if (kinds.isEmpty()) {
                lost.add(e.getKey());
                continue;
            }
            twoKinds += kinds.size() > 1 ? 1 : 0;
            byKind[kinds.iterator().next().ordinal()]++;
        }
        for (List<TerminalRecords.RunRow> rows : records.runs().values()) {
            late += (int) rows.stream().filter(TerminalRecords.RunRow::late).count();
        }
        Map<String, List<WebhookTarget.Received>> byId = deliveries.stream()
                .filter(r -> r.header("ce-id") != null)
                .collect(Collectors.groupingBy(r -> r.header("ce-id")));
        int duplicated = byId.values().stream().mapToInt(c -> c.size() - 1).sum();
        int otherKey = (int) byId.values().stream()
                .filter(c -> c.stream()
                                .map(r -> String.valueOf(r.header("webhook-id")))
                                .distinct()
                                .count()
                        > 1)
                .count();
        long worst = answers.entrySet().stream()
                .filter(e -> sent.get(e.getKey()).sentAtNanos() >= window.startNanos()
                        && sent.get(e.getKey()).sentAtNanos() <= window.endNanos())
                .mapToLong(e ->
                        e.getValue().answeredAtNanos() - sent.get(e.getKey()).sentAtNanos())
                .max()
                .orElse(0);
        int refused503 =
                (int) answers.values().stream().filter(a -> a.status() == 503).count();
        // 503s by when the event was sent: before the fault, during it, after its end.
        int[] byPhase = new int[3];
        answers.forEach((id, a) -> {
            if (a.status() == 503) {
                long at = sent.get(id).sentAtNanos();
                byPhase[at < window.startNanos() ? 0 : at <= window.endNanos() ? 1 : 2]++;
            }
        });
        Predicate<Ledger.Sent> all = s -> true;
        Predicate<Ledger.Sent> counted = fault.twoTenants() ? s -> ChaosStack.SOURCE.equals(s.source()) : all;
        OptionalLong steadyP99 = fault.twoTenants() ? p99(sent, records, counted) : OptionalLong.empty();
        long steadyLost = lost.stream()
                .filter(id -> ChaosStack.SOURCE.equals(sent.get(id).source()))
                .count();
        return new ChaosReport(
                fault,
                ingest.offered(),
                ingest.accepted(),
                refused503,
                List.of(byPhase[0], byPhase[1], byPhase[2]),
                ingest.refusals(),
                ingest.unanswered(),
                TimeUnit.NANOSECONDS.toMillis(worst),
                byKind[Kind.EXECUTED.ordinal()],
                byKind[Kind.EXPIRED.ordinal()],
                byKind[Kind.DEAD_LETTERED.ordinal()],
                byKind[Kind.SKIPPED.ordinal()],
                List.copyOf(lost),
                twoKinds,
                duplicated,
                otherKey,
                late,
                ingest.phantoms(),
                ingest.forbiddenPhantoms().size() + ingest.misreportedTimeouts().size(),
                recovery(sent, answers, records, window, counted),
                p99(sent, records, all),
                steadyP99,
                steadyLost,
                List.copyOf(notes));
    }

    /** The kinds of terminal record of one accepted id, the most advanced first. */
    private static Set<Kind> kinds(String id, IngestAudit ingest, TerminalRecords records) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (TerminalRecords.RunRow row : records.runs().getOrDefault(id, List.of())) {
            switch (row.outcome()) {
                case "succeeded", "resent" -> kinds.add(Kind.EXECUTED);
                case "dead_lettered" -> kinds.add(Kind.DEAD_LETTERED);
                case "expired" -> kinds.add(Kind.EXPIRED);
                default -> {
                    // skipped_duplicate: another run of the same event decided it; not a terminal record of its own.
                }
            }
        }
        if (records.deadLettered().contains(id)) {
            kinds.add(Kind.DEAD_LETTERED);
        }
        if (records.expired().contains(id)) {
            kinds.add(Kind.EXPIRED);
        }
        if (records.inSpan(ingest.stored().get(id))) {
            kinds.add(Kind.SKIPPED);
        }
        return kinds;
    }

    /** Whether an event was accepted and its run started (and succeeded) within the budget. */
    private static boolean served(String id, Map<String, Ledger.Answer> answers, TerminalRecords records) {
        Ledger.Answer a = answers.get(id);
        return a != null
                && a.accepted()
                && records.runs().getOrDefault(id, List.of()).stream()
                        .anyMatch(r -> r.executed() && r.startLatencyMs() >= 0 && r.startLatencyMs() <= BUDGET_MS);
    }

    /**
     * From the fault's end to the first event that begins a stretch of {@value #RECOVERED_STRETCH_MS}
     * ms in which every {@code counted} event sent was served; empty when none did before the load
     * stopped.
     */
    private static OptionalLong recovery(
            Map<String, Ledger.Sent> sent,
            Map<String, Ledger.Answer> answers,
            TerminalRecords records,
            Window window,
            Predicate<Ledger.Sent> counted) {
        List<Ledger.Sent> after = sent.values().stream()
                .filter(s -> s.sentAtNanos() >= window.endNanos() && counted.test(s))
                .sorted(Comparator.comparingLong(Ledger.Sent::sentAtNanos))
                .toList();
        long stretch = TimeUnit.MILLISECONDS.toNanos(RECOVERED_STRETCH_MS);
        int firstGood = -1;
        for (int i = 0; i < after.size(); i++) {
            if (!served(after.get(i).id(), answers, records)) {
                firstGood = -1;
                continue;
            }
            if (firstGood < 0) {
                firstGood = i;
            }
            if (after.get(i).sentAtNanos() - after.get(firstGood).sentAtNanos() >= stretch) {
                return OptionalLong.of(
                        TimeUnit.NANOSECONDS.toMillis(after.get(firstGood).sentAtNanos() - window.endNanos()));
            }
        }
        return OptionalLong.empty();
    }

    /** The p99 of ingest → start of the {@code counted} executed events, in ms. */
    private static OptionalLong p99(
            Map<String, Ledger.Sent> sent, TerminalRecords records, Predicate<Ledger.Sent> counted) {
        long[] latencies = records.runs().entrySet().stream()
                .filter(e -> sent.containsKey(e.getKey()) && counted.test(sent.get(e.getKey())))
                .flatMap(e -> e.getValue().stream()
                        .filter(TerminalRecords.RunRow::executed)
                        .limit(1))
                .mapToLong(TerminalRecords.RunRow::startLatencyMs)
                .filter(l -> l >= 0)
                .sorted()
                .toArray();
        if (latencies.length == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(latencies[(int) Math.ceil(latencies.length * 0.99) - 1]);
    }
}
