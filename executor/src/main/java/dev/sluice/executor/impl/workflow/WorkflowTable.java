package dev.sluice.executor.impl.workflow;

import dev.sluice.core.WorkflowConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The workflows in force, by source; replaced whole on reload, read without locks for every event. */
public final class WorkflowTable {

    private volatile Map<String, List<WorkflowConfig>> bySource;

    public WorkflowTable(List<WorkflowConfig> workflows) {
        replace(workflows);
    }

    public List<WorkflowConfig> forSource(String source) {
        return bySource.get(source);
    }

    public void replace(List<WorkflowConfig> workflows) {
        Map<String, List<WorkflowConfig>> next = new HashMap<>();
        for (WorkflowConfig w : workflows) {
            for (String s : w.sources()) {
                next.computeIfAbsent(s, k -> new ArrayList<>()).add(w);
            }
        }
        bySource = Map.copyOf(next);
    }

    public int size() {
        return (int) bySource.values().stream().flatMap(List::stream).distinct().count();
    }
}
