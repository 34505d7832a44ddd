package dev.sluice.router.impl.workflow;

import dev.sluice.core.Condition;
import dev.sluice.core.StepConfig;
import dev.sluice.core.Templates;
import dev.sluice.core.WorkflowConfig;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a workflow would do with one sample event, computed with the executor's own rules (core's
 * {@link Condition} and {@link Templates}) and without sending anything: whether its filter takes
 * the event, and for each step whether it runs and the request it would make (an http step's
 * method, URL, headers and body; a publish's topic and payload; a Redis command with its rendered
 * key and value). No request leaves, so no http step has a response: a later
 * {@code {{$response/...}}} renders empty, as it would after a non-JSON answer, and the result says so.
 *
 * <p>The sample is a CloudEvent in JSON: its attributes ({@code type}, {@code source},
 * {@code subject}, {@code id}, extensions) at the top level and the payload in {@code data}.
 */
public final class WorkflowDryRun {

    private WorkflowDryRun() {}

    /** The dry run of {@code workflow} over {@code sample}. */
    public static JsonObject of(WorkflowConfig workflow, JsonObject sample) {
        Sample s = new Sample(sample);
        JsonObject out = new JsonObject().put("workflow", workflow.name()).put("event", s.attributes());
        if (workflow.filter() != null && !workflow.filter().test(s)) {
            return out.put("runs", false)
                    .put("reason", "the workflow's filter does not accept this event")
                    .put("steps", new JsonArray());
        }
        JsonArray steps = new JsonArray();
        boolean stopped = false;
        boolean sentHttp = false;
        for (int i = 0; i < workflow.steps().size(); i++) {
            StepConfig step = workflow.steps().get(i);
            JsonObject row = new JsonObject().put("index", i).put("type", type(step));
            steps.add(row);
            if (stopped) {
                row.put("runs", false).put("note", "not reached: an earlier filter step stops the run");
                continue;
            }
            row.put("runs", true);
            try {
                if (step instanceof StepConfig.Filter f) {
                    boolean passes = f.condition().test(s);
                    row.put("passes", passes);
                    if (!passes) {
                        row.put("note", "the condition is false: the run stops here and succeeds");
                        stopped = true;
                    }
                } else if (step instanceof StepConfig.Transform t) {
                    s.payload = Templates.build(t.set(), s);
                    s.contentType = "application/json";
                    row.put("payload", s.payload);
                } else if (step instanceof StepConfig.Http h) {
                    Map<String, String> headers = new TreeMap<>();
                    s.attributes().forEach(a -> headers.put("ce-" + a.getKey(), String.valueOf(a.getValue())));
                    if (s.contentType != null) {
                        headers.put("content-type", s.contentType);
                    }
                    headers.putAll(h.headers());
                    headers.put("webhook-id", "(stable per event, workflow and step)");
                    row.put(
                            "request",
                            new JsonObject()
                                    .put("method", h.method())
                                    .put("url", h.url())
                                    .put("http2", h.http2())
                                    .put("timeout", h.timeout().toMillis() + "ms")
                                    .put(
                                            "headers",
                                            new JsonObject(new java.util.LinkedHashMap<String, Object>(headers)))
                                    .put("body", s.payload));
                    sentHttp = true;
                } else if (step instanceof StepConfig.Publish p) {
                    row.put("request", new JsonObject().put("topic", p.topic()).put("payload", s.payload));
                } else if (step instanceof StepConfig.Redis r) {
                    JsonObject req =
                            new JsonObject().put("command", r.command()).put("key", Templates.render(r.key(), s));
                    if (r.value() != null) {
                        req.put("value", Templates.render(r.value(), s));
                    }
                    if (r.ttl() != null) {
                        req.put("ttl", r.ttl().toMillis() + "ms");
                    }
                    row.put("request", req);
                }
            } catch (RuntimeException e) {
                row.put("error", e.getMessage()).put("note", "the run would be dead-lettered here");
                stopped = true;
            }
        }
        out.put("runs", true).put("steps", steps);
        if (sentHttp) {
            out.put(
                    "note",
                    "dry run: nothing was sent, so no http step has a response; {{$response/...}} renders empty");
        }
        return out;
    }

    private static String type(StepConfig step) {
        return step.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** The sample event, as templates and conditions read it; the payload changes as transforms run. */
    private static final class Sample implements Templates.Scope {
        private final JsonObject attributes = new JsonObject();
        private Object payload;
        private String contentType;

        Sample(JsonObject sample) {
            sample.forEach(e -> {
                if (!e.getKey().equals("data") && !e.getKey().equals("data_base64") && e.getValue() != null) {
                    attributes.put(e.getKey(), String.valueOf(e.getValue()));
                }
            });
            payload = sample.getValue("data");
            contentType = attributes.getString("datacontenttype", payload == null ? null : "application/json");
            if (payload instanceof String text) {
                try {
                    payload = Json.decodeValue(text);
                } catch (RuntimeException notJson) {
                    // a text payload stays text: pointers into it find nothing, as in the executor
                }
            }
        }

        JsonObject attributes() {
            return attributes;
        }

        @Override
        public String attribute(String name) {
            return name.equals("datacontenttype") ? contentType : attributes.getString(name);
        }

        @Override
        public Object json() {
            return payload instanceof String ? null : payload;
        }

        @Override
        public Object response() {
            return null;
        }
    }
}
