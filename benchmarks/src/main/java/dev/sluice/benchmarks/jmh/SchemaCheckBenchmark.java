package dev.sluice.benchmarks.jmh;

import dev.sluice.core.PayloadSchema;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.SchemaCheck;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a route's JSON Schema costs per event: a typical 1 KiB telemetry payload (ten fields, mostly
 * text) checked against its schema (types, ranges, a pattern, an enum, a nested object), including
 * the parse of the payload the check needs; the same payload failing two rules; and a 1 KiB
 * payload that is mostly a 100-number array (every element checked).
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SchemaCheckBenchmark extends NanoBenchmark {

    static final String SCHEMA = """
            {"type": "object", "required": ["device", "site", "ts", "temperature", "humidity"],
             "properties": {
               "device": {"type": "string", "pattern": "^[a-z]+-[0-9]+$"},
               "site": {"type": "string", "minLength": 1, "maxLength": 64},
               "ts": {"type": "integer", "minimum": 0},
               "temperature": {"type": "number", "minimum": -40, "maximum": 85},
               "humidity": {"type": "number", "minimum": 0, "maximum": 100},
               "status": {"enum": ["ok", "warn", "fault"]},
               "battery": {"type": "number", "minimum": 0, "maximum": 1},
               "firmware": {"type": "string"},
               "note": {"type": "string", "maxLength": 2000},
               "location": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
               "readings": {"type": "array", "items": {"type": "number"}, "maxItems": 200}}}
            """;

    private SchemaCheck check;
    private byte[] valid;
    private byte[] invalid;
    private byte[] withArray;

    @Setup(Level.Trial)
    public void setup() {
        check = SchemaCheck.compile("bench", new PayloadSchema(SCHEMA));
        // Ten fields, about 1 KiB: the bulk is text, as in most telemetry and webhook payloads.
        String body =
                "{\"device\":\"pump-7\",\"site\":\"plant-3\",\"ts\":1790000000123,\"temperature\":21.5,\"humidity\":40.25,"
                        + "\"status\":\"ok\",\"battery\":0.82,\"firmware\":\"4.2.1\",\"location\":{\"lat\":48.85,\"lon\":2.35},"
                        + "\"note\":\"" + "calibrated after the spring service; ".repeat(22) + "\"}";
        valid = body.getBytes(StandardCharsets.UTF_8);
        invalid = body.replace("\"temperature\":21.5", "\"temperature\":121.5")
                .replace("\"status\":\"ok\"", "\"status\":\"?\"")
                .getBytes(StandardCharsets.UTF_8);
        // The same size, most of it a 100-number array: every element is checked against its item schema.
        StringBuilder readings = new StringBuilder();
        while (readings.length() < 760) {
            readings.append(readings.length() == 0 ? "" : ",").append(20.125 + readings.length() % 7);
        }
        withArray = body.substring(0, body.indexOf(",\"note\""))
                .concat(",\"readings\":[" + readings + "]}")
                .getBytes(StandardCharsets.UTF_8);
        if (check.violations(valid).isPresent()
                || check.violations(invalid).isEmpty()
                || check.violations(withArray).isPresent()) {
            throw new IllegalStateException("the benchmark's payloads do not behave as intended");
        }
    }

    @Benchmark
    public Optional<BadInput> validPayload() {
        return check.violations(valid);
    }

    @Benchmark
    public Optional<BadInput> validPayloadMostlyANumberArray() {
        return check.violations(withArray);
    }

    @Benchmark
    public Optional<BadInput> payloadBreakingTwoRules() {
        return check.violations(invalid);
    }
}
