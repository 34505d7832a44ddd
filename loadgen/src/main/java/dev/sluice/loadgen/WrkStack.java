package dev.sluice.loadgen;

import dev.sluice.core.Topics;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

/** A broker and {@link LeanRouter} in a child JVM on this jar's classpath. */
final class LeanStack implements WrkStack {
    private final KafkaBroker kafka;
    private final Process lean;
    private final int port;

    private LeanStack(KafkaBroker kafka, Process lean, int port) {
        this.kafka = kafka;
        this.lean = lean;
        this.port = port;
    }

    static LeanStack start(String childJavaOpts, Path out) throws IOException {
        KafkaBroker kafka = KafkaBroker.start();
        try {
            kafka.createTopic("sluice.demo", 6, Topics.liveRetention(Duration.ofSeconds(20)));
            int port = Ports.freePort();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            if (childJavaOpts != null) {
                cmd.addAll(List.of(childJavaOpts.trim().split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LeanRouter.class.getName(), kafka.bootstrapServers(),
                    Integer.toString(port), "sluice.demo"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("lean-router.log").toFile())).start();
            LeanStack s = new LeanStack(kafka, p, port);
            s.awaitListening();
            return s;
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    private void awaitListening() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            if (!lean.isAlive()) {
                throw new IllegalStateException("the lean router exited with " + lean.exitValue() + "; see lean-router.log");
            }
            try {
                new java.net.Socket("127.0.0.1", port).close();
                return;
            } catch (IOException e) {
                SelfStack.pause(200);
            }
        }
        throw new IllegalStateException("the lean router did not listen within 60 s");
    }

    @Override
    public String ingestUrl() {
        return "http://127.0.0.1:" + port + "/";
    }

    @Override
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public List<ProcessHandle> processes() {
        List<ProcessHandle> out = new ArrayList<>(List.of(lean.toHandle()));
        ProcessHandle.current().children().filter(h -> ProcessCpu.name(h).equals("kafka broker")).forEach(out::add);
        return out;
    }

    @Override
    public List<ProcessHandle> profiledJvms() {
        return List.of(lean.toHandle());
    }

    @Override
    public void close() {
        lean.destroy();
        try {
            if (!lean.waitFor(10, TimeUnit.SECONDS)) {
                lean.destroyForcibly();
            }
        } catch (InterruptedException e) {
            lean.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        kafka.close();
    }
}
