package io.sightline.alerting.rules;

import java.util.List;

/** Why a rule file cannot be used: one line per problem, each naming file, line, group and rule. */
public final class RuleFileException extends Exception {
    private final List<String> problems;

    public RuleFileException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
