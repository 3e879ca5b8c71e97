package io.sightline.alerting.template;

/** A template that does not parse or fails while it runs; the message reads as Go's. */
public final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message, null, false, false);
    }
}
