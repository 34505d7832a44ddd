package dev.sluice.executor.impl.workflow;

import dev.sluice.core.WorkflowConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The workflows in force, by source; replaced whole on reload, read without locks for every event. */
public final class WorkflowTable {

    private volatile Map<String, List<WorkflowConfig>> bySource;
    private volatile List<WorkflowConfig> all;

    public WorkflowTable(List<WorkflowConfig> workflows) {
        replace(workflows);
    }

    public List<WorkflowConfig> forSource(String source) {
        return bySource.get(source);
    }

    /**
     * The workflows an event of {@code source} starts: those of the source, or when the event names
     * a {@code target} (non-empty), only that one among them (none when the source has no such workflow).
     */
    public List<WorkflowConfig> forEvent(String source, String target) {
        List<WorkflowConfig> of = bySource.get(source);
        if (target.isEmpty() || of == null) {
            return of == null ? List.of() : of;
        }
        for (WorkflowConfig w : of) {
            if (w.name().equals(target)) {
                return List.of(w);
            }
        }
        return List.of();
    }

    /** Every workflow in force, in the order given. */
    public List<WorkflowConfig> all() {
        return all;
    }

    public void replace(List<WorkflowConfig> workflows) {
        Map<String, List<WorkflowConfig>> next = new HashMap<>();
        for (WorkflowConfig w : workflows) {
            for (String s : w.sources()) {
                next.computeIfAbsent(s, k -> new ArrayList<>()).add(w);
            }
        }
        all = List.copyOf(workflows);
        bySource = Map.copyOf(next);
    }

    public int size() {
        return (int) bySource.values().stream().flatMap(List::stream).distinct().count();
    }
}
