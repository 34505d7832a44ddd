package dev.sluice.loadgen;

import dev.sluice.core.Topics;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What {@code sluice bench wrk} drives: Sluice's router (the split stack) or the lean yardstick, each with its own broker. */
interface WrkStack extends AutoCloseable {

    String ingestUrl();

    String bootstrapServers();

    /** Every process whose CPU counts (the broker included). */
    List<ProcessHandle> processes();

    /** The JVMs whose JIT compilers priming waits for. */
    List<ProcessHandle> profiledJvms();

    @Override
    void close();

    static WrkStack of(SplitStack s) {
        return new WrkStack() {
            @Override
            public String ingestUrl() {
                return s.ingestUrl();
            }

            @Override
            public String bootstrapServers() {
                return s.bootstrapServers();
            }

            @Override
            public List<ProcessHandle> processes() {
                return s.processes();
            }

            @Override
            public List<ProcessHandle> profiledJvms() {
                return s.profiledJvms();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** A broker and the lean yardstick ({@link LeanRouter}) in a child JVM. */
    static WrkStack lean(String childJavaOpts, Path out) throws IOException {
        return LeanStack.start(childJavaOpts, out);
    }
}

/** A broker and {@link LeanRouter} in a child JVM on this jar's classpath, listening on {@code port}. */
record LeanStack(KafkaBroker kafka, Process lean, int port) implements WrkStack {

    static LeanStack start(String childJavaOpts, Path out) throws IOException {
        KafkaBroker kafka = KafkaBroker.start();
        try {
            // The topic only: the lean yardstick produces and nothing consumes, expires or dead-letters.
            kafka.createTopic("sluice.demo", 6, Topics.liveRetention(Duration.ofSeconds(20)));
            int port = Ports.freePort();
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            if (childJavaOpts != null) {
                cmd.addAll(List.of(childJavaOpts.trim().split("\\s+")));
            }
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    LeanRouter.class.getName(),
                    kafka.bootstrapServers(),
                    Integer.toString(port),
                    "sluice.demo"));
            Process p = StackLauncher.start(new ProcessBuilder(cmd), out.resolve("lean-router.log"));
            LeanStack s = new LeanStack(kafka, p, port);
            s.awaitListening();
            return s;
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    private void awaitListening() {
        StackLauncher.awaitReady(
                Duration.ofSeconds(60),
                Duration.ofMillis(200),
                StackLauncher.noneExited(
                        List.of(lean), exit -> "the lean router exited with " + exit + "; see lean-router.log"),
                () -> StackLauncher.listening(port),
                () -> "the lean router did not listen within 60 s");
    }

    @Override
    public String ingestUrl() {
        return "http://" + StackLauncher.HOST + ":" + port + "/";
    }

    @Override
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public List<ProcessHandle> processes() {
        List<ProcessHandle> out = new ArrayList<>(List.of(lean.toHandle()));
        out.addAll(StackLauncher.childrenNamed(Set.of("kafka broker")));
        return out;
    }

    @Override
    public List<ProcessHandle> profiledJvms() {
        return List.of(lean.toHandle());
    }

    @Override
    public void close() {
        StackLauncher.stop(List.of(lean), Duration.ofSeconds(10));
        kafka.close();
    }
}
