package io.sightline.alerting.template;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notification templates as Alertmanager has them: the texts of a receiver's fields (a Slack title, an
 * e-mail body, a PagerDuty description...) are Go templates over {@link NotificationData}, and can call
 * the templates defined in the {@code templates} files and Sightline's defaults
 * ({@code slack.default.title}, {@code email.default.html}, {@code __subject}...). Thread-safe.
 */
public final class NotificationTemplates {
    private static final GoTemplate DEFAULTS;

    static {
        try (InputStream in = NotificationTemplates.class.getResourceAsStream("notification-defaults.tmpl")) {
            DEFAULTS = GoTemplate.parse("default.tmpl", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | TemplateException | NullPointerException e) {
            throw new ExceptionInInitializerError("the default notification templates are broken: " + e);
        }
    }

    private final GoTemplate library;
    private final Map<String, GoTemplate> cache = new ConcurrentHashMap<>();

    private NotificationTemplates(GoTemplate library) {
        this.library = library;
    }

    /** Sightline's defaults only. */
    public static NotificationTemplates defaults() {
        return new NotificationTemplates(DEFAULTS);
    }

    /**
     * The defaults plus the {@code define}s of {@code files}, later files overriding earlier ones.
     *
     * @throws TemplateException naming the file, for one that does not parse or cannot be read
     */
    public static NotificationTemplates load(List<Path> files) throws TemplateException {
        GoTemplate lib = DEFAULTS;
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw new TemplateException("cannot read template file " + f + ": " + e.getMessage());
            }
            lib = GoTemplate.parse(f.getFileName().toString(), text, lib);
        }
        return new NotificationTemplates(lib);
    }

    /** Why {@code text} cannot be used (Go's parse error), or null. */
    public String check(String name, String text) {
        try {
            parsed(name, text);
            return null;
        } catch (TemplateException e) {
            return e.getMessage();
        }
    }

    /** Expands {@code text} over {@code data} (from {@link NotificationData#of}). */
    public String render(String name, String text, Object data, String externalUrl) throws TemplateException {
        return parsed(name, text).execute(data, externalUrl, null);
    }

    private GoTemplate parsed(String name, String text) throws TemplateException {
        String key = name + "\u0000" + text;
        GoTemplate t = cache.get(key);
        if (t == null) {
            t = GoTemplate.parse(name, text, library);
            if (cache.size() < 10_000) {
                cache.put(key, t);
            }
        }
        return t;
    }
}
