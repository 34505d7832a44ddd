package dev.sluice.core;

import java.time.Duration;
import java.util.Map;

/** One step of a workflow. */
public sealed interface StepConfig {

    /** The longest this step may take; the executor further cuts it to the event's remaining time. */
    Duration timeout();

    /**
     * Calls a URL with the current payload as the body (CloudEvents binary mode), plus fixed
     * headers. Success is a 2xx status; a JSON response is available to later steps as
     * {@code {{$response/...}}}. With {@code http2}, the call goes over HTTP/2: by prior knowledge
     * on {@code http://} (the target must speak h2c), negotiated by ALPN on {@code https://}
     * (falling back to HTTP/1.1 when the target does not offer h2). Many calls then share a few
     * connections and system calls.
     */
    record Http(String url, String method, Duration timeout, Map<String, String> headers, boolean http2)
            implements StepConfig {

        public Http {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException("url must start with http:// or https://, got '" + url + "'");
            }
            method = method == null ? "POST" : method;
            if (!method.matches("GET|POST|PUT|PATCH|DELETE")) {
                throw new ConfigException("method must be GET, POST, PUT, PATCH or DELETE, got '" + method + "'");
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /**
     * Replaces the payload with a JSON object built from templates: each entry maps a JSON pointer
     * in the output to a template such as {@code "{{/device/id}}"} (a pointer into the current
     * payload), {@code "{{$id}}"} (an attribute), {@code "{{$response/status}}"} or literal text.
     */
    record Transform(Map<String, String> set) implements StepConfig {
        public Transform {
            if (set == null || set.isEmpty()) {
                throw new ConfigException("set: a transform needs at least one output field");
            }
            set.forEach((k, v) -> {
                if (!k.startsWith("/")) {
                    throw new ConfigException(
                            "set: output fields are JSON pointers starting with '/', got '" + k + "'");
                }
                JsonPointers.check(k, "set: output field");
                Templates.check(v, msg -> new ConfigException("set." + k + ": " + msg));
            });
            set = Map.copyOf(set);
        }

        public Duration timeout() {
            return Duration.ofSeconds(1);
        }
    }

    /** Produces the current payload, with the event's attributes, to another topic (fan-out, chaining). */
    record Publish(String topic, Duration timeout) implements StepConfig {
        public Publish {
            if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,200}")) {
                throw new ConfigException("topic must be 1-200 of [A-Za-z0-9._-], got '" + topic + "'");
            }
        }
    }

    /** Transient per-workflow state in Redis: {@code set}, {@code incr} or {@code expire} a key (templates allowed). */
    record Redis(Command command, String key, String value, Duration ttl, Duration timeout) implements StepConfig {

        /** What a redis step does to its key. */
        public enum Command {
            /** Sets the key to the value (with the ttl, when given). */
            SET,
            /** Increments the key (then sets its ttl, when given). */
            INCR,
            /** Sets the key's ttl. */
            EXPIRE;

            /** The command named in a catalog ({@code set}, {@code incr}, {@code expire}); anything else is an error. */
            public static Command parse(String name) {
                return Spellings.parse(values(), c -> c.name().toLowerCase(java.util.Locale.ROOT), name, null);
            }
        }

        public Redis {
            if (command == null) {
                throw new ConfigException("command: required");
            }
            if (key == null || key.isBlank()) {
                throw new ConfigException("key: required");
            }
            Templates.check(key, msg -> new ConfigException("key: " + msg));
            if (value != null) {
                Templates.check(value, msg -> new ConfigException("value: " + msg));
            }
            if (command == Command.SET && value == null) {
                throw new ConfigException("value: required for set");
            }
            if (command == Command.EXPIRE && ttl == null) {
                throw new ConfigException("ttl: required for expire");
            }
        }
    }

    /** Stops the run early (it still succeeds) when the condition is false. */
    record Filter(Condition condition) implements StepConfig {
        public Duration timeout() {
            return Duration.ofSeconds(1);
        }
    }
}
