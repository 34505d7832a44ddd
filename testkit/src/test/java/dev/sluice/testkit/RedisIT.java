package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A redis-server of its own, spoken to in raw RESP over a socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisIT {

    @Test
    void answersPingSetGetAndComesBackEmptyAfterRestart() throws Exception {
        try (Redis redis = Redis.startLocal()) {
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
            assertTrue(
                    Files.isExecutable(redis.executable()), redis.executable().toString());

            assertEquals("+PONG", command(redis.port(), "PING"));
            assertEquals("+OK", command(redis.port(), "SET", "sluice:key", "välue with spaces"));
            assertEquals("välue with spaces", command(redis.port(), "GET", "sluice:key"));
            assertTrue(command(redis.port(), "INFO", "server").contains("redis_version:"));

            redis.stop();

            assertFalse(redis.isRunning());
            assertThrows(ConnectException.class, () -> command(redis.port(), "PING"));

            redis.restart();

            assertEquals("+PONG", command(redis.port(), "PING"));
            assertEquals("(nil)", command(redis.port(), "GET", "sluice:key"), "nothing is persisted");
        }
    }

    /** Sends one RESP command and returns a simple reply as "+OK"/"-ERR ..." or a bulk string's text. */
    static String command(int port, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(5_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                request.writeBytes(bytes);
                request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            String first = readLine(in);
            if (first.startsWith("$")) {
                int length = Integer.parseInt(first.substring(1));
                if (length < 0) {
                    return "(nil)";
                }
                byte[] body = in.readNBytes(length + 2);
                return new String(body, 0, length, StandardCharsets.UTF_8);
            }
            return first;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\r') {
                in.read();
                break;
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
