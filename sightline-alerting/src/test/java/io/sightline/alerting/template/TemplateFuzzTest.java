package io.sightline.alerting.template;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the template engine (Jazzer): any text either expands or fails with a
 * {@link TemplateException} whose message reads as Go's; nothing else may escape (it would break rule
 * evaluation or a notification). In the test phase it runs as a regression test on its stored inputs;
 * {@code verify} fuzzes it for a bounded time.
 */
class TemplateFuzzTest {
    private static final QueryFunc QUERY = q -> List.of(Map.entry(Map.of("instance", "a"), 1.0));

    @FuzzTest(maxDuration = "20s")
    void templates(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            new AlertTemplates("http://sightline", Map.of("cluster", "eu")).expand("__alert_Fuzz", text,
                    Map.of("instance", "a", "job", "node"), 0.5, QUERY);
        } catch (TemplateException e) {
            if (!e.getMessage().startsWith("template: ")) {
                throw new AssertionError("a template error that does not read as Go's: " + e.getMessage());
            }
        }
        try {
            NotificationTemplates.defaults().render("fuzz", text, NotificationData.of("r", List.of(), Map.of(), ""), "");
        } catch (TemplateException e) {
            if (!e.getMessage().startsWith("template: ")) {
                throw new AssertionError("a template error that does not read as Go's: " + e.getMessage());
            }
        }
    }
}
