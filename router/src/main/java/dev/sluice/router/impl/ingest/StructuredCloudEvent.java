package dev.sluice.router.impl.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One structured-mode CloudEvent object (JSON event format, CloudEvents 1.0.2): {@code data}
 * becomes the payload as it was written, {@code data_base64} is decoded, the other attributes
 * become {@code ce_*} headers; every rule the spec says must is checked.
 */
final class StructuredCloudEvent {

    private static final String JSON_TYPE = "application/json";

    private StructuredCloudEvent() {}

    /** Reads the object whose START_OBJECT was just consumed, up to and including its END_OBJECT. */
    static Draft read(JsonParser p, byte[] body) throws IOException, BadInput {
        Map<String, String> core = new HashMap<>();
        byte[] data = null;
        String dataText = null;
        boolean hasData = false;
        boolean hasBase64 = false;
        BadInput deferred = null;
        Map<String, String> ext = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("data")) {
                int[] span = JsonScan.valueSpan(p, v);
                hasData = v != JsonToken.VALUE_NULL;
                if (hasData) {
                    data = Arrays.copyOfRange(body, span[0], span[1]);
                    dataText = v == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                continue;
            }
            if (name.equals("data_base64")) {
                if (v == JsonToken.VALUE_NULL) {
                    continue;
                }
                hasBase64 = true;
                if (v != JsonToken.VALUE_STRING) {
                    deferred = first(deferred, invalid("data_base64 must be a string"));
                    JsonScan.valueSpan(p, v);
                    continue;
                }
                try {
                    data = Base64.getDecoder().decode(p.getText());
                } catch (IllegalArgumentException e) {
                    deferred = first(deferred, invalid("data_base64 is not valid base64"));
                }
                continue;
            }
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                JsonScan.valueSpan(p, v);
                deferred = first(deferred, invalid("attribute '" + name + "' must be a scalar"));
                continue;
            }
            if (v == JsonToken.VALUE_NULL) {
                continue; // a null attribute is an absent one
            }
            if (CloudEventRules.CORE_ATTRIBUTES.contains(name)) {
                if (v != JsonToken.VALUE_STRING) {
                    deferred = first(
                            deferred, invalid("attribute '" + name + "' must be a JSON string, got " + p.getText()));
                } else if (core.put(name, p.getText()) != null) {
                    deferred = first(deferred, invalid("attribute '" + name + "' appears twice"));
                }
                continue;
            }
            try {
                CloudEventRules.checkName(name, "attribute '" + name + "'");
            } catch (BadInput bad) {
                deferred = first(deferred, bad);
                continue;
            }
            if (v == JsonToken.VALUE_NUMBER_FLOAT) {
                deferred =
                        first(deferred, invalid("extension '" + name + "' must be a string, an integer or a boolean"));
            } else if (ext.put(name, p.getText()) != null) {
                deferred = first(deferred, invalid("attribute '" + name + "' appears twice"));
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the CloudEvent object is not closed");
        }
        if (deferred != null) {
            throw deferred;
        }
        if (hasData && hasBase64) {
            throw invalid("an event carries data or data_base64, not both");
        }
        String specversion = core.get("specversion");
        CloudEventRules.require("specversion", specversion);
        if (!specversion.equals("1.0")) {
            throw invalid("specversion must be 1.0, got '" + specversion + "'");
        }
        String id = core.get("id");
        CloudEventRules.requireId("id", id);
        CloudEventRules.require("source", core.get("source"));
        CloudEventRules.require("type", core.get("type"));
        CloudEventRules.check("subject", core.get("subject"));
        CloudEventRules.checkTime("time", core.get("time"));
        CloudEventRules.check("datacontenttype", core.get("datacontenttype"));
        CloudEventRules.check("dataschema", core.get("dataschema"));
        if (core.containsKey("dataschema")) {
            ext.put("dataschema", core.get("dataschema"));
        }
        for (Map.Entry<String, String> e : ext.entrySet()) {
            CloudEventRules.check(e.getKey(), e.getValue());
        }
        String contentType = core.get("datacontenttype");
        if (contentType == null && data != null) {
            contentType = JSON_TYPE;
        }
        if (dataText != null && !isJson(contentType)) {
            // A string datum of a non-JSON type is the string's text, not its JSON form.
            data = dataText.getBytes(StandardCharsets.UTF_8);
        }
        return new Draft(
                id,
                core.get("source"),
                core.get("type"),
                core.get("subject"),
                core.get("time"),
                contentType,
                data == null ? new byte[0] : data,
                ext);
    }

    private static BadInput first(BadInput earlier, BadInput now) {
        return earlier != null ? earlier : now;
    }

    private static BadInput invalid(String detail) {
        return new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, detail);
    }

    private static boolean isJson(String mediaType) {
        String m = mediaType.toLowerCase(Locale.ROOT);
        int semi = m.indexOf(';');
        m = (semi >= 0 ? m.substring(0, semi) : m).trim();
        return m.equals(JSON_TYPE) || m.endsWith("+json") || m.equals("text/json");
    }
}
