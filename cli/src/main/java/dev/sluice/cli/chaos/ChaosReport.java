package dev.sluice.cli.chaos;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The figures of one fault run, each a count of event ids (see {@link ChaosAudit}).
 *
 * @param offered            events the load sent
 * @param accepted           202s
 * @param refused503         503 answers
 * @param refused503ByPhase  of those, sent before the fault, during it, and after its end
 * @param refusals           every refusal by status and reason
 * @param unanswered         requests with no answer (connection refused or reset, client timeout)
 * @param worstAnswerMs      the longest answer time of an event sent during the fault
 * @param executed           accepted events whose run started and succeeded
 * @param expired            accepted events expired with a record
 * @param deadLettered       accepted events dead-lettered with a record
 * @param skipped            accepted events in a recorded dead span
 * @param lost               accepted ids with no terminal record
 * @param inTwoKinds         accepted ids with terminal records of two kinds (e.g. executed and expired)
 * @param duplicated         deliveries a target took beyond the first per event
 * @param duplicatesOtherKey events delivered more than once with more than one {@code webhook-id}
 * @param lateStarts         runs started after their event's deadline
 * @param phantoms           refused or unanswered events found in Kafka, by answer
 * @param forbiddenPhantoms  of those, events refused with an answer that said "not stored"
 * @param recoveryMs         from the fault's end until events were served within 2 s again
 * @param p99StartMs         ingest → start p99 of every executed event
 * @param steadyP99StartMs   the same for the steady tenant, when two tenants share the partitions
 * @param steadyLost         accepted ids of the steady tenant with no terminal record
 * @param notes              what the fault did (which node or child)
 */
public record ChaosReport(
        Fault fault,
        int offered,
        int accepted,
        int refused503,
        List<Integer> refused503ByPhase,
        Map<String, Integer> refusals,
        int unanswered,
        long worstAnswerMs,
        int executed,
        int expired,
        int deadLettered,
        int skipped,
        List<String> lost,
        int inTwoKinds,
        int duplicated,
        int duplicatesOtherKey,
        int lateStarts,
        Map<String, Integer> phantoms,
        int forbiddenPhantoms,
        OptionalLong recoveryMs,
        OptionalLong p99StartMs,
        OptionalLong steadyP99StartMs,
        long steadyLost,
        List<String> notes) {

    /** The promise held: nothing accepted was lost, nothing started late, no refusal lied. */
    public boolean passed() {
        return lost.isEmpty() && lateStarts == 0 && forbiddenPhantoms == 0;
    }

    public int phantomCount() {
        return phantoms.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The table the issue lists, one figure a line. */
    public String table() {
        StringBuilder b = new StringBuilder();
        row(b, "fault", fault.spelling + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
        row(b, "offered", offered);
        row(b, "202", accepted);
        row(
                b,
                "503",
                refused503 + " "
                        + refusals.entrySet().stream()
                                .filter(e -> e.getKey().startsWith("503 "))
                                .toList() + " (worst answer time during the fault: " + worstAnswerMs + " ms)");
        row(
                b,
                "503 before/during/after",
                refused503ByPhase.get(0) + " / " + refused503ByPhase.get(1) + " / " + refused503ByPhase.get(2));
        row(
                b,
                "other refusals",
                refusals.entrySet().stream()
                                .filter(e -> !e.getKey().startsWith("503 "))
                                .toList() + ", unanswered " + unanswered);
        row(b, "executed", executed);
        row(b, "expired", expired);
        row(b, "dead-lettered", deadLettered);
        row(b, "skipped in a dead span", skipped);
        row(b, "LOST", lost.size() + (lost.isEmpty() ? "" : " e.g. " + lost.subList(0, Math.min(5, lost.size()))));
        row(b, "in two kinds of record", inTwoKinds);
        row(
                b,
                "DUPLICATED",
                duplicated
                        + (duplicated == 0
                                ? ""
                                : duplicatesOtherKey == 0
                                        ? " (each with the same webhook-id)"
                                        : " (" + duplicatesOtherKey + " events with another webhook-id)"));
        row(b, "started after deadline", lateStarts);
        row(
                b,
                "phantoms",
                phantomCount()
                        + (phantoms.isEmpty() ? "" : " " + phantoms)
                        + (forbiddenPhantoms == 0 ? "" : ", FORBIDDEN " + forbiddenPhantoms));
        row(
                b,
                "time to recover",
                recoveryMs.isPresent()
                        ? recoveryMs.getAsLong() + " ms after the fault's end"
                        : "not recovered before the load stopped");
        row(b, "ingest->start p99", p99StartMs.isPresent() ? p99StartMs.getAsLong() + " ms" : "-");
        if (steadyP99StartMs.isPresent() || fault.twoTenants()) {
            row(
                    b,
                    "steady tenant p99",
                    (steadyP99StartMs.isPresent() ? steadyP99StartMs.getAsLong() + " ms" : "-") + ", LOST "
                            + steadyLost);
        }
        row(b, "verdict", passed() ? "PASS" : "FAIL");
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Object value) {
        b.append(String.format(Locale.ROOT, "  %-24s %s%n", name, value));
    }
}
