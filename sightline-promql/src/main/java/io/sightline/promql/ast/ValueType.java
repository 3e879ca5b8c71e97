package io.sightline.promql.ast;

/** The type of value a PromQL expression produces; {@link #text} is the name used in error messages. */
public enum ValueType {
    NONE("none"),
    SCALAR("scalar"),
    VECTOR("instant vector"),
    MATRIX("range vector"),
    STRING("string");

    private final String text;

    ValueType(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The name the Prometheus HTTP API uses for {@code resultType}. */
    public String apiName() {
        return switch (this) {
            case SCALAR -> "scalar";
            case VECTOR -> "vector";
            case MATRIX -> "matrix";
            case STRING -> "string";
            case NONE -> "none";
        };
    }
}
