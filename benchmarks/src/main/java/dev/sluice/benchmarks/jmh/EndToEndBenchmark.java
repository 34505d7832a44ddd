package dev.sluice.benchmarks.jmh;

import dev.sluice.core.EventIds;
import dev.sluice.loadgen.InProcessStack;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One event through the whole path, one at a time: HTTP POST to the router → Kafka (a real
 * broker, acks=all) → executor → the workflow's http step, which posts to a receiver in this JVM.
 * An invocation ends when the receiver has the event, so the sampled time is POST → execution
 * start as the client sees it, with nothing else in flight (a latency floor, not a throughput
 * figure; for load use {@code sluice bench run --e2e}). The receiver also records ingest → start
 * (its arrival time minus the {@code ce-time} the router stamped) into an HdrHistogram, and the
 * tear-down prints its percentiles with a verdict against the 2 s budget.
 *
 * <p>The client supplies each event's {@code ce-id}, so the receiver's promise exists before the
 * POST leaves and the arrival can never race the 202.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Benchmark)
public class EndToEndBenchmark {

    private static final long BUDGET_MS = 2000;

    private Vertx vertx;
    private HttpServer receiver;
    private HttpClient client;
    private InProcessStack stack;
    private RequestOptions post;
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final Recorder ingestToStart = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final Buffer payload = Buffer.buffer("{\"device\":{\"id\":\"d-1\"},\"reading\":21.5}");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        receiver = vertx.createHttpServer()
                .requestHandler(req -> {
                    long arrival = System.currentTimeMillis();
                    String id = req.getHeader("ce-id");
                    String time = req.getHeader("ce-time");
                    req.body().onComplete(b -> {
                        req.response().setStatusCode(200).end();
                        if (time != null) {
                            ingestToStart.recordValue(
                                    Math.max(0, arrival - Instant.parse(time).toEpochMilli()));
                        }
                        CompletableFuture<Void> f = id == null ? null : waiting.remove(id);
                        if (f != null) {
                            f.complete(null);
                        }
                    });
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        stack = InProcessStack.start("http://127.0.0.1:" + receiver.actualPort() + "/hook", Duration.ofSeconds(20), 6);
        URI uri = URI.create(stack.ingestUrl());
        client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(1));
        post = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(uri.getHost())
                .setPort(uri.getPort())
                .setURI(uri.getRawPath())
                .putHeader("content-type", "application/json");
    }

    @Benchmark
    public int postUntilExecuted() throws Exception {
        String id = EventIds.nextString(System.currentTimeMillis());
        CompletableFuture<Void> executed = new CompletableFuture<>();
        waiting.put(id, executed);
        int status = client.request(new RequestOptions(post).putHeader("ce-id", id))
                .compose(req -> req.send(payload))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        if (status != 202) {
            waiting.remove(id);
            throw new IllegalStateException("router answered " + status);
        }
        executed.get(10, TimeUnit.SECONDS);
        return status;
    }

    /** Keeps the measurement iterations' ingest → start samples; drops the warmup's. */
    @TearDown(Level.Iteration)
    public void collect(IterationParams iteration) {
        Histogram interval = ingestToStart.getIntervalHistogram();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            total.add(interval);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        double p999 = total.getValueAtPercentile(99.9);
        System.out.printf(
                Locale.ROOT,
                "%ningest → start (ms, measurement iterations, %d events): p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n",
                total.getTotalCount(),
                total.getValueAtPercentile(50),
                total.getValueAtPercentile(90),
                total.getValueAtPercentile(99),
                (long) p999,
                total.getMaxValue());
        System.out.printf(
                Locale.ROOT,
                "budget verdict: p99.9 %d ms %s the %d ms budget -> %s%n",
                (long) p999,
                p999 <= BUDGET_MS ? "within" : "OVER",
                BUDGET_MS,
                p999 <= BUDGET_MS ? "PASS" : "FAIL");
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        stack.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
