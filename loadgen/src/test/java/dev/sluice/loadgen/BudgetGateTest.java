package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetGateTest {

    private static final long N = 150_000;

    /** A run at {@code asked}/s for 30 s with the given ingest → start p99.9 and accounting. */
    private static RunSummary summary(
            double ingestToStartP999Ms, RunSummary.Accounting accounting, double asked, double achieved) {
        Map<String, Percentiles> lat = new LinkedHashMap<>();
        lat.put(RunSummary.ACK, new Percentiles(N, 3, 2, 4, 9, 20, 30, 41));
        lat.put(
                RunSummary.INGEST_TO_START,
                new Percentiles(N, 12, 10, 18, 40, ingestToStartP999Ms, ingestToStartP999Ms, ingestToStartP999Ms));
        return new RunSummary(
                "2025-01-01T00:00:00Z",
                Map.of("mode", "e2e"),
                asked,
                achieved,
                30,
                5,
                new RunSummary.Counts(N, N, 0, N, N),
                Map.of(),
                lat,
                accounting,
                RunSummary.Cpu.NONE,
                new RunSummary.Machine(2, "test", 24, "jvm", "os"));
    }

    private static RunSummary.Accounting allExecuted() {
        return RunSummary.Accounting.of(N, N, 0, 0, 0, 0, 0, true, 0, true);
    }

    @Test
    void passesAHealthyRun() {
        BudgetGate.Verdict v = BudgetGate.evaluate(summary(85, allExecuted(), 5000, 4990));
        assertTrue(v.pass(), v.toString());
        assertEquals(List.of(), v.reasons());
    }

    @Test
    void failsAThreeSecondStall() {
        BudgetGate.Verdict v = BudgetGate.evaluate(summary(3000, allExecuted(), 5000, 4990));
        assertFalse(v.pass());
        assertEquals(1, v.reasons().size(), v.toString());
        assertTrue(v.reasons().get(0).contains("p99.9 is 3000.0 ms, over the 2000 ms budget"), v.toString());
    }

    @Test
    void passesExactlyAtTheBudget() {
        assertTrue(BudgetGate.evaluate(summary(2000, allExecuted(), 5000, 5000)).pass());
    }

    @Test
    void failsOneLostEvent() {
        RunSummary.Accounting oneLost = RunSummary.Accounting.of(N, N - 1, 0, 0, 0, 0, 0, true, 0, false);
        assertEquals(1, oneLost.unaccounted());
        BudgetGate.Verdict v = BudgetGate.evaluate(summary(85, oneLost, 5000, 4990));
        assertFalse(v.pass());
        assertTrue(
                v.reasons().get(0).startsWith("1 acknowledged event(s) neither executed nor accounted for"),
                v.toString());
    }

    @Test
    void passesWhenTheMissingEventsAreExpiredOrDeadLettered() {
        RunSummary.Accounting accounted = RunSummary.Accounting.of(N, N - 3, 2, 1, 0, 0, 0, true, 0, true);
        assertEquals(0, accounted.unaccounted());
        assertTrue(BudgetGate.evaluate(summary(85, accounted, 5000, 4990)).pass());
    }

    @Test
    void failsALateStart() {
        RunSummary.Accounting late = RunSummary.Accounting.of(N, N, 0, 0, 1, 0, 0, true, 0, true);
        BudgetGate.Verdict v = BudgetGate.evaluate(summary(85, late, 5000, 4990));
        assertFalse(v.pass());
        assertEquals(List.of("1 event(s) started after their deadline"), v.reasons());
    }

    @Test
    void failsALowAchievedRate() {
        BudgetGate.Verdict v = BudgetGate.evaluate(summary(85, allExecuted(), 5000, 4700));
        assertFalse(v.pass());
        assertEquals(List.of("achieved 4700 events/s, under 95% of the 5000 asked"), v.reasons());
    }

    @Test
    void failsARunWithoutEndToEndMeasurements() {
        RunSummary routerOnly = new RunSummary(
                "2025-01-01T00:00:00Z",
                Map.of("mode", "router-only"),
                5000,
                5000,
                30,
                5,
                new RunSummary.Counts(N, N, 0, N, N),
                Map.of(),
                Map.of(),
                RunSummary.Accounting.NONE,
                RunSummary.Cpu.NONE,
                new RunSummary.Machine(2, "test", 24, "jvm", "os"));
        assertFalse(BudgetGate.evaluate(routerOnly).pass());
    }

    @Test
    void givesEveryReasonAtOnce() {
        RunSummary.Accounting bad = RunSummary.Accounting.of(N, N - 10, 0, 0, 4, 0, 0, true, 0, false);
        assertEquals(
                4, BudgetGate.evaluate(summary(3000, bad, 5000, 100)).reasons().size());
    }

    @Test
    void readsBackWhatItWrote() {
        RunSummary s = summary(85, allExecuted(), 5000, 4990);
        RunSummary back = RunSummary.fromJson(s.toJson());
        assertEquals(s.latency(RunSummary.INGEST_TO_START), back.latency(RunSummary.INGEST_TO_START));
        assertEquals(s.accounting(), back.accounting());
        assertEquals(BudgetGate.evaluate(s), BudgetGate.evaluate(back));
    }
}
