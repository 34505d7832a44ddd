package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.router.impl.http.Problems;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The contract lists exactly the problems the router can answer with. */
class ContractCoverageTest {

    @Test
    void everyIngestProblemReasonIsInTheContractAndNoOther() {
        Set<String> inCode = Arrays.stream(Problems.Kind.values()).map(k -> k.reason).collect(Collectors.toCollection(TreeSet::new));
        Set<String> inContract = ContractCheck.contract().getRawContract().getJsonObject("components").getJsonObject("schemas")
                .getJsonObject("Problem").getJsonObject("properties").getJsonObject("reason").getJsonArray("enum").stream()
                .map(Object::toString).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(inCode, inContract);
    }
}
