package dev.sluice.benchmarks.jmh;

import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.http.AcceptedBody;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's request → record path without the network: what {@code IngestHandler.produce}
 * does for a request of the demo route (keyed by event id) once the body is read — read the
 * clock, mint a UUIDv7, copy the body, build the {@link IngestedEvent}, map it with
 * {@link EventRecords#toRecord}, and hand the record to a producer. The producer is Kafka's
 * {@link MockProducer} with auto-complete (it partitions by key hash as Kafka's default
 * partitioner does, serializes, and acks at once), so Kafka's client-side work is partly in
 * (no batching, no I/O thread) and the broker is out. {@code withAckBody} adds the 202
 * body the router renders when the ack arrives.
 *
 * <p>Five warmup iterations, not two: this call tree takes ~10 s of C2 compilation on two cores
 * to reach its steady state (34 µs/op cold, under 1 µs warm).
 */
@Warmup(iterations = 5, time = 2)
public class IngestPathBenchmark extends NanoBenchmark {

    private static final int CLEAR_EVERY = 4096;

    @Param({"200", "1024", "16384"})
    public int payloadBytes;

    private RouteConfig route;
    private Buffer body;
    private MockProducer<byte[], byte[]> producer;
    private int sinceClear;

    @Setup(Level.Trial)
    public void setUp() {
        route = RouteConfig.defaults("demo");
        byte[] payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
        body = Buffer.buffer(payload);
        Node node = new Node(0, "127.0.0.1", 9092);
        List<PartitionInfo> partitions = new java.util.ArrayList<>();
        for (int p = 0; p < route.partitions(); p++) {
            partitions.add(new PartitionInfo(route.topic(), p, node, new Node[] {node}, new Node[] {node}));
        }
        Cluster cluster = new Cluster("bench", List.of(node), partitions, java.util.Set.of(), java.util.Set.of());
        producer = new MockProducer<>(
                cluster, true, new KeyHashPartitioner(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Benchmark
    public Future<RecordMetadata> requestToRecord() {
        return send(event());
    }

    @Benchmark
    public String withAckBody() {
        IngestedEvent e = event();
        send(e);
        return AcceptedBody.of(e.id(), e.deadlineMillis());
    }

    private IngestedEvent event() {
        long now = System.currentTimeMillis();
        long deadline = now + route.ttl().toMillis();
        String id = EventIds.nextString(now);
        byte[] payload = body.getBytes();
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        return new IngestedEvent(
                id,
                "/sources/" + route.source(),
                route.eventType(),
                null,
                null,
                "application/json",
                null,
                null,
                route.tenant(),
                route.source(),
                now,
                deadline,
                key,
                payload,
                null);
    }

    /** What Kafka's default partitioner does with a keyed record: murmur2 of the key, modulo the partitions. */
    public static final class KeyHashPartitioner implements Partitioner {
        @Override
        public int partition(
                String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            return Utils.toPositive(Utils.murmur2(keyBytes)) % cluster.partitionCountForTopic(topic);
        }

        @Override
        public void configure(Map<String, ?> configs) {
            // nothing to configure
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    private Future<RecordMetadata> send(IngestedEvent e) {
        ProducerRecord<byte[], byte[]> record = EventRecords.toRecord(route.topic(), e);
        Future<RecordMetadata> f = producer.send(record, (md, err) -> {});
        if (++sinceClear == CLEAR_EVERY) {
            // MockProducer keeps every record it was given; drop them so the heap stays flat.
            producer.clear();
            sinceClear = 0;
        }
        return f;
    }
}
