package dev.sluice.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The release gate, as a pure function of a run's summary: Sluice's promise holds when the
 * ingest → start p99.9 is within the 2 s budget, no event started after its deadline, every
 * acknowledged event was executed or accounted for (expired, dead-lettered), and the router took
 * the rate it was asked for.
 */
public final class BudgetGate {

    /** Ingest → execution start, at p99.9. */
    public static final Duration BUDGET = Duration.ofSeconds(2);
    /** The share of the asked rate a run must achieve. */
    public static final double MIN_RATE_RATIO = 0.95;

    /** Pass, or the reasons it did not. */
    public record Verdict(boolean pass, List<String> reasons) {
        public Verdict {
            reasons = List.copyOf(reasons);
        }

        @Override
        public String toString() {
            return pass ? "PASS" : "FAIL: " + String.join("; ", reasons);
        }
    }

    private BudgetGate() {}

    public static Verdict evaluate(RunSummary s) {
        return evaluate(s, BUDGET, MIN_RATE_RATIO);
    }

    public static Verdict evaluate(RunSummary s, Duration budget, double minRateRatio) {
        List<String> reasons = new ArrayList<>();
        Percentiles start = s.latency(RunSummary.INGEST_TO_START);
        if (start.count() == 0) {
            reasons.add(
                    "no ingest → start measurements (the gate needs an end-to-end run with executed events: without"
                            + " --target it starts its own stack; a --target's workflow must post to the generator's receiver)");
        } else if (start.p999() > budget.toMillis()) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "ingest → start p99.9 is %.1f ms, over the %d ms budget",
                    start.p999(),
                    budget.toMillis()));
        }
        RunSummary.Accounting a = s.accounting();
        if (a.lateStarts() > 0) {
            reasons.add(a.lateStarts() + " event(s) started after their deadline");
        }
        if (a.unaccounted() > 0) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "%d acknowledged event(s) neither executed nor accounted for "
                            + "(accepted %d, executed %d, expired %d, dead-lettered %d)%s",
                    a.unaccounted(),
                    a.accepted(),
                    a.executed(),
                    a.expired(),
                    a.deadLettered(),
                    a.metricsAvailable() ? "" : "; the executor's metrics could not be read"));
        }
        if (s.rateAchieved() < minRateRatio * s.rateAsked()) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "achieved %.0f events/s, under %.0f%% of the %.0f asked",
                    s.rateAchieved(),
                    minRateRatio * 100,
                    s.rateAsked()));
        }
        return new Verdict(reasons.isEmpty(), reasons);
    }
}
