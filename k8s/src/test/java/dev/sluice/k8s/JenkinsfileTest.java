package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.NamedArgumentListExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;
import org.junit.jupiter.api.Test;

/** The Jenkinsfile parses as Groovy (to an AST, never run) and has the pipeline the README describes. */
class JenkinsfileTest {

    /** Parses Groovy source to its AST (conversion phase: syntax only, nothing resolved or run). */
    static ModuleNode parse(String name, String source) {
        CompilationUnit unit = new CompilationUnit();
        SourceUnit su = unit.addSource(name, source);
        unit.compile(Phases.CONVERSION);
        return su.getAST();
    }

    /** Every call of {@code method} with a string as its first argument, in source order: that string. */
    static List<String> calls(ModuleNode module, String method) {
        List<String> out = new ArrayList<>();
        module.getStatementBlock().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if (call.getMethodAsString() != null
                        && call.getMethodAsString().equals(method)
                        && call.getArguments() instanceof TupleExpression args
                        && !args.getExpressions().isEmpty()) {
                    Expression first = args.getExpression(0);
                    if (first instanceof ConstantExpression c && c.getValue() instanceof String s) {
                        out.add(s);
                    } else if (first instanceof NamedArgumentListExpression named) {
                        for (MapEntryExpression e : named.getMapEntryExpressions()) {
                            if (e.getKeyExpression().getText().equals("name")) {
                                out.add(e.getValueExpression().getText());
                            }
                        }
                    }
                }
                super.visitMethodCallExpression(call);
            }
        });
        return out;
    }

    private static String jenkinsfile() throws IOException {
        return Files.readString(Repo.ROOT.resolve("Jenkinsfile"));
    }

    @Test
    void parsesAsADeclarativePipelineWithTheStagesInOrder() throws IOException {
        ModuleNode module = parse("Jenkinsfile", jenkinsfile());
        assertTrue(module.getStatementBlock().getStatements().size() == 1, "one top-level pipeline { } block");
        assertEquals(List.of("pipeline"), topLevelCalls(module));
        assertEquals(
                List.of("Checkout", "Build and test", "Benchmark gate", "Image", "Push to ECR", "Deploy"),
                calls(module, "stage"));
    }

    @Test
    void takesTheEnvironmentRegionAndAccountAsParameters() throws IOException {
        List<String> params = new ArrayList<>();
        ModuleNode module = parse("Jenkinsfile", jenkinsfile());
        for (String kind : List.of("string", "choice", "booleanParam")) {
            params.addAll(calls(module, kind));
        }
        assertTrue(
                params.containsAll(List.of(
                        "ENVIRONMENT",
                        "NAMESPACE",
                        "AWS_REGION",
                        "AWS_ACCOUNT_ID",
                        "AWS_CREDENTIALS_ID",
                        "KUBECONFIG_CREDENTIALS_ID")),
                params.toString());
    }

    @Test
    void runsTheReadmeTestCommandTheGateAndTheRollout() throws IOException {
        List<String> shells = calls(parse("Jenkinsfile", jenkinsfile()), "sh");
        String all = String.join("\n", shells);
        assertTrue(shells.contains("./mvnw -B verify"), shells.toString());
        assertTrue(all.contains("./sluice bench gate"), all);
        assertTrue(all.contains("kubectl apply -k deploy"), all);
        assertTrue(all.contains("rollout status"), all);
        assertTrue(all.contains("docker push"), all);
        // the overlay it applies exists for every choice of ENVIRONMENT
        for (String env : List.of("dev", "eks")) {
            assertTrue(Files.isRegularFile(Repo.overlay(env).resolve("kustomization.yaml")), env);
        }
    }

    @Test
    void holdsNoSecret() throws IOException {
        String text = jenkinsfile();
        assertFalse(text.matches("(?s).*AKIA[0-9A-Z]{16}.*"), "an AWS access key id");
        assertFalse(text.matches("(?s).*(?i:password|secret)\\s*[:=]\\s*['\"][^'\"]+['\"].*"), "a literal password");
    }

    @Test
    void brokenGroovyDoesNotParse() {
        assertThrows(
                CompilationFailedException.class,
                () -> parse("Broken", "pipeline { stages { stage('x') { steps { sh 'a' } } }"));
    }

    private static List<String> topLevelCalls(ModuleNode module) {
        List<String> out = new ArrayList<>();
        for (ASTNode s : module.getStatementBlock().getStatements()) {
            if (s instanceof org.codehaus.groovy.ast.stmt.ExpressionStatement es
                    && es.getExpression() instanceof MethodCallExpression call) {
                out.add(call.getMethodAsString());
            }
        }
        return out;
    }
}
