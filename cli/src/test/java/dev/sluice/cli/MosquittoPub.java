package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@code mosquitto_pub} command line as {@code ./sluice dev} prints it. Where
 * mosquitto-clients is not installed, the same publish (host, port, QoS, topic and message read
 * from that line) goes through Paho's MQTT 3.1.1 client instead, and the test says so.
 */
final class MosquittoPub {

    private static final Pattern LINE =
            Pattern.compile("mosquitto_pub -h (\\S+) -p (\\d+) -V mqttv5 -q ([012]) -t (\\S+) -m '([^']*)'");

    private MosquittoPub() {}

    static void publish(String commandLine) throws Exception {
        Matcher m = LINE.matcher(commandLine);
        assertTrue(
                m.matches(),
                "the banner's command is mosquitto_pub -h H -p P -V mqttv5 -q Q -t T -m 'M': " + commandLine);
        if (installed()) {
            Process p = new ProcessBuilder("sh", "-c", commandLine + " -d")
                    .redirectErrorStream(true)
                    .start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mosquitto_pub did not finish: " + commandLine);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            if (Integer.parseInt(m.group(3)) == 1) {
                // -d prints the packets: a PUBACK without a failure reason means the event is in Kafka.
                assertTrue(out.contains("received PUBACK") && !out.contains("failed"), out);
            }
            return;
        }
        System.out.println(
                "mosquitto_pub is not installed here: the banner's publish goes through Paho (MQTT 3.1.1) instead");
        org.eclipse.paho.client.mqttv3.MqttClient device = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://" + m.group(1) + ":" + m.group(2),
                "banner-example",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        device.connect();
        org.eclipse.paho.client.mqttv3.MqttMessage msg =
                new org.eclipse.paho.client.mqttv3.MqttMessage(m.group(5).getBytes(StandardCharsets.UTF_8));
        msg.setQos(Integer.parseInt(m.group(3)));
        device.publish(m.group(4), msg);
        device.disconnect();
        device.close();
    }

    private static boolean installed() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mosquitto_pub"))) {
                return true;
            }
        }
        return false;
    }
}
