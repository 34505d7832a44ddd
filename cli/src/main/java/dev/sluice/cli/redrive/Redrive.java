package dev.sluice.cli.redrive;

import dev.sluice.core.Condition;
import dev.sluice.core.Deadlines;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One re-drive: reads {@code <topic>.dlq} or {@code <topic>.expired} from the start (or from
 * {@code since} ago) up to its end as it was when the re-drive began, and re-publishes each matching
 * event to {@code <topic>} with a fresh ingest time and deadline (the same TTL it had) and a
 * {@code redriven-from} header, at most once per original event ({@link RedriveMarks}).
 *
 * <p>A record is skipped, and counted by reason, when it carries no event (a dead-span summary) or
 * when its original deadline has not passed yet: until then the executors' run claims for that event
 * stand, so a copy with the same id would be skipped as a duplicate run; re-drive it once the
 * deadline has passed; and when another re-drive marked it but never recorded where it landed (one
 * running now, or one that stopped half-way): publishing it again could make a second copy. A dry
 * run reads and counts, and writes nothing.
 */
record Redrive(
        Options options,
        Consumer<byte[], byte[]> consumer,
        Producer<byte[], byte[]> producer,
        RedriveMarks marks,
        PrintStream progress) {

    /** What to re-drive. {@code since} empty: the whole topic. */
    record Options(String from, Optional<Duration> since, Condition filter, boolean dryRun) {

        /** The live topic a dead-letter or expired topic belongs to. */
        String origin() {
            for (String suffix : new String[] {".dlq", ".expired"}) {
                if (from.endsWith(suffix) && from.length() > suffix.length()) {
                    return from.substring(0, from.length() - suffix.length());
                }
            }
            throw new IllegalArgumentException("--from must name a <topic>.dlq or <topic>.expired topic, got " + from);
        }
    }

    /** The figures a re-drive prints. {@code redriven} counts what a dry run would re-drive. */
    static final class Counts {
        long total;
        long scanned;
        long matched;
        long redriven;
        long already;
        long failed;
        final Map<String, Long> skipped = new TreeMap<>();

        long skippedTotal() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }

        void skip(String reason) {
            skipped.merge(reason, 1L, Long::sum);
        }
    }

    /** Why an original marked by a re-drive that never recorded its publication is skipped, and what to do. */
    static final String UNFINISHED =
            "marked by another re-drive that has not recorded where the event landed (running now, or"
                    + " stopped half-way: the event may or may not be on the topic); check, then delete its row in sluice_redrives to re-drive it";

    private static final Duration POLL = Duration.ofMillis(500);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    Counts run() {
        String origin = options.origin();
        List<PartitionInfo> infos = consumer.partitionsFor(options.from(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("no topic " + options.from());
        }
        List<TopicPartition> partitions = infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long now = System.currentTimeMillis();
        long notBefore = options.since().map(s -> now - s.toMillis()).orElse(Long.MIN_VALUE);
        Map<TopicPartition, Long> start = start(partitions, end, notBefore);
        start.forEach(consumer::seek);
        Counts counts = new Counts();
        partitions.forEach(tp -> counts.total += Math.max(0, end.get(tp) - start.get(tp)));
        long lastProgress = System.nanoTime();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            List<Sent> sent = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    counts.scanned++;
                    consider(new DeadRecord(r), origin, notBefore, counts, sent);
                }
            }
            settle(sent, counts);
            if (System.nanoTime() - lastProgress >= PROGRESS_EVERY_NANOS) {
                lastProgress = System.nanoTime();
                progress.println(progressLine(counts));
            }
        }
        return counts;
    }

    /** Where each partition's scan starts: its beginning, or the first record that may have been decided since {@code notBefore}. */
    private Map<TopicPartition, Long> start(
            List<TopicPartition> partitions, Map<TopicPartition, Long> end, long notBefore) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
        if (notBefore == Long.MIN_VALUE) {
            return begin;
        }
        // A record's timestamp is its event's ingest time; it was decided at most one TTL (≤ 300 s) later.
        long from = Math.max(0, notBefore - Deadlines.MAX_TTL.toMillis());
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? end.get(tp) : Math.max(begin.get(tp), o.offset()));
        }
        return out;
    }

    private record Sent(String origin, Future<RecordMetadata> ack) {}

    private void consider(DeadRecord r, String origin, long notBefore, Counts counts, List<Sent> sent) {
        if (r.decidedAt() < notBefore) {
            return;
        }
        if (!r.isEvent()) {
            counts.skip("not an event (a dead-span summary or a foreign record)");
            return;
        }
        if (!options.filter().test(r)) {
            return;
        }
        counts.matched++;
        long now = System.currentTimeMillis();
        if (r.originalDeadline() > now) {
            counts.skip("original deadline not passed yet (its run claims stand until then; re-drive after "
                    + Instant.ofEpochMilli(r.originalDeadline()) + ")");
            return;
        }
        if (options.dryRun()) {
            if (marks.marked(r.origin())) {
                counts.already++;
            } else {
                counts.redriven++;
            }
            return;
        }
        switch (marks.claim(r.origin(), r.position())) {
            case PUBLISHED -> counts.already++;
            case UNFINISHED -> counts.skip(UNFINISHED);
            case CLAIMED -> sent.add(new Sent(r.origin(), producer.send(r.republish(origin, now))));
        }
    }

    private void settle(List<Sent> sent, Counts counts) {
        if (sent.isEmpty()) {
            return;
        }
        producer.flush();
        for (Sent s : sent) {
            try {
                RecordMetadata md = s.ack().get(60, TimeUnit.SECONDS);
                marks.published(s.origin(), md.topic() + "/" + md.partition() + "/" + md.offset());
                counts.redriven++;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                marks.release(s.origin());
                counts.failed++;
                progress.println("redrive: " + s.origin() + " not re-published: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    static String progressLine(Counts c) {
        long pct = c.total == 0 ? 100 : Math.min(100, c.scanned * 100 / c.total);
        return "redrive: scanned " + c.scanned + " of " + c.total + " (" + pct + "%), matched " + c.matched
                + ", re-driven " + c.redriven + ", already re-driven " + c.already + ", skipped " + c.skippedTotal();
    }
}
