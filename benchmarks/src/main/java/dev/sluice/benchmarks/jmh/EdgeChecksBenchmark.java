package dev.sluice.benchmarks.jmh;

import dev.sluice.core.Catalog;
import dev.sluice.core.Condition;
import dev.sluice.core.SignatureConfig;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.JsonEvents;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event checks at the edges, each alone: parsing a structured CloudEvent and a 100-line
 * NDJSON batch (router), verifying a webhook signature in each supported scheme (router), and
 * evaluating a workflow filter on attributes only and on the payload through a JSON pointer
 * (executor; the pointer case includes parsing the payload, as the executor parses it once per event).
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class EdgeChecksBenchmark extends NanoBenchmark {

    private static final String SECRET = "whsec_"
            + Base64.getEncoder()
                    .encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    /** The signature benchmark's own state, so only it runs once per scheme. */
    @State(Scope.Thread)
    public static class Signed {
        @Param({"sluice", "stripe", "github", "standard-webhooks"})
        public String scheme;

        SignatureVerifier verifier;
        Map<String, String> headers;
        byte[] body;
        long now;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            body = EVENT_DATA.getBytes(StandardCharsets.UTF_8);
            now = System.currentTimeMillis();
            verifier = new SignatureVerifier(new SignatureConfig(scheme, List.of(SECRET), Duration.ofMinutes(5)));
            headers = sign(scheme, body, now / 1000);
            verifier.verify(headers::get, body, now); // refuses at setup if the vector is wrong
        }
    }

    private static final String EVENT_DATA =
            "{\"device\":{\"id\":\"d-17\",\"fw\":\"4.2.1\"},\"reading\":{\"temp\":21.5,\"unit\":\"C\"},\"seq\":991}";

    private byte[] cloudEvent;
    private byte[] ndjson100;
    private byte[] payload;
    private Condition attributeFilter;
    private Condition pointerFilter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String data = EVENT_DATA;
        payload = data.getBytes(StandardCharsets.UTF_8);
        cloudEvent =
                ("{\"specversion\":\"1.0\",\"id\":\"9f1c2a0e-6b1d-4c1e-9a52-0c0f1d2e3f40\",\"source\":\"/fleet/eu-1\","
                                + "\"type\":\"com.example.telemetry.reading\",\"subject\":\"d-17\",\"time\":\"2026-11-28T01:00:00Z\","
                                + "\"datacontenttype\":\"application/json\",\"data\":" + data + "}")
                        .getBytes(StandardCharsets.UTF_8);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append(data).append('\n');
        }
        ndjson100 = lines.toString().getBytes(StandardCharsets.UTF_8);

        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "fleet"}],
                 "workflows": [
                  {"name": "attrs", "sources": ["fleet"], "steps": [{"url": "http://127.0.0.1:1/x"}],
                   "filter": {"all": [{"prefix": {"type": "com.example.telemetry."}}, {"exact": {"subject": "d-17"}}]}},
                  {"name": "pointer", "sources": ["fleet"], "steps": [{"url": "http://127.0.0.1:1/x"}],
                   "filter": {"pointer": "/reading/temp", "gt": 20}}]}
                """));
        attributeFilter = catalog.workflows().get(0).filter();
        pointerFilter = catalog.workflows().get(1).filter();
        if (!attributeFilter.test(event()) || !pointerFilter.test(event())) {
            throw new IllegalStateException("the filters must match the benchmark's event");
        }
    }

    /** The headers a sender in {@code scheme} would attach, computed here independently of the verifier. */
    static Map<String, String> sign(String scheme, byte[] body, long unixSeconds) throws Exception {
        boolean standard = scheme.equals("standard-webhooks");
        byte[] key = standard
                ? Base64.getDecoder().decode(SECRET.substring("whsec_".length()))
                : SECRET.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        Map<String, String> h = new HashMap<>();
        switch (scheme) {
            case "sluice", "stripe" -> {
                mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
                String sig = HexFormat.of().formatHex(mac.doFinal(body));
                h.put(
                        scheme.equals("sluice") ? "sluice-signature" : "stripe-signature",
                        "t=" + unixSeconds + ",v1=" + sig);
            }
            case "github" ->
                h.put("x-hub-signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
            default -> {
                String id = "msg_2Lh9bVZ3";
                mac.update((id + "." + unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
                h.put("webhook-id", id);
                h.put("webhook-timestamp", Long.toString(unixSeconds));
                h.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
            }
        }
        return h;
    }

    @Benchmark
    public Draft parseStructuredCloudEvent() throws BadInput {
        return JsonEvents.cloudEvent(cloudEvent);
    }

    /** One op is the whole batch of 100: divide by 100 for the cost per event. */
    @Benchmark
    public List<Parsed> parseNdjsonBatchOf100() {
        return JsonEvents.ndjson(ndjson100);
    }

    @Benchmark
    public boolean verifySignature(Signed s) {
        try {
            s.verifier.verify(s.headers::get, s.body, s.now);
            return true;
        } catch (SignatureVerifier.Refused e) {
            return false;
        }
    }

    @Benchmark
    public boolean filterOnAttributes() {
        return attributeFilter.test(event());
    }

    @Benchmark
    public boolean filterOnPayloadPointer() {
        return pointerFilter.test(event());
    }

    private Condition.Event event() {
        byte[] body = payload;
        return new Condition.Event() {
            private Object json;

            @Override
            public String attribute(String name) {
                return switch (name) {
                    case "type" -> "com.example.telemetry.reading";
                    case "subject" -> "d-17";
                    case "source" -> "/fleet/eu-1";
                    default -> null;
                };
            }

            @Override
            public Object json() {
                if (json == null) {
                    json = Json.decodeValue(Buffer.buffer(body));
                }
                return json;
            }
        };
    }
}
