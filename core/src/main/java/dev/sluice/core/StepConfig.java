package dev.sluice.core;

import java.time.Duration;
import java.util.Map;

/** One step of a workflow. */
public sealed interface StepConfig {

    /** The longest this step may take; the executor further cuts it to the event's remaining time. */
    Duration timeout();

    /**
     * Calls a URL with the event's payload as the body (the payload's content type is kept), plus
     * fixed headers. Success is a 2xx status.
     */
    record Http(String url, String method, Duration timeout, Map<String, String> headers) implements StepConfig {
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
}
