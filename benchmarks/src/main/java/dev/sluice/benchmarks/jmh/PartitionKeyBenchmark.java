package dev.sluice.benchmarks.jmh;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.pointer.JsonPointer;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Partition-key extraction for the router's keyed routes. The router's own method
 * ({@code IngestHandler.key}) is package-private and takes a live request, so this benchmark
 * repeats its steps on the same Vert.x types: a header route reads one header of a request's
 * {@link MultiMap}; a JSON-pointer route decodes the whole body with {@code Json.decodeValue} and
 * queries it with a {@link JsonPointer} parsed per request, exactly as the router does today. The
 * {@code pointerPrecompiled} variant parses the pointer once per route, to show what that saves.
 */
public class PartitionKeyBenchmark extends NanoBenchmark {

    @Param({"200", "1024", "16384"})
    public int payloadBytes;

    private MultiMap headers;
    private Buffer body;
    private JsonPointer pointer;

    @Setup(Level.Trial)
    public void setUp() {
        headers = HttpHeaders.headers()
                .add("host", "127.0.0.1:8080")
                .add("content-type", "application/json")
                .add("content-length", Integer.toString(payloadBytes))
                .add("user-agent", "sluice-bench")
                .add("x-device-id", "device-4711")
                .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        StringBuilder json =
                new StringBuilder("{\"device\":{\"id\":\"device-4711\",\"model\":\"t1000\"},\"readings\":[");
        int i = 0;
        while (json.length() < payloadBytes - 40) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"t\":")
                    .append(1_750_000_000 + i)
                    .append(",\"v\":")
                    .append(i % 97)
                    .append('}');
            i++;
        }
        json.append("]}");
        body = Buffer.buffer(json.toString());
        pointer = JsonPointer.from("/device/id");
    }

    @Benchmark
    public byte[] header() {
        String v = headers.get("X-Device-Id");
        return v.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] pointerAsRouterDoes() {
        Object v = JsonPointer.from("/device/id").queryJson(Json.decodeValue(body));
        return String.valueOf(v).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] pointerPrecompiled() {
        Object v = pointer.queryJson(Json.decodeValue(body));
        return String.valueOf(v).getBytes(StandardCharsets.UTF_8);
    }
}
