package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.router.impl.http.Problems;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The contract lists exactly the problems the router can answer with, and each problem type is documented. */
class ContractCoverageTest {

    @Test
    void everyIngestProblemReasonIsInTheContractAndNoOther() {
        Set<String> inCode =
                Arrays.stream(Problems.Kind.values()).map(k -> k.reason).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(inCode, reasons("Problem"));
    }

    @Test
    void everyProblemTypeHasItsStableAnchorInTheApiDocs() throws Exception {
        Path doc = Path.of("..", "docs", "api.md");
        String text = Files.readString(Files.exists(doc) ? doc : Path.of("docs", "api.md"));
        Set<String> undocumented = new TreeSet<>();
        for (String schema : new String[] {"Problem", "AdminProblem"}) {
            for (String reason : reasons(schema)) {
                if (!text.contains("<a id=\"problem-" + reason + "\"></a>`" + reason + "`")) {
                    undocumented.add(reason);
                }
            }
        }
        assertEquals(
                Set.of(), undocumented, "urn:sluice:problem:<reason> is documented at docs/api.md#problem-<reason>");
    }

    private static Set<String> reasons(String schema) {
        JsonObject s = ContractCheck.contract()
                .getRawContract()
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject(schema);
        return s.getJsonObject("properties").getJsonObject("reason").getJsonArray("enum").stream()
                .map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
