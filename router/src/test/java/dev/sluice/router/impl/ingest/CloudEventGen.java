package dev.sluice.router.impl.ingest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Valid structured CloudEvents in JSON, written as a sender might (members in any order, strings
 * escaped at random, optional attributes absent or null, data as JSON, text or base64), each with
 * the draft that parsing it must yield.
 */
final class CloudEventGen {

    private CloudEventGen() {}

    /** How an event carries its data. */
    enum DataForm {
        NONE,
        NULL,
        JSON,
        TEXT,
        BASE64
    }

    /** A valid structured event, and what parsing it must yield. */
    record Event(String json, Draft expected) {}

    static Arbitrary<Event> events() {
        Arbitrary<String> value = Gen.legalText(1, 200);
        Arbitrary<String> optional = value.injectNull(0.4);
        Arbitrary<String> time = Gen.rfc3339().injectNull(0.4);
        Arbitrary<String> mediaType = Arbitraries.of(
                        "application/json",
                        "text/plain",
                        "application/octet-stream",
                        "application/vnd.x+json; charset=utf-8",
                        "TEXT/JSON",
                        "application/xml")
                .injectNull(0.3);
        Arbitrary<Map<String, String>> ext = Combinators.combine(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withCharRange('0', '9')
                                .ofMinLength(1)
                                .ofMaxLength(64)
                                .filter(n -> !List.of(
                                                "specversion",
                                                "id",
                                                "source",
                                                "type",
                                                "subject",
                                                "time",
                                                "datacontenttype",
                                                "dataschema",
                                                "data",
                                                "data_base64")
                                        .contains(n)),
                        Arbitraries.oneOf(Gen.jsonStrings(value), Gen.jsonInteger(), Arbitraries.of("true", "false")))
                .as(Map::entry)
                .list()
                .ofMaxSize(4)
                .map(es -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    es.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                });
        Arbitrary<DataForm> form = Arbitraries.of(DataForm.class);
        Arbitrary<String> idText = Gen.legalText(1, CloudEventRules.MAX_ID_CHARS);
        Arbitrary<List<String>> attrs = Combinators.combine(
                        List.of(idText, value, value, optional, time, mediaType, optional))
                .as(l -> l);
        return Combinators.combine(
                        attrs,
                        ext,
                        form,
                        Gen.json(true),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                        Gen.legalText(0, 100),
                        Arbitraries.randoms())
                .as(CloudEventGen::event)
                .withoutEdgeCases();
    }

    /** Writes the event's members in random order, each string escaped at random. */
    private static Event event(
            List<String> attrs,
            Map<String, String> ext,
            DataForm form,
            String dataJson,
            byte[] bytes,
            String text,
            Random r) {
        String id = attrs.get(0);
        String source = attrs.get(1);
        String type = attrs.get(2);
        String subject = attrs.get(3);
        String time = attrs.get(4);
        String dct = attrs.get(5);
        String dataschema = attrs.get(6);
        if (form == DataForm.TEXT) {
            dct = "text/plain";
        }
        List<String> members = new ArrayList<>();
        members.add("\"specversion\":" + str("1.0", r));
        members.add("\"id\":" + str(id, r));
        members.add("\"source\":" + str(source, r));
        members.add("\"type\":" + str(type, r));
        for (String[] opt : new String[][] {
            {"subject", subject}, {"time", time}, {"datacontenttype", dct}, {"dataschema", dataschema}
        }) {
            if (opt[1] != null) {
                members.add("\"" + opt[0] + "\":" + str(opt[1], r));
            } else if (r.nextInt(4) == 0) {
                members.add("\"" + opt[0] + "\":null");
            }
        }
        Map<String, String> expectedExt = new LinkedHashMap<>();
        ext.forEach((k, v) -> {
            members.add("\"" + k + "\"" + space(r) + ":" + space(r) + v);
            expectedExt.put(k, v.startsWith("\"") ? unquote(v) : v);
        });
        if (dataschema != null) {
            expectedExt.put("dataschema", dataschema);
        }
        byte[] payload = new byte[0];
        String contentType = dct;
        switch (form) {
            case NONE -> {}
            case NULL -> members.add("\"data\":null");
            case JSON -> {
                // A JSON datum of a JSON (or no) type is kept as written; of another type, a string datum is its text.
                if (dataJson.equals("null")) {
                    payload = new byte[0]; // a null datum is an absent one
                } else if (dct == null || isJson(dct) || !dataJson.startsWith("\"")) {
                    payload = Gen.utf8(dataJson);
                } else {
                    payload = Gen.utf8(unquote(dataJson));
                }
                contentType = dct == null && !dataJson.equals("null") ? "application/json" : dct;
                members.add("\"data\"" + space(r) + ":" + space(r) + dataJson);
            }
            case TEXT -> {
                payload = Gen.utf8(text);
                members.add("\"data\":" + str(text, r));
            }
            case BASE64 -> {
                // Without datacontenttype, data is taken as JSON (the JSON format's default), data_base64 too.
                contentType = dct == null ? "application/json" : dct;
                payload = bytes;
                members.add("\"data_base64\":" + str(Base64.getEncoder().encodeToString(bytes), r));
            }
        }
        Collections.shuffle(members, r);
        StringBuilder sb = new StringBuilder("{").append(space(r));
        for (int i = 0; i < members.size(); i++) {
            sb.append(i == 0 ? "" : space(r) + "," + space(r)).append(members.get(i));
        }
        sb.append(space(r)).append('}');
        return new Event(sb.toString(), new Draft(id, source, type, subject, time, contentType, payload, expectedExt));
    }

    private static boolean isJson(String mediaType) {
        String m = mediaType.toLowerCase(java.util.Locale.ROOT);
        int semi = m.indexOf(';');
        m = (semi >= 0 ? m.substring(0, semi) : m).trim();
        return m.equals("application/json") || m.endsWith("+json") || m.equals("text/json");
    }

    private static String str(String s, Random r) {
        return Gen.jsonString(s, r);
    }

    private static String unquote(String jsonString) {
        return new io.vertx.core.json.JsonArray("[" + jsonString + "]").getString(0);
    }

    static String space(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\n\t ";
            case 2 -> "\r\n";
            default -> "";
        };
    }
}
