package io.sightline.alerting.template;

import io.sightline.alerting.template.Functions.Func;
import io.sightline.alerting.template.Functions.Param;
import io.sightline.alerting.template.TemplateParser.Action;
import io.sightline.alerting.template.TemplateParser.Arg;
import io.sightline.alerting.template.TemplateParser.Break;
import io.sightline.alerting.template.TemplateParser.Call;
import io.sightline.alerting.template.TemplateParser.Command;
import io.sightline.alerting.template.TemplateParser.Continue;
import io.sightline.alerting.template.TemplateParser.Dot;
import io.sightline.alerting.template.TemplateParser.Field;
import io.sightline.alerting.template.TemplateParser.Identifier;
import io.sightline.alerting.template.TemplateParser.If;
import io.sightline.alerting.template.TemplateParser.Literal;
import io.sightline.alerting.template.TemplateParser.Nil;
import io.sightline.alerting.template.TemplateParser.Node;
import io.sightline.alerting.template.TemplateParser.Pipeline;
import io.sightline.alerting.template.TemplateParser.Range;
import io.sightline.alerting.template.TemplateParser.Sub;
import io.sightline.alerting.template.TemplateParser.Text;
import io.sightline.alerting.template.TemplateParser.Variable;
import io.sightline.alerting.template.TemplateParser.With;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed Go template, run against data with a set of functions. Immutable and thread-safe; each
 * {@link #execute} has its own state.
 *
 * <p>Execution is bounded: template calls nest at most {@value #MAX_DEPTH} deep, at most
 * {@value #MAX_STEPS} nodes and calls run, the output and every string a function returns are at most
 * {@value #MAX_OUTPUT} characters, and a width or precision in {@code printf} at most a million, so a
 * hostile template fails with an error instead of taking the process down.
 */
public final class GoTemplate {
    static final int MAX_DEPTH = 100;
    static final int MAX_OUTPUT = 1 << 20;
    /** Nodes and function calls one execution may run: a template that calls itself twice per level stops here. */
    static final long MAX_STEPS = 1_000_000;

    private final String name;
    private final Map<String, List<Node>> templates;

    private GoTemplate(String name, Map<String, List<Node>> templates) {
        this.name = name;
        this.templates = templates;
    }

    /** Parses {@code text}, checking that every function it calls exists. */
    public static GoTemplate parse(String name, String text) throws TemplateException {
        return new GoTemplate(name, TemplateParser.parse(name, text, Functions.NAMES));
    }

    /**
     * Parses {@code text} with the templates {@code library} defines ({@code {{define}}} blocks of
     * template files) callable by name; a definition in {@code text} replaces one of the library.
     */
    public static GoTemplate parse(String name, String text, GoTemplate library) throws TemplateException {
        Map<String, List<Node>> all = new java.util.HashMap<>(library.templates);
        all.putAll(TemplateParser.parse(name, text, Functions.NAMES));
        return new GoTemplate(name, all);
    }

    /** Whether a template of that name is defined here (by {@code {{define}}} or as the main one). */
    public boolean defines(String templateName) {
        return templates.containsKey(templateName);
    }

    /**
     * Runs the template.
     *
     * @param data the initial dot ({@code .}, {@code $}): a map, a {@code Values.Struct}, a string...
     * @param externalUrl what {@code externalURL}, {@code pathPrefix} and the link functions use
     * @param query what {@code query} runs, or null where queries are not available
     */
    public String execute(Object data, String externalUrl, QueryFunc query) throws TemplateException {
        Exec e = new Exec(Functions.all(externalUrl, query));
        e.vars.add(new Var("$", data));
        e.run(templates.get(name), data, 0);
        return e.out.toString();
    }

    private record Var(String name, Object value) {}

    private static final class BreakSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private final class Exec {
        final Map<String, Func> funcs;
        final StringBuilder out = new StringBuilder();
        final List<Var> vars = new ArrayList<>();
        int line;
        String at = "";

        Exec(Map<String, Func> funcs) {
            this.funcs = funcs;
        }

        TemplateException error(String message) {
            return new TemplateException("template: " + name + ":" + line + ": executing \"" + name + "\" at <" + at + ">: "
                    + message);
        }

        void run(List<Node> nodes, Object dot, int depth) throws TemplateException {
            for (Node n : nodes) {
                node(n, dot, depth);
            }
        }

        void write(String s) throws TemplateException {
            if (out.length() + s.length() > MAX_OUTPUT) {
                throw error("the output exceeds " + MAX_OUTPUT + " characters");
            }
            out.append(s);
        }

        long steps;

        void step() throws TemplateException {
            if (++steps > MAX_STEPS) {
                throw error("the template ran more than " + MAX_STEPS + " steps");
            }
        }

        void node(Node n, Object dot, int depth) throws TemplateException {
            step();
            if (n instanceof Text t) {
                write(t.text());
            } else if (n instanceof Action a) {
                int mark = vars.size();
                Object v = pipeline(a.pipe(), dot, true);
                if (a.pipe().vars().isEmpty()) {
                    write(GoFmt.value(v));
                } else if (a.pipe().assign()) {
                    truncate(mark);
                }
            } else if (n instanceof If i) {
                int mark = vars.size();
                boolean truth = Values.isTrue(pipeline(i.pipe(), dot, true));
                run(truth ? i.then() : i.otherwise(), dot, depth);
                truncate(mark);
            } else if (n instanceof With w) {
                int mark = vars.size();
                Object v = pipeline(w.pipe(), dot, true);
                if (Values.isTrue(v)) {
                    run(w.body(), v, depth);
                } else {
                    run(w.otherwise(), dot, depth);
                }
                truncate(mark);
            } else if (n instanceof Range r) {
                range(r, dot, depth);
            } else if (n instanceof Call c) {
                List<Node> body = templates.get(c.name());
                line = c.line();
                at = "template \"" + c.name() + "\"";
                if (body == null) {
                    throw error("template: no template \"" + c.name() + "\" associated with template \"" + name + "\"");
                }
                if (depth >= MAX_DEPTH) {
                    throw error("exceeded maximum template depth (" + MAX_DEPTH + ")");
                }
                Object newDot = c.pipe() == null ? Values.NO_VALUE : pipeline(c.pipe(), dot, false);
                List<Var> saved = new ArrayList<>(vars);
                vars.clear();
                vars.add(new Var("$", newDot));
                try {
                    run(body, newDot, depth + 1);
                } finally {
                    vars.clear();
                    vars.addAll(saved);
                }
            } else if (n instanceof Break) {
                throw new BreakSignal();
            } else if (n instanceof Continue) {
                throw new ContinueSignal();
            }
        }

        void range(Range r, Object dot, int depth) throws TemplateException {
            int mark = vars.size();
            Object v = pipeline(r.pipe(), dot, false);
            List<Object[]> items = new ArrayList<>();
            if (v instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    items.add(new Object[] {(long) i, l.get(i)});
                }
            } else if (v instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                    items.add(new Object[] {e.getKey(), e.getValue()});
                }
            } else if (v != null && v != Values.NO_VALUE) {
                line = r.line();
                at = r.pipe().text();
                throw error("range can't iterate over " + GoFmt.value(v));
            }
            List<String> names = r.pipe().vars();
            for (Object[] item : items) {
                if (names.size() == 1) {
                    vars.add(new Var(names.get(0), item[1]));
                } else if (names.size() == 2) {
                    vars.add(new Var(names.get(0), item[0]));
                    vars.add(new Var(names.get(1), item[1]));
                }
                int bodyMark = vars.size();
                try {
                    run(r.body(), item[1], depth);
                } catch (ContinueSignal c) {
                    // next item
                } catch (BreakSignal b) {
                    truncate(mark);
                    return;
                } finally {
                    truncate(Math.min(bodyMark, vars.size()));
                }
                truncate(mark);
            }
            if (items.isEmpty()) {
                run(r.otherwise(), dot, depth);
            }
            truncate(mark);
        }

        void truncate(int size) {
            while (vars.size() > size) {
                vars.remove(vars.size() - 1);
            }
        }

        Object lookup(String var) throws TemplateException {
            for (int i = vars.size() - 1; i >= 0; i--) {
                if (vars.get(i).name().equals(var)) {
                    return vars.get(i).value();
                }
            }
            throw error("undefined variable: " + var);
        }

        void assign(String var, Object value) throws TemplateException {
            for (int i = vars.size() - 1; i >= 0; i--) {
                if (vars.get(i).name().equals(var)) {
                    vars.set(i, new Var(var, value));
                    return;
                }
            }
            throw error("undefined variable: " + var);
        }

        /** Evaluates a pipeline; declares or assigns its variables when {@code bind}. */
        Object pipeline(Pipeline p, Object dot, boolean bind) throws TemplateException {
            line = p.line();
            Object value = null;
            boolean piped = false;
            for (Command c : p.commands()) {
                at = c.text();
                value = command(c, dot, piped ? value : MISSING);
                piped = true;
            }
            if (bind) {
                for (String v : p.vars()) {
                    if (p.assign()) {
                        assign(v, value);
                    } else {
                        vars.add(new Var(v, value));
                    }
                }
            }
            return value;
        }

        Object command(Command c, Object dot, Object fin) throws TemplateException {
            Arg first = c.args().get(0);
            if (first instanceof Identifier id) {
                return call(id.name(), c.args().subList(1, c.args().size()), dot, fin);
            }
            if ((c.args().size() > 1 || fin != MISSING)
                    && (first instanceof Field || first instanceof Variable || first instanceof Sub)) {
                List<String> path = first instanceof Field f ? f.names()
                        : first instanceof Variable v ? v.fields() : ((Sub) first).fields();
                if (!path.isEmpty()) {
                    Object base = first instanceof Field ? dot
                            : first instanceof Variable v ? lookup(v.name()) : pipeline(((Sub) first).pipe(), dot, false);
                    Object receiver = fields(base, path.subList(0, path.size() - 1));
                    String method = path.get(path.size() - 1);
                    if (receiver instanceof Values.WithMethods wm && wm.hasMethod(method)) {
                        List<Object> args = new ArrayList<>();
                        for (Arg a : c.args().subList(1, c.args().size())) {
                            args.add(argument(a, Param.ANY, dot));
                        }
                        if (fin != MISSING) {
                            args.add(fin);
                        }
                        return invoke(wm, method, args);
                    }
                }
            }
            if (c.args().size() > 1 || fin != MISSING) {
                throw error("can't give argument to non-function " + describe(first));
            }
            if (first instanceof Nil) {
                throw error("nil is not a command");
            }
            return value(first, dot);
        }

        String describe(Arg a) {
            if (a instanceof Field f) {
                return "." + String.join(".", f.names());
            }
            if (a instanceof Variable v) {
                return v.name() + (v.fields().isEmpty() ? "" : "." + String.join(".", v.fields()));
            }
            if (a instanceof Literal l) {
                return l.text();
            }
            if (a instanceof Sub sub) {
                return "(" + sub.pipe().text() + ")" + (sub.fields().isEmpty() ? "" : "." + String.join(".", sub.fields()));
            }
            return a instanceof Dot ? "." : a.toString();
        }

        /** The value of an operand used on its own (numbers as Go's ideal constants: int or float64). */
        Object value(Arg a, Object dot) throws TemplateException {
            if (a instanceof Dot) {
                return dot;
            }
            if (a instanceof Field f) {
                return fields(dot, f.names());
            }
            if (a instanceof Variable v) {
                return fields(lookup(v.name()), v.fields());
            }
            if (a instanceof Literal l) {
                if (l.value() instanceof TemplateParser.Number n) {
                    if (n.isInt()) {
                        return n.asLong();
                    }
                    return n.asDouble();
                }
                return l.value();
            }
            if (a instanceof Nil) {
                return null;
            }
            if (a instanceof Sub s) {
                return fields(pipeline(s.pipe(), dot, false), s.fields());
            }
            if (a instanceof Identifier id) {
                return call(id.name(), List.of(), dot, MISSING);
            }
            throw error("can't evaluate " + a);
        }

        Object fields(Object receiver, List<String> names) throws TemplateException {
            Object v = receiver;
            for (String f : names) {
                if (v instanceof Values.WithMethods wm && wm.hasMethod(f)) {
                    v = invoke(wm, f, List.of());
                } else if (v instanceof Map<?, ?> m) {
                    Object x = m.get(f);
                    v = x == null ? Values.NO_VALUE : x;
                } else if (v instanceof Values.Struct s) {
                    if (!s.fields().containsKey(f)) {
                        throw error("can't evaluate field " + f + " in type " + s.typeName());
                    }
                    v = s.fields().get(f);
                } else if (v == Values.NO_VALUE) {
                    return Values.NO_VALUE; // Go: a missing key's fields are missing too
                } else if (v == null) {
                    throw error("nil pointer evaluating interface {}." + f);
                } else {
                    throw error("can't evaluate field " + f + " in type " + GoFmt.typeName(v));
                }
            }
            return v;
        }

        Object invoke(Values.WithMethods receiver, String method, List<Object> args) throws TemplateException {
            try {
                return receiver.call(method, args);
            } catch (TemplateException e) {
                throw e;
            } catch (Exception e) {
                throw error("error calling " + method + ": " + e.getMessage());
            }
        }

        Object call(String fname, List<Arg> args, Object dot, Object fin) throws TemplateException {
            Func f = funcs.get(fname);
            if (f == null) {
                throw error("\"" + fname + "\" is not a defined function");
            }
            if (fname.equals("and") || fname.equals("or")) {
                return andOr(fname.equals("and"), args, dot, fin);
            }
            int given = args.size() + (fin == MISSING ? 0 : 1);
            int fixed = f.params().length;
            if (f.variadic() == null ? given != fixed : given < fixed) {
                throw error("wrong number of args for " + fname + ": want " + (f.variadic() == null ? "" : "at least ")
                        + fixed + " got " + given);
            }
            Object[] values = new Object[given];
            for (int i = 0; i < args.size(); i++) {
                values[i] = argument(args.get(i), i < fixed ? f.params()[i] : f.variadic(), dot);
            }
            if (fin != MISSING) {
                int i = given - 1;
                values[i] = typed(fin, i < fixed ? f.params()[i] : f.variadic());
            }
            step();
            Object result;
            try {
                result = f.body().call(values);
            } catch (TemplateException e) {
                throw e;
            } catch (Exception e) {
                throw error("error calling " + fname + ": " + e.getMessage());
            }
            if (result instanceof String str && str.length() > MAX_OUTPUT) {
                throw error("error calling " + fname + ": the result exceeds " + MAX_OUTPUT + " characters");
            }
            return result;
        }

        /** Go 1.18's short-circuit {@code and}/{@code or}: the first falsy (truthy) value, else the last. */
        Object andOr(boolean and, List<Arg> args, Object dot, Object fin) throws TemplateException {
            int given = args.size() + (fin == MISSING ? 0 : 1);
            if (given < 1) {
                throw error("wrong number of args for " + (and ? "and" : "or") + ": want at least 1 got 0");
            }
            Object v = null;
            for (int i = 0; i < given; i++) {
                v = i < args.size() ? value(args.get(i), dot) : fin;
                if (Values.isTrue(v) != and) {
                    return v;
                }
            }
            return v;
        }

        Object argument(Arg a, Param p, Object dot) throws TemplateException {
            if (a instanceof Literal l && l.value() instanceof TemplateParser.Number n) {
                return switch (p) {
                    case FLOAT -> n.asDouble();
                    case INT -> {
                        if (n.asLong() == null) { // Go takes an integral float literal (1e3) as an int too
                            throw error("expected integer; found " + n.text());
                        }
                        yield n.asLong();
                    }
                    case STRING -> throw error("expected string; found " + n.text());
                    default -> n.isInt() ? (Object) n.asLong() : (Object) n.asDouble();
                };
            }
            if (a instanceof Nil) {
                if (p != Param.ANY) {
                    throw error("cannot assign nil to " + goType(p));
                }
                return null;
            }
            return typed(value(a, dot), p);
        }

        Object typed(Object v, Param p) throws TemplateException {
            boolean ok = switch (p) {
                case ANY -> true;
                case STRING -> v instanceof String;
                case FLOAT -> v instanceof Double;
                case INT -> v instanceof Long;
            };
            if (ok) {
                return v;
            }
            if (v == Values.NO_VALUE) {
                throw error("invalid value; expected " + goType(p));
            }
            throw error("wrong type for value; expected " + goType(p) + "; got " + GoFmt.typeName(v));
        }

        String goType(Param p) {
            return switch (p) {
                case STRING -> "string";
                case FLOAT -> "float64";
                case INT -> "int";
                default -> "interface {}";
            };
        }
    }

    /** No value piped into a command. */
    private static final Object MISSING = new Object();
}
