package io.sightline.alerting.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses Go's {@code text/template} syntax into a tree: text, actions ({@code {{ pipeline }}}) with
 * trim markers ({@code {{-}}, {@code -}}}) and comments, variables ({@code $x := ...}, {@code $x = ...}),
 * pipelines of commands joined by {@code |}, fields ({@code .Labels.instance}, {@code $labels.job}),
 * literals (strings, raw strings, characters, numbers, booleans, {@code nil}), parentheses,
 * {@code if}/{@code else if}/{@code else}, {@code range} (with {@code else}, {@code break},
 * {@code continue}), {@code with}, {@code define}, {@code template} and {@code block}.
 *
 * <p>Errors read as Go's: {@code template: NAME:LINE: message}. Function names are checked at parse
 * time against the functions given, as Go does ({@code function "humanise" not defined}).
 */
final class TemplateParser {

    // ---- the tree ----

    sealed interface Node permits Text, Action, If, Range, With, Call, Break, Continue {}

    record Text(String text) implements Node {}

    /** {@code {{ pipeline }}}: the value is printed unless the pipeline declares variables. */
    record Action(int line, Pipeline pipe) implements Node {}

    record If(int line, Pipeline pipe, List<Node> then, List<Node> otherwise) implements Node {}

    record Range(int line, Pipeline pipe, List<Node> body, List<Node> otherwise) implements Node {}

    record With(int line, Pipeline pipe, List<Node> body, List<Node> otherwise) implements Node {}

    /** {@code {{ template "name" pipeline }}}. */
    record Call(int line, String name, Pipeline pipe) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /**
     * @param vars variables declared ({@code :=}) or assigned ({@code =}), at most two (range's key, value)
     * @param text the pipeline as written, for error messages ({@code <...>})
     */
    record Pipeline(int line, List<String> vars, boolean assign, List<Command> commands, String text) {}

    record Command(List<Arg> args, String text) {}

    sealed interface Arg permits Dot, Field, Variable, Identifier, Literal, Nil, Sub {}

    record Dot() implements Arg {}

    /** {@code .A.B} from dot. */
    record Field(List<String> names) implements Arg {}

    /** {@code $x.A.B}; {@code $} alone is the data the template was run with. */
    record Variable(String name, List<String> fields) implements Arg {}

    /** A function name. */
    record Identifier(String name) implements Arg {}

    /** A string, boolean, or number; numbers keep their text to be typed where they are used. */
    record Literal(Object value, String text) implements Arg {}

    record Nil() implements Arg {}

    /** {@code (pipeline).A.B}. */
    record Sub(Pipeline pipe, List<String> fields) implements Arg {}

    /** An integer or floating-point literal, typed by where it is used (as Go's untyped constants). */
    record Number(String text, Long asLong, double asDouble, boolean isInt) {}

    // ---- parsing ----

    private final String name;
    private final String src;
    private final Set<String> functions;
    private final Map<String, List<Node>> defined;
    private int pos;
    private int line = 1;
    /** Variables in scope, innermost last; {@code $} is always there. */
    private final List<String> vars = new ArrayList<>();

    private TemplateParser(String name, String src, Set<String> functions, Map<String, List<Node>> defined) {
        this.name = name;
        this.src = src;
        this.functions = functions;
        this.defined = defined;
        vars.add("$");
    }

    /**
     * Parses {@code src}; {@code define}d templates are added to the returned map, the main one under
     * {@code name}.
     *
     * @throws TemplateException with Go's message
     */
    static Map<String, List<Node>> parse(String name, String src, Set<String> functions) throws TemplateException {
        Map<String, List<Node>> defined = new HashMap<>();
        TemplateParser p = new TemplateParser(name, src, functions, defined);
        List<Node> main = new ArrayList<>();
        String end = p.list(main, Set.of());
        if (end != null) {
            throw p.error("unexpected {{" + end + "}}");
        }
        if (!defined.containsKey(name) || !isBlank(main)) {
            defined.put(name, main); // a blank main text does not replace a {{define}} of the same name
        }
        return defined;
    }

    private static boolean isBlank(List<Node> nodes) {
        return nodes.stream().allMatch(n -> n instanceof Text t && t.text().isBlank());
    }

    TemplateException error(String message) {
        return new TemplateException("template: " + name + ":" + line + ": " + message);
    }

    /**
     * Reads nodes up to one of the {@code stops} keywords ({@code end}, {@code else}), which it returns
     * (the action's remaining words are left for the caller), or to the end of the text (null).
     */
    private String list(List<Node> out, Set<String> stops) throws TemplateException {
        while (pos < src.length()) {
            int open = src.indexOf("{{", pos);
            int textEnd = open < 0 ? src.length() : open;
            String text = src.substring(pos, textEnd);
            boolean trimLeft = open >= 0 && isTrimMarker(open);
            if (trimLeft) {
                text = stripTrailing(text);
            }
            if (!text.isEmpty()) {
                out.add(new Text(text));
            }
            countLines(pos, textEnd);
            if (open < 0) {
                pos = src.length();
                return null;
            }
            pos = open + 2;
            if (trimLeft) {
                pos += 1;
            }
            String stop = action(out, stops);
            if (stop != null) {
                return stop;
            }
        }
        return null;
    }

    /** {@code {{-} followed by a blank: Go's left trim marker. */
    private boolean isTrimMarker(int open) {
        return open + 3 < src.length() && src.charAt(open + 2) == '-' && isSpace(src.charAt(open + 3));
    }

    private static String stripTrailing(String s) {
        int e = s.length();
        while (e > 0 && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(0, e);
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    // ---- inside an action ----

    private List<Token> tokens;
    private int ti;

    /** Reads one action (after {@code {{}); returns a stop keyword it met, else null. */
    private String action(List<Node> out, Set<String> stops) throws TemplateException {
        int actionLine = line;
        // Comment: {{/* ... */}} with optional trim markers.
        int p = pos;
        while (p < src.length() && isSpace(src.charAt(p))) {
            p++;
        }
        if (src.startsWith("/*", p)) {
            int close = src.indexOf("*/", p + 2);
            if (close < 0) {
                throw error("unclosed comment");
            }
            countLines(pos, close);
            int q = close + 2;
            boolean trimRight = false;
            while (q < src.length() && isSpace(src.charAt(q))) {
                q++;
            }
            if (src.startsWith("-}}", q) && q > close + 2) {
                trimRight = true;
                q++;
            }
            if (!src.startsWith("}}", q)) {
                throw error("comment ends before closing delimiter");
            }
            pos = q + 2;
            if (trimRight) {
                skipSpace();
            }
            return null;
        }
        tokens = lex();
        ti = 0;
        if (tokens.isEmpty()) {
            throw error("missing value for command");
        }
        Token first = tokens.get(0);
        if (first.kind == Kind.IDENT) {
            switch (first.text) {
                case "end", "else" -> {
                    if (!stops.contains(first.text)) {
                        throw error("unexpected {{" + first.text + "}}");
                    }
                    return first.text;
                }
                case "if", "range", "with" -> {
                    ti = 1;
                    out.add(control(first.text, actionLine));
                    return null;
                }
                case "define" -> {
                    define();
                    return null;
                }
                case "template", "block" -> {
                    out.add(templateCall(first.text, actionLine));
                    return null;
                }
                case "break", "continue" -> {
                    if (tokens.size() > 1) {
                        throw error("unexpected " + tokens.get(1).text + " in {{" + first.text + "}}");
                    }
                    if (rangeDepth == 0) {
                        throw error("{{" + first.text + "}} outside {{range}}");
                    }
                    out.add(first.text.equals("break") ? new Break(actionLine) : new Continue(actionLine));
                    return null;
                }
                default -> {
                    // a function call
                }
            }
        }
        Pipeline pipe = pipeline("command", actionLine);
        out.add(new Action(actionLine, pipe));
        return null;
    }

    private int rangeDepth;

    private Node control(String kind, int actionLine) throws TemplateException {
        int scope = vars.size();
        Pipeline pipe = pipeline(kind, actionLine);
        List<Node> body = new ArrayList<>();
        if (kind.equals("range")) {
            rangeDepth++;
        }
        String stop = list(body, Set.of("end", "else"));
        if (kind.equals("range")) {
            rangeDepth--;
        }
        if (stop == null) {
            throw error("unexpected EOF");
        }
        List<Node> otherwise = List.of();
        if (stop.equals("else")) {
            truncateVars(scope);
            otherwise = new ArrayList<>();
            // {{else if ...}} / {{else with ...}}: a nested control sharing this {{end}}.
            if (tokens.size() > 1 && tokens.get(1).kind == Kind.IDENT
                    && (tokens.get(1).text.equals("if") && kind.equals("if")
                        || tokens.get(1).text.equals("with") && kind.equals("with"))) {
                ti = 2;
                otherwise.add(control(tokens.get(1).text, line));
                truncateVars(scope);
                return build(kind, actionLine, pipe, body, otherwise);
            }
            if (tokens.size() > 1) {
                throw error("unexpected " + tokens.get(1).text + " in else");
            }
            String end = list(otherwise, Set.of("end"));
            if (end == null) {
                throw error("unexpected EOF");
            }
        }
        if (tokens.size() > 1) {
            throw error("unexpected " + tokens.get(1).text + " in end");
        }
        truncateVars(scope);
        return build(kind, actionLine, pipe, body, otherwise);
    }

    private static Node build(String kind, int line, Pipeline pipe, List<Node> body, List<Node> otherwise) {
        return switch (kind) {
            case "if" -> new If(line, pipe, body, otherwise);
            case "range" -> new Range(line, pipe, body, otherwise);
            default -> new With(line, pipe, body, otherwise);
        };
    }

    private void truncateVars(int size) {
        while (vars.size() > size) {
            vars.remove(vars.size() - 1);
        }
    }

    private void define() throws TemplateException {
        if (tokens.size() != 2 || tokens.get(1).kind != Kind.STRING) {
            throw error("define clause needs a quoted name");
        }
        String defName = (String) tokens.get(1).value;
        List<String> saved = new ArrayList<>(vars);
        truncateVars(0);
        vars.add("$");
        List<Node> body = new ArrayList<>();
        String stop = list(body, Set.of("end"));
        if (stop == null) {
            throw error("unexpected EOF");
        }
        vars.clear();
        vars.addAll(saved);
        if (defined.containsKey(defName) && !isBlank(defined.get(defName))) {
            throw error("template: multiple definition of template \"" + defName + "\"");
        }
        defined.put(defName, body);
    }

    private Node templateCall(String kind, int actionLine) throws TemplateException {
        if (tokens.size() < 2 || tokens.get(1).kind != Kind.STRING) {
            throw error("unexpected " + (tokens.size() < 2 ? "EOF" : tokens.get(1).text) + " in " + kind + " clause");
        }
        String callee = (String) tokens.get(1).value;
        Pipeline pipe = null;
        if (tokens.size() > 2) {
            ti = 2;
            pipe = pipeline(kind, actionLine);
        }
        if (kind.equals("block")) {
            List<String> saved = new ArrayList<>(vars);
            truncateVars(0);
            vars.add("$");
            List<Node> body = new ArrayList<>();
            if (list(body, Set.of("end")) == null) {
                throw error("unexpected EOF");
            }
            vars.clear();
            vars.addAll(saved);
            defined.putIfAbsent(callee, body);
        }
        return new Call(actionLine, callee, pipe);
    }

    /** Reads the tokens from {@link #ti} as a pipeline, with an optional declaration. */
    private Pipeline pipeline(String context, int actionLine) throws TemplateException {
        int startTok = ti;
        List<String> declared = new ArrayList<>();
        boolean assign = false;
        // $x := / $x = / $k, $v :=
        if (ti < tokens.size() && tokens.get(ti).kind == Kind.VARIABLE) {
            int look = ti;
            List<String> names = new ArrayList<>();
            names.add(tokens.get(look).text);
            look++;
            if (look < tokens.size() && tokens.get(look).kind == Kind.COMMA && context.equals("range")) {
                look++;
                if (look < tokens.size() && tokens.get(look).kind == Kind.VARIABLE) {
                    names.add(tokens.get(look).text);
                    look++;
                } else {
                    throw error("range can only initialize variables");
                }
            }
            if (look < tokens.size() && (tokens.get(look).kind == Kind.DECLARE || tokens.get(look).kind == Kind.ASSIGN)) {
                assign = tokens.get(look).kind == Kind.ASSIGN;
                for (String n : names) {
                    if (n.contains(".")) {
                        throw error("unexpected \"" + n + "\" in " + context);
                    }
                    if (assign && !vars.contains(n)) {
                        throw error("undefined variable \"" + n + "\"");
                    }
                }
                declared = names;
                ti = look + 1;
            } else if (names.size() > 1) {
                throw error("unexpected \",\" in " + context);
            }
        }
        List<Command> commands = new ArrayList<>();
        while (true) {
            if (ti >= tokens.size() || tokens.get(ti).kind == Kind.PIPE) {
                throw error("missing value for " + context);
            }
            commands.add(command(context));
            if (ti >= tokens.size()) {
                break;
            }
            Token t = tokens.get(ti);
            if (t.kind == Kind.PIPE) {
                ti++;
                continue;
            }
            if (t.kind == Kind.RPAREN) {
                break;
            }
            throw error("unexpected " + t.text + " in " + context);
        }
        if (!assign) {
            vars.addAll(declared);
        }
        String text = joinText(startTok, ti);
        return new Pipeline(actionLine, List.copyOf(declared), assign, List.copyOf(commands), text);
    }

    private String joinText(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to && i < tokens.size(); i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(tokens.get(i).text);
        }
        return sb.toString();
    }

    private Command command(String context) throws TemplateException {
        int start = ti;
        List<Arg> args = new ArrayList<>();
        while (ti < tokens.size()) {
            Token t = tokens.get(ti);
            if (t.kind == Kind.PIPE || t.kind == Kind.RPAREN) {
                break;
            }
            args.add(operand(context));
        }
        if (args.isEmpty()) {
            throw error("empty command");
        }
        return new Command(List.copyOf(args), joinText(start, ti));
    }

    private Arg operand(String context) throws TemplateException {
        Token t = tokens.get(ti++);
        return switch (t.kind) {
            case DOT -> new Dot();
            case FIELD -> new Field(List.of(t.text.substring(1).split("\\.", -1)));
            case VARIABLE -> {
                String[] parts = t.text.split("\\.", -1);
                if (!vars.contains(parts[0])) {
                    throw error("undefined variable \"" + parts[0] + "\"");
                }
                yield new Variable(parts[0], List.of(parts).subList(1, parts.length));
            }
            case IDENT -> {
                switch (t.text) {
                    case "true", "false" -> {
                        yield new Literal(Boolean.valueOf(t.text), t.text);
                    }
                    case "nil" -> {
                        yield new Nil();
                    }
                    default -> {
                        if (!functions.contains(t.text)) {
                            throw error("function \"" + t.text + "\" not defined");
                        }
                        yield new Identifier(t.text);
                    }
                }
            }
            case STRING, CHAR -> new Literal(t.value, t.text);
            case NUMBER -> new Literal(t.value, t.text);
            case LPAREN -> {
                Pipeline inner = pipeline("parenthesized pipeline", line);
                if (ti >= tokens.size() || tokens.get(ti).kind != Kind.RPAREN) {
                    throw error("unclosed left paren");
                }
                ti++;
                List<String> fields = List.of();
                if (ti < tokens.size() && tokens.get(ti).kind == Kind.FIELD && tokens.get(ti).attached) {
                    fields = List.of(tokens.get(ti).text.substring(1).split("\\.", -1));
                    ti++;
                }
                yield new Sub(inner, fields);
            }
            default -> throw error("unexpected " + describe(t) + " in " + context);
        };
    }

    private static String describe(Token t) {
        return switch (t.kind) {
            case RPAREN -> "right paren";
            case COMMA -> "\",\"";
            case DECLARE -> "\":=\"";
            case ASSIGN -> "\"=\"";
            default -> "\"" + t.text + "\"";
        };
    }

    // ---- lexing an action ----

    enum Kind { IDENT, FIELD, VARIABLE, DOT, STRING, CHAR, NUMBER, PIPE, LPAREN, RPAREN, COMMA, DECLARE, ASSIGN }

    /**
     * @param attached for a field: it follows the previous token without a space ({@code (x).F})
     */
    record Token(Kind kind, String text, Object value, boolean attached) {}

    private void skipSpace() {
        while (pos < src.length() && isSpace(src.charAt(pos))) {
            if (src.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }
    }

    /** Reads the tokens of an action up to and past its {@code }}}, trimming after {@code -}}}. */
    private List<Token> lex() throws TemplateException {
        List<Token> out = new ArrayList<>();
        int depth = 0;
        while (true) {
            int before = pos;
            skipSpace();
            boolean spaced = pos > before;
            if (pos >= src.length()) {
                throw error("unclosed action");
            }
            if (src.startsWith("}}", pos)) {
                pos += 2;
                break;
            }
            if (spaced && src.startsWith("-}}", pos)) {
                pos += 3;
                skipSpace();
                break;
            }
            char c = src.charAt(pos);
            int start = pos;
            if (c == '|') {
                pos++;
                out.add(new Token(Kind.PIPE, "|", null, false));
            } else if (c == '(') {
                pos++;
                depth++;
                out.add(new Token(Kind.LPAREN, "(", null, false));
            } else if (c == ')') {
                pos++;
                if (--depth < 0) {
                    throw error("unexpected right paren");
                }
                out.add(new Token(Kind.RPAREN, ")", null, false));
            } else if (c == ',') {
                pos++;
                out.add(new Token(Kind.COMMA, ",", null, false));
            } else if (c == ':' && src.startsWith(":=", pos)) {
                pos += 2;
                out.add(new Token(Kind.DECLARE, ":=", null, false));
            } else if (c == '=') {
                pos++;
                out.add(new Token(Kind.ASSIGN, "=", null, false));
            } else if (c == '"') {
                out.add(new Token(Kind.STRING, null, quoted(), false));
                out.set(out.size() - 1, new Token(Kind.STRING, src.substring(start, pos), out.get(out.size() - 1).value, false));
            } else if (c == '`') {
                int close = src.indexOf('`', pos + 1);
                if (close < 0) {
                    throw error("unterminated raw quoted string");
                }
                String raw = src.substring(pos + 1, close);
                countLines(pos, close);
                pos = close + 1;
                out.add(new Token(Kind.STRING, src.substring(start, pos), raw, false));
            } else if (c == '\'') {
                out.add(new Token(Kind.CHAR, null, charConstant(), false));
                out.set(out.size() - 1, new Token(Kind.CHAR, src.substring(start, pos), out.get(out.size() - 1).value, false));
            } else if (c == '.' && (pos + 1 >= src.length() || !isAlnum(src.charAt(pos + 1)))) {
                if (pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
                    out.add(number());
                } else {
                    pos++;
                    out.add(new Token(Kind.DOT, ".", null, false));
                }
            } else if (c == '.' && Character.isDigit(src.charAt(pos + 1))) {
                out.add(number());
            } else if (c == '.') {
                pos++;
                readFieldChain();
                out.add(new Token(Kind.FIELD, src.substring(start, pos), null,
                        !spaced && !out.isEmpty() && out.get(out.size() - 1).kind == Kind.RPAREN));
            } else if (c == '$') {
                pos++;
                while (pos < src.length() && isAlnum(src.charAt(pos))) {
                    pos++;
                }
                if (pos < src.length() && src.charAt(pos) == '.' && pos + 1 < src.length() && isAlnum(src.charAt(pos + 1))) {
                    pos++;
                    readFieldChain();
                }
                out.add(new Token(Kind.VARIABLE, src.substring(start, pos), null, false));
            } else if (c == '+' || c == '-' || Character.isDigit(c)) {
                out.add(number());
            } else if (Character.isLetter(c) || c == '_') {
                while (pos < src.length() && isAlnum(src.charAt(pos))) {
                    pos++;
                }
                out.add(new Token(Kind.IDENT, src.substring(start, pos), null, false));
                if (pos < src.length() && src.charAt(pos) == '.' && pos + 1 < src.length() && isAlnum(src.charAt(pos + 1))) {
                    throw error("unexpected . after term \"" + src.substring(start, pos) + "\"");
                }
            } else {
                throw error("unexpected \"" + c + "\" in " + (out.isEmpty() ? "command" : "operand"));
            }
        }
        if (depth > 0) {
            throw error("unclosed left paren");
        }
        return out;
    }

    /** Reads {@code Name(.Name)*} after a dot already consumed. */
    private void readFieldChain() throws TemplateException {
        while (true) {
            int s = pos;
            while (pos < src.length() && isAlnum(src.charAt(pos))) {
                pos++;
            }
            if (pos == s) {
                throw error("bad character " + (pos < src.length() ? "\"" + src.charAt(pos) + "\"" : "EOF"));
            }
            if (pos < src.length() && src.charAt(pos) == '.' && pos + 1 < src.length() && isAlnum(src.charAt(pos + 1))) {
                pos++;
                continue;
            }
            return;
        }
    }

    private static boolean isAlnum(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private String quoted() throws TemplateException {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error("unterminated quoted string");
            }
            char c = src.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= src.length()) {
                throw error("unterminated quoted string");
            }
            escape(sb, '"');
        }
    }

    private Object charConstant() throws TemplateException {
        StringBuilder sb = new StringBuilder();
        pos++;
        if (pos < src.length() && src.charAt(pos) == '\\') {
            pos++;
            escape(sb, '\'');
        } else if (pos < src.length()) {
            int cp = src.codePointAt(pos);
            sb.appendCodePoint(cp);
            pos += Character.charCount(cp);
        }
        if (pos >= src.length() || src.charAt(pos) != '\'' || sb.length() == 0) {
            throw error("unterminated character constant");
        }
        pos++;
        return (long) sb.codePointAt(0);
    }

    private void escape(StringBuilder sb, char quote) throws TemplateException {
        if (pos >= src.length()) {
            throw error(quote == '"' ? "unterminated quoted string" : "unterminated character constant");
        }
        char e = src.charAt(pos++);
        switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'v' -> sb.append('\u000b');
            case '\\' -> sb.append('\\');
            case 'x' -> sb.append((char) hex(2));
            case 'u' -> sb.appendCodePoint(rune(hex(4)));
            case 'U' -> sb.appendCodePoint(rune(hex(8)));
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                pos--;
                if (pos + 3 > src.length()) {
                    throw error("invalid syntax");
                }
                int v = 0;
                for (int i = pos; i < pos + 3; i++) {
                    int d = src.charAt(i) - '0';
                    if (d < 0 || d > 7) {
                        throw error("invalid syntax");
                    }
                    v = v * 8 + d;
                }
                if (v > 255) {
                    throw error("invalid syntax"); // Go: an octal escape is one byte
                }
                sb.append((char) v);
                pos += 3;
            }
            default -> {
                if (e != quote) {
                    throw error("invalid syntax");
                }
                sb.append(e);
            }
        }
    }

    /** The next {@code n} characters as hex digits (no sign, as Go reads them), as a number of up to 32 bits. */
    private long hex(int n) throws TemplateException {
        if (pos + n > src.length()) {
            throw error("invalid syntax");
        }
        long v = 0;
        for (int i = pos; i < pos + n; i++) {
            char c = src.charAt(i);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw error("invalid syntax");
            }
            v = v * 16 + d;
        }
        pos += n;
        return v;
    }

    /** {@code v} as a code point, if Go's {@code utf8.ValidRune} takes it. */
    private int rune(long v) throws TemplateException {
        if (!GoFmt.validRune(v)) {
            throw error("invalid syntax");
        }
        return (int) v;
    }

    private Token number() throws TemplateException {
        int start = pos;
        if (src.charAt(pos) == '+' || src.charAt(pos) == '-') {
            pos++;
        }
        while (pos < src.length() && (isAlnum(src.charAt(pos)) || src.charAt(pos) == '.'
                || ((src.charAt(pos) == '+' || src.charAt(pos) == '-')
                    && "eEpP".indexOf(src.charAt(pos - 1)) >= 0 && !src.startsWith("0x", start)))) {
            pos++;
        }
        String text = src.substring(start, pos);
        Number n = parseNumber(text);
        if (n == null) {
            throw error("bad number syntax: \"" + text + "\"");
        }
        return new Token(Kind.NUMBER, text, n, false);
    }

    /** A Go number literal: decimal, hex, octal or binary integers, decimal or hex floats, {@code _} separators. */
    static Number parseNumber(String text) {
        String t = text.replace("_", "");
        boolean neg = t.startsWith("-");
        String body = t.startsWith("+") || neg ? t.substring(1) : t;
        if (body.isEmpty()) {
            return null;
        }
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        try {
            if (lower.startsWith("0x") && !lower.contains("p")) {
                long v = Long.parseLong(lower.substring(2), 16);
                return new Number(text, neg ? -v : v, neg ? -v : v, true);
            }
            if (lower.startsWith("0b")) {
                long v = Long.parseLong(lower.substring(2), 2);
                return new Number(text, neg ? -v : v, neg ? -v : v, true);
            }
            if (lower.startsWith("0o") || (lower.length() > 1 && lower.startsWith("0") && lower.chars().allMatch(Character::isDigit))) {
                long v = Long.parseLong(lower.substring(lower.startsWith("0o") ? 2 : 1), 8);
                return new Number(text, neg ? -v : v, neg ? -v : v, true);
            }
            if (lower.chars().allMatch(Character::isDigit)) {
                long v = Long.parseLong(body);
                return new Number(text, neg ? -v : v, neg ? -v : v, true);
            }
            if (!io.sightline.common.GoFloat.isGoFloat(body) || lower.contains("inf") || lower.contains("nan")) {
                return null;
            }
            double d = io.sightline.common.GoFloat.parse(body);
            double v = neg ? -d : d;
            Long exact = v == Math.rint(v) && Math.abs(v) < 9.007199254740992E15 ? (long) v : null;
            return new Number(text, exact, v, false);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
