package dev.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice bench mqtt}: {@code run} over MQTT. The same open-loop generator, reports
 * ({@code ack.hgrm}, {@code latency.hlog}, {@code summary.json}, {@code report.html}) and flags as
 * an HTTP run, so {@code compare} and {@code gate} read them alike; this command only speaks
 * MQTT's names: {@code --target tcp://host:port} is {@code --mqtt}, {@code --password} the API key.
 * Publishers spread over {@code --loops} event loops, {@code --connections} devices in all.
 */
public final class MqttLoad {

    /** Where {@code sluice bench mqtt} publishes without {@code --target}: a local broker or router on 1883. */
    static final String DEFAULT_BROKER = "tcp://127.0.0.1:1883";

    private MqttLoad() {}

    /** The {@code run} arguments for {@code sluice bench mqtt}'s. */
    public static List<String> runArgs(List<String> args) {
        List<String> out = new ArrayList<>();
        boolean broker = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (name) {
                case "--target", "--mqtt" -> {
                    out.add("--mqtt");
                    out.add(inline != null ? inline : value(args, ++i, name));
                    broker = true;
                }
                case "--password" -> {
                    out.add("--api-key");
                    out.add(inline != null ? inline : value(args, ++i, name));
                }
                default -> out.add(a);
            }
        }
        if (!broker) {
            out.add("--mqtt");
            out.add(args.contains("--self") ? "self" : DEFAULT_BROKER);
        }
        return out;
    }

    /** Whether {@code gate}'s arguments name a broker of somebody else's ({@code --mqtt tcp://…}), so no stack is started. */
    public static boolean external(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--mqtt=tcp://")
                    || a.equals("--mqtt")
                            && i + 1 < args.size()
                            && args.get(i + 1).startsWith("tcp://")) {
                return true;
            }
        }
        return false;
    }

    private static String value(List<String> args, int i, String name) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(i);
    }
}
