package dev.sluice.core;

import dev.sluice.core.trigger.Trigger;
import java.util.List;

/**
 * A workflow: the sources it subscribes to, an optional filter (events it does not match are not
 * its business), the steps it runs for each matching event, in order, how its runs are delivered
 * to targets, and how its webhooks are signed.
 *
 * @param delivery {@link Delivery#AT_LEAST_ONCE} (default): a run whose owner died is re-sent with
 *                 the same {@code webhook-id}; {@link Delivery#AT_MOST_ONCE}: never re-sent, for
 *                 targets that cannot deduplicate
 * @param signing  the Standard Webhooks signing secrets, or {@link WebhookSigning#none()}
 * @param triggers what starts the workflow besides the events of its sources: a schedule, a poll (empty: nothing);
 *                 each sends its events to one of the workflow's sources
 */
public record WorkflowConfig(
        String name,
        List<String> sources,
        Condition filter,
        List<StepConfig> steps,
        Delivery delivery,
        WebhookSigning signing,
        List<Trigger> triggers) {

    /** How a workflow's runs reach their targets. */
    public enum Delivery {
        AT_LEAST_ONCE("at-least-once"),
        AT_MOST_ONCE("at-most-once");

        private final String text;

        Delivery(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** Parses {@code at-least-once} or {@code at-most-once}; anything else is an error naming the field. */
        public static Delivery parse(String s) {
            return Spellings.parse(values(), d -> d.text, s, "delivery");
        }
    }

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
        delivery = delivery == null ? Delivery.AT_LEAST_ONCE : delivery;
        signing = signing == null ? WebhookSigning.none() : signing;
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
        for (Trigger t : triggers) {
            if (!sources.contains(t.source())) {
                throw new ConfigException("workflow " + name + ": trigger source '" + t.source()
                        + "' is not one of its sources " + sources);
            }
        }
    }

    /** No triggers besides the events of its sources. */
    public WorkflowConfig(
            String name,
            List<String> sources,
            Condition filter,
            List<StepConfig> steps,
            Delivery delivery,
            WebhookSigning signing) {
        this(name, sources, filter, steps, delivery, signing, List.of());
    }

    /** At-least-once, unsigned. */
    public WorkflowConfig(String name, List<String> sources, Condition filter, List<StepConfig> steps) {
        this(name, sources, filter, steps, Delivery.AT_LEAST_ONCE, WebhookSigning.none(), List.of());
    }
}
