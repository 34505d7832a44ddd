package dev.sluice.core;

import java.util.List;

/**
 * A workflow: the sources it subscribes to, an optional filter (events it does not match are not
 * its business), and the steps it runs for each matching event, in order.
 */
public record WorkflowConfig(String name, List<String> sources, Condition filter, List<StepConfig> steps) {

    public WorkflowConfig {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ConfigException("workflow name must be 1-128 of [A-Za-z0-9._-], got '" + name + "'");
        }
        if (sources == null || sources.isEmpty()) {
            throw new ConfigException("workflow " + name + " must subscribe to at least one source");
        }
        if (steps == null || steps.isEmpty()) {
            throw new ConfigException("workflow " + name + " must have at least one step");
        }
        sources = List.copyOf(sources);
        steps = List.copyOf(steps);
    }
}
