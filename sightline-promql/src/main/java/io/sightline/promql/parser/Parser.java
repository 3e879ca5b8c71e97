package io.sightline.promql.parser;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.DurationExpr;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.Expr.AggregateOp;
import io.sightline.promql.ast.Expr.BinaryOp;
import io.sightline.promql.ast.Expr.Cardinality;
import io.sightline.promql.ast.FunctionSignature;
import io.sightline.promql.ast.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A recursive-descent PromQL parser with precedence climbing for binary operators. It type-checks as
 * it builds, so a returned expression is well-typed; every error is a {@link ParseException} that
 * names the position and what was expected.
 *
 * <p>Precedence, lowest first: {@code or}; {@code and unless}; comparisons; {@code + -};
 * {@code * / % atan2}; {@code ^} (right-associative). Unary minus binds like {@code *}, so
 * {@code -2 ^ 2} is {@code -(2 ^ 2)}.
 */
public final class Parser {

    private final String query;
    private final List<Token> tokens;
    private int i;
    /** Accept selectors whose matchers all match the empty string (series descriptions, info()'s second argument). */
    private boolean lenientSelector;

    private Parser(String query) {
        this.query = query;
        this.tokens = Lexer.tokenize(query);
    }

    /** Parses a whole query. */
    public static Expr parse(String query) {
        Parser p = new Parser(query);
        if (p.peek().kind() == Token.Kind.EOF) {
            throw new ParseException(query, 0, "no expression found in input");
        }
        Expr e = p.expr(0);
        if (p.peek().kind() != Token.Kind.EOF) {
            throw p.unexpected(p.peek(), null);
        }
        return e;
    }

    /** Parses a series description as used by test scripts: {@code name{a="b"}} with equality matchers only. */
    public static Labels parseSeries(String text) {
        Parser p = new Parser(text);
        p.lenientSelector = true;
        Expr e = p.primary();
        if (!(e instanceof Expr.VectorSelector vs) || p.peek().kind() != Token.Kind.EOF) {
            throw new ParseException(text, 0, "not a series description: " + text);
        }
        Labels.Builder b = Labels.builder();
        for (LabelMatcher m : vs.matchers()) {
            if (m.type() != LabelMatcher.Type.EQUAL) {
                throw new ParseException(text, 0, "series descriptions take = matchers only");
            }
            b.set(m.name(), m.value());
        }
        return b.build();
    }

    // ---- token helpers

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token advance() {
        Token t = tokens.get(i);
        if (t.kind() != Token.Kind.EOF) {
            i++;
        }
        return t;
    }

    private int lastEnd() {
        return i == 0 ? 0 : tokens.get(i - 1).end();
    }

    private ParseException error(int at, String reason) {
        return new ParseException(query, at, reason);
    }

    private ParseException unexpected(Token t, String expected) {
        String what = t.kind() == Token.Kind.EOF ? "end of input" : t.describe();
        return error(t.start(), "unexpected " + what + (expected == null ? "" : ", expected " + expected));
    }

    private Token expectOp(String op, String context) {
        Token t = peek();
        if (!t.is(op)) {
            throw unexpected(t, "\"" + op + "\"" + (context == null ? "" : " in " + context));
        }
        return advance();
    }

    // ---- expressions

    private static BinaryOp binaryOp(Token t) {
        if (t.kind() == Token.Kind.OP) {
            for (BinaryOp op : BinaryOp.values()) {
                if (op.text().equals(t.text())) {
                    return op;
                }
            }
            return null;
        }
        if (t.kind() == Token.Kind.IDENT) {
            String w = t.text().toLowerCase(Locale.ROOT);
            return switch (w) {
                case "and" -> BinaryOp.AND;
                case "or" -> BinaryOp.OR;
                case "unless" -> BinaryOp.UNLESS;
                case "atan2" -> BinaryOp.ATAN2;
                default -> null;
            };
        }
        return null;
    }

    private Expr expr(int minPrecedence) {
        Expr lhs = unary();
        while (true) {
            Token t = peek();
            BinaryOp op = binaryOp(t);
            if (op == null || op.precedence() < minPrecedence) {
                return lhs;
            }
            advance();
            boolean returnBool = false;
            if (peek().isWord("bool")) {
                advance();
                returnBool = true;
            }
            Expr.VectorMatching matching = matchingModifiers(op);
            Expr rhs = expr(op.rightAssociative() ? op.precedence() : op.precedence() + 1);
            lhs = binary(op, lhs, rhs, matching, returnBool, t);
        }
    }

    private Expr.VectorMatching matchingModifiers(BinaryOp op) {
        Cardinality card = op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE;
        List<String> labels = List.of();
        boolean on = false;
        boolean given = false;
        List<String> include = List.of();
        if (peek().isWord("on") || peek().isWord("ignoring")) {
            on = advance().isWord("on");
            labels = labelList();
            given = true;
            if (peek().isWord("group_left") || peek().isWord("group_right")) {
                Token g = advance();
                if (op.isSetOperator()) {
                    throw error(g.start(), "no grouping allowed for \"" + op.text() + "\" operation");
                }
                card = g.isWord("group_left") ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
                if (peek().is("(")) {
                    include = labelList();
                }
            }
        } else if (peek().isWord("group_left") || peek().isWord("group_right")) {
            throw unexpected(peek(), "\"on\" or \"ignoring\" before it");
        }
        Double fillLeft = null;
        Double fillRight = null;
        while (peek().isWord("fill") || peek().isWord("fill_left") || peek().isWord("fill_right")) {
            if (!peek(1).is("(")) {
                break;
            }
            Token f = advance();
            advance();
            double v = signedNumber("fill value");
            expectOp(")", "fill modifier");
            if (op.isSetOperator()) {
                throw error(f.start(), "fill modifiers are not allowed for set operator \"" + op.text() + "\"");
            }
            String w = f.text().toLowerCase(Locale.ROOT);
            if (w.equals("fill") || w.equals("fill_left")) {
                fillLeft = v;
            }
            if (w.equals("fill") || w.equals("fill_right")) {
                fillRight = v;
            }
            given = true;
        }
        for (String l : include) {
            if (on && labels.contains(l)) {
                throw error(lastEnd(), "label \"" + l + "\" must not occur in ON and GROUP clause at once");
            }
        }
        if (!given && card == (op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE)) {
            return new Expr.VectorMatching(card, List.of(), false, List.of(), null, null);
        }
        return new Expr.VectorMatching(card, labels, on, include, fillLeft, fillRight);
    }

    private double signedNumber(String what) {
        boolean neg = false;
        while (peek().is("-") || peek().is("+")) {
            if (advance().is("-")) {
                neg = !neg;
            }
        }
        Token t = advance();
        double v;
        if (t.kind() == Token.Kind.NUMBER) {
            v = parseNumber(t);
        } else if (t.kind() == Token.Kind.DURATION) {
            v = Durations.parseMillis(t.text()) / 1000.0;
        } else if (t.isWord("inf")) {
            v = Double.POSITIVE_INFINITY;
        } else if (t.isWord("nan")) {
            v = Double.NaN;
        } else {
            throw unexpected(t, what);
        }
        return neg ? -v : v;
    }

    private Expr binary(BinaryOp op, Expr lhs, Expr rhs, Expr.VectorMatching matching, boolean returnBool, Token t) {
        ValueType lt = lhs.type();
        ValueType rt = rhs.type();
        int start = lhs.start();
        int end = rhs.end();
        if ((lt != ValueType.SCALAR && lt != ValueType.VECTOR) || (rt != ValueType.SCALAR && rt != ValueType.VECTOR)) {
            throw error(t.start(), "binary expression must contain only scalar and instant vector types");
        }
        if (returnBool && !op.isComparison()) {
            throw error(t.start(), "bool modifier can only be used on comparison operators");
        }
        if (lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            if (op.isComparison() && !returnBool) {
                throw error(t.start(), "comparisons between scalars must use BOOL modifier");
            }
        }
        if (op.isSetOperator() && (lt == ValueType.SCALAR || rt == ValueType.SCALAR)) {
            throw error(t.start(), "set operator \"" + op.text() + "\" not allowed in binary scalar expression");
        }
        boolean bothVectors = lt == ValueType.VECTOR && rt == ValueType.VECTOR;
        boolean explicitMatching = matching.on() || !matching.labels().isEmpty()
                || matching.card() == Cardinality.MANY_TO_ONE || matching.card() == Cardinality.ONE_TO_MANY
                || matching.fillLeft() != null || matching.fillRight() != null;
        if (!bothVectors) {
            if (explicitMatching) {
                throw error(t.start(), "vector matching only allowed between instant vectors");
            }
            matching = null;
        }
        return new Expr.Binary(op, lhs, rhs, matching, returnBool, start, end);
    }

    private Expr unary() {
        Token t = peek();
        if (t.is("-") || t.is("+")) {
            advance();
            Expr operand = expr(BinaryOp.POW.precedence());
            ValueType ty = operand.type();
            if (ty != ValueType.SCALAR && ty != ValueType.VECTOR) {
                throw error(t.start(), "unary expression only allowed on expressions of type scalar or instant vector, got "
                        + "\"" + ty.text() + "\"");
            }
            if (t.is("+")) {
                // Unary plus changes nothing; keeping no node for it keeps printing stable ("+Inf ^ x").
                return operand;
            }
            if (operand instanceof Expr.NumberLiteral n) {
                return new Expr.NumberLiteral(-n.value(), t.start(), n.end());
            }
            return new Expr.Unary(true, operand, t.start(), operand.end());
        }
        return postfix(primary());
    }

    private Expr primary() {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                advance();
                return new Expr.NumberLiteral(parseNumber(t), t.start(), t.end());
            }
            case DURATION -> {
                advance();
                return new Expr.NumberLiteral(Durations.parseMillis(t.text()) / 1000.0, t.start(), t.end());
            }
            case STRING -> {
                advance();
                return new Expr.StringLiteral(t.text(), t.start(), t.end());
            }
            case OP -> {
                if (t.is("(")) {
                    advance();
                    if (peek().is(")")) {
                        throw unexpected(peek(), "expression");
                    }
                    Expr inner = expr(0);
                    Token close = expectOp(")", "parenthesised expression");
                    return new Expr.Paren(inner, t.start(), close.end());
                }
                if (t.is("{")) {
                    return selector(null, t.start());
                }
                throw unexpected(t, "expression");
            }
            case IDENT -> {
                return identifierExpression(t);
            }
            default -> throw unexpected(t, "expression");
        }
    }

    /**
     * As Prometheus: Go's {@code strconv.ParseInt(s, 0, 64)} first, so {@code 0x1F} is hexadecimal and
     * {@code 0777}, a leading zero and only octal digits, is octal (511); then {@code ParseFloat}, so
     * {@code 08}, {@code 017e1} and integers beyond 64 bits are decimal. Go's {@code ParseFloat} takes
     * hexadecimal only with a {@code p} exponent, which the lexer does not produce: a hexadecimal integer
     * beyond 64 bits is an error.
     */
    private double parseNumber(Token t) {
        String s = t.text();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseLong(s.substring(2), 16);
            }
            if (s.length() > 1 && s.charAt(0) == '0' && s.chars().allMatch(c -> c >= '0' && c <= '7')) {
                try {
                    return Long.parseLong(s, 8);
                } catch (NumberFormatException beyond64Bits) {
                    return Double.parseDouble(s);
                }
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(t.start(), "bad number or duration syntax: \"" + s + "\"");
        }
    }

    private Expr identifierExpression(Token t) {
        String word = t.text();
        Token next = peek(1);
        AggregateOp agg = AggregateOp.lookup(word);
        if (agg != null && (next.is("(") || next.isWord("by") || next.isWord("without"))) {
            return aggregate(agg);
        }
        if (next.is("(")) {
            FunctionSignature f = FunctionSignature.lookup(word);
            if (f == null) {
                throw error(t.start(), "unknown function with name \"" + word + "\"");
            }
            return call(f);
        }
        if (word.equalsIgnoreCase("inf")) {
            advance();
            return new Expr.NumberLiteral(Double.POSITIVE_INFINITY, t.start(), t.end());
        }
        if (word.equalsIgnoreCase("nan")) {
            advance();
            return new Expr.NumberLiteral(Double.NaN, t.start(), t.end());
        }
        if (binaryOp(t) != null || isReservedWord(word)) {
            throw unexpected(t, "expression");
        }
        advance();
        if (peek().is("{")) {
            return selector(word, t.start());
        }
        LabelMatcher nameMatcher = LabelMatcher.equal(Labels.METRIC_NAME, word);
        return new Expr.VectorSelector(word, List.of(nameMatcher), null, null, false, t.start(), t.end());
    }

    private static boolean isReservedWord(String w) {
        return switch (w.toLowerCase(Locale.ROOT)) {
            case "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool" -> true;
            default -> false;
        };
    }

    private Expr.VectorSelector selector(String name, int start) {
        Token open = expectOp("{", "selector");
        List<LabelMatcher> matchers = new ArrayList<>();
        String metricName = name;
        if (name != null) {
            matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
        }
        while (!peek().is("}")) {
            Token lt = advance();
            if (lt.kind() == Token.Kind.STRING && (peek().is(",") || peek().is("}"))) {
                // A bare quoted string is the (UTF-8) metric name.
                if (metricName != null) {
                    throw error(lt.start(), "metric name must not be set twice: \"" + metricName + "\" or \""
                            + lt.text() + "\"");
                }
                metricName = lt.text();
                matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, lt.text()));
            } else if (lt.kind() == Token.Kind.IDENT || lt.kind() == Token.Kind.STRING) {
                if (lt.kind() == Token.Kind.IDENT && lt.text().indexOf(':') >= 0) {
                    // Prometheus lexes only letters, digits and '_' as a label name inside braces.
                    throw error(lt.start() + lt.text().indexOf(':'), "unexpected character inside braces: ':'");
                }
                Token op = advance();
                LabelMatcher.Type type = switch (op.kind() == Token.Kind.OP ? op.text() : "") {
                    case "=" -> LabelMatcher.Type.EQUAL;
                    case "!=" -> LabelMatcher.Type.NOT_EQUAL;
                    case "=~" -> LabelMatcher.Type.REGEX;
                    case "!~" -> LabelMatcher.Type.NOT_REGEX;
                    default -> throw unexpected(op, "label matching operator");
                };
                Token value = advance();
                if (value.kind() != Token.Kind.STRING) {
                    throw unexpected(value, "label value");
                }
                if (lt.kind() == Token.Kind.STRING && !isValidUtf8Name(lt.text())) {
                    throw error(lt.start(), "invalid label name \"" + lt.text() + "\"");
                }
                try {
                    matchers.add(LabelMatcher.of(type, lt.text(), value.text()));
                } catch (IllegalArgumentException e) {
                    throw error(value.start(), "invalid regular expression " + value.describe() + ": "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
            } else {
                throw unexpected(lt, "label matching");
            }
            if (peek().is(",")) {
                advance();
            } else if (!peek().is("}")) {
                throw unexpected(peek(), "\",\" or \"}\" in label matching");
            }
        }
        Token close = advance();
        boolean anyNonEmpty = false;
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                anyNonEmpty = true;
            }
            if (m.name().equals(Labels.METRIC_NAME) && name != null && m != matchers.get(0)) {
                throw error(open.start(), "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"");
            }
        }
        if (!anyNonEmpty && !lenientSelector) {
            throw error(start, "vector selector must contain at least one non-empty matcher");
        }
        return new Expr.VectorSelector(metricName, List.copyOf(matchers), null, null, false, start, close.end());
    }

    private static boolean isValidUtf8Name(String s) {
        return !s.isEmpty() && !s.contains("\uFFFD");
    }

    private List<String> labelList() {
        expectOp("(", "grouping labels");
        List<String> out = new ArrayList<>();
        while (!peek().is(")")) {
            Token t = advance();
            if (t.kind() == Token.Kind.IDENT) {
                out.add(t.text());
            } else if (t.kind() == Token.Kind.STRING) {
                if (!isValidUtf8Name(t.text())) {
                    throw error(t.start(), "invalid label name \"" + t.text() + "\"");
                }
                out.add(t.text());
            } else {
                throw unexpected(t, "label");
            }
            if (peek().is(",")) {
                advance();
            } else if (!peek().is(")")) {
                throw unexpected(peek(), "\",\" or \")\" in grouping opts");
            }
        }
        advance();
        return List.copyOf(out);
    }

    private Expr aggregate(AggregateOp op) {
        Token name = advance();
        List<String> grouping = List.of();
        boolean without = false;
        boolean groupingGiven = false;
        if (peek().isWord("by") || peek().isWord("without")) {
            without = advance().isWord("without");
            grouping = labelList();
            groupingGiven = true;
        }
        List<Expr> args = arguments("aggregation", false);
        Token close = tokens.get(i - 1);
        if (!groupingGiven && (peek().isWord("by") || peek().isWord("without"))) {
            without = advance().isWord("without");
            grouping = labelList();
            groupingGiven = true;
        }
        int expected = op.hasParameter() ? 2 : 1;
        if (args.size() != expected) {
            throw error(name.start(), "wrong number of arguments for aggregate expression provided, expected "
                    + expected + ", got " + args.size());
        }
        Expr param = op.hasParameter() ? args.get(0) : null;
        Expr inner = args.get(args.size() - 1);
        if (inner.type() != ValueType.VECTOR) {
            throw error(inner.start(), "expected type instant vector in aggregation expression, got "
                    + inner.type().text());
        }
        if (param != null) {
            ValueType want = op == AggregateOp.COUNT_VALUES ? ValueType.STRING : ValueType.SCALAR;
            if (param.type() != want) {
                throw error(param.start(), "expected type " + want.text() + " in aggregation parameter, got "
                        + param.type().text());
            }
        }
        return new Expr.Aggregate(op, inner, param, grouping, without, groupingGiven, name.start(),
                Math.max(close.end(), lastEnd()));
    }

    /**
     * {@code (a, b, ...)}; a trailing comma is an error, as in Prometheus. For {@code info()}, the second
     * argument selects info series by labels that may all match the empty string.
     */
    private List<Expr> arguments(String context, boolean info) {
        expectOp("(", context);
        List<Expr> args = new ArrayList<>();
        if (!peek().is(")")) {
            args.add(expr(0));
            while (peek().is(",")) {
                Token comma = advance();
                if (peek().is(")")) {
                    throw error(comma.start(), "trailing commas not allowed in function call args");
                }
                boolean saved = lenientSelector;
                lenientSelector = info && args.size() == 1;
                args.add(expr(0));
                lenientSelector = saved;
            }
        }
        expectOp(")", context);
        return args;
    }

    private Expr call(FunctionSignature f) {
        Token name = advance();
        List<Expr> args = arguments("function call", f.name().equals("info"));
        Token close = tokens.get(i - 1);
        int declared = f.argTypes().size();
        int n = args.size();
        if (f.variadic() == 0) {
            if (n != declared) {
                throw error(name.start(), "expected " + declared + " argument(s) in call to \"" + f.name()
                        + "\", got " + n);
            }
        } else if (f.variadic() > 0) {
            int min = declared - 1;
            int max = declared - 1 + f.variadic();
            if (n < min || n > max) {
                throw error(name.start(), (n < min ? "expected at least " + min : "expected at most " + max)
                        + " argument(s) in call to \"" + f.name() + "\", got " + n);
            }
        } else if (n < declared - 1) {
            throw error(name.start(), "expected at least " + (declared - 1) + " argument(s) in call to \"" + f.name()
                    + "\", got " + n);
        }
        for (int a = 0; a < n; a++) {
            ValueType want = f.argTypes().get(Math.min(a, declared - 1));
            ValueType got = args.get(a).type();
            if (got != want) {
                throw error(args.get(a).start(), "expected type " + want.text() + " in call to function \""
                        + f.name() + "\", got " + got.text());
            }
        }
        return new Expr.Call(f, List.copyOf(args), name.start(), close.end());
    }

    // ---- postfix: ranges, subqueries, offset, @

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.is("[")) {
                e = rangeOrSubquery(e);
            } else if (t.isWord("offset")) {
                e = offset(e);
            } else if (t.is("@")) {
                e = at(e);
            } else if (t.isWord("smoothed") && e instanceof Expr.VectorSelector vs && !vs.smoothed()) {
                advance();
                e = vs.withSmoothed(t.end());
            } else if ((t.isWord("anchored") || t.isWord("smoothed")) && e instanceof Expr.MatrixSelector ms
                    && ms.mode() == Expr.RangeMode.PLAIN) {
                advance();
                e = new Expr.MatrixSelector(ms.selector(), ms.range(), t.isWord("anchored")
                        ? Expr.RangeMode.ANCHORED : Expr.RangeMode.SMOOTHED, ms.start(), t.end());
            } else {
                return e;
            }
        }
    }

    private Expr rangeOrSubquery(Expr e) {
        Token open = advance();
        DurationExpr range = durationExpr(0);
        if (peek().is(":")) {
            advance();
            DurationExpr step = null;
            if (!peek().is("]")) {
                step = durationExpr(0);
            }
            Token close = expectOp("]", "subquery selector");
            if (e.type() != ValueType.VECTOR) {
                throw error(open.start(), "subquery is only allowed on instant vector, got " + e.type().text()
                        + " instead");
            }
            checkPositive(range, open.start(), "subquery range");
            if (step != null) {
                checkPositive(step, open.start(), "subquery step");
            }
            return new Expr.Subquery(e, range, step, null, null, e.start(), close.end());
        }
        Token close = expectOp("]", "range selector");
        if (!(e instanceof Expr.VectorSelector vs)) {
            throw error(open.start(), "ranges only allowed for vector selectors");
        }
        if (vs.offset() != null || vs.at() != null || vs.smoothed()) {
            throw error(open.start(), "no offset, @ or smoothed modifiers allowed before range");
        }
        checkPositive(range, open.start(), "range");
        return new Expr.MatrixSelector(vs, range, Expr.RangeMode.PLAIN, vs.start(), close.end());
    }

    private void checkPositive(DurationExpr d, int at, String what) {
        checkRange(d, at);
        if (!d.dynamic() && d.millis(0, 0) <= 0) {
            throw error(at, what + " must be greater than 0, got " + Durations.format(d.millis(0, 0)));
        }
    }

    /** About 100,000 years: larger durations would overflow millisecond arithmetic. */
    private void checkRange(DurationExpr d, int at) {
        if (!d.dynamic()) {
            double s = d.seconds(0, 0);
            if (Double.isNaN(s) || Math.abs(s) > 3.1536e12) {
                throw error(at, "duration is out of range");
            }
        }
    }

    private Expr offset(Expr e) {
        Token kw = advance();
        DurationExpr d = offsetDuration();
        checkRange(d, kw.start());
        int end = lastEnd();
        if (e instanceof Expr.VectorSelector vs) {
            if (vs.offset() != null) {
                throw error(kw.start(), "offset may not be set multiple times");
            }
            return vs.withModifiers(d, vs.at(), end);
        }
        if (e instanceof Expr.MatrixSelector ms) {
            if (ms.selector().offset() != null) {
                throw error(kw.start(), "offset may not be set multiple times");
            }
            return new Expr.MatrixSelector(ms.selector().withModifiers(d, ms.selector().at(), ms.selector().end()),
                    ms.range(), ms.mode(), ms.start(), end);
        }
        if (e instanceof Expr.Subquery sq) {
            if (sq.offset() != null) {
                throw error(kw.start(), "offset may not be set multiple times");
            }
            return new Expr.Subquery(sq.expr(), sq.range(), sq.step(), d, sq.at(), sq.start(), end);
        }
        throw error(kw.start(), "offset modifier must be preceded by an instant vector selector or range vector "
                + "selector or a subquery");
    }

    /** After {@code offset}: an optionally negated literal, a parenthesised duration expression, or a duration function. */
    private DurationExpr offsetDuration() {
        boolean neg = false;
        if (peek().is("-") || peek().is("+")) {
            neg = advance().is("-");
        }
        DurationExpr d = durationAtom();
        return neg ? new DurationExpr.Negate(d, false) : d;
    }

    private Expr at(Expr e) {
        Token kw = advance();
        Expr.At at;
        Token t = peek();
        if ((t.isWord("start") || t.isWord("end")) && peek(1).is("(")) {
            advance();
            advance();
            expectOp(")", "@ modifier");
            at = new Expr.At(t.isWord("start") ? Expr.AtKind.START : Expr.AtKind.END, 0);
        } else {
            double v = signedNumber("timestamp after @");
            if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) > 9.2e12) {
                throw error(t.start(), "timestamp out of bounds for @ modifier: " + v);
            }
            at = new Expr.At(Expr.AtKind.TIMESTAMP, Math.round(v * 1000.0));
        }
        int end = lastEnd();
        if (e instanceof Expr.VectorSelector vs) {
            if (vs.at() != null) {
                throw error(kw.start(), "@ <timestamp> may not be set multiple times");
            }
            return vs.withModifiers(vs.offset(), at, end);
        }
        if (e instanceof Expr.MatrixSelector ms) {
            if (ms.selector().at() != null) {
                throw error(kw.start(), "@ <timestamp> may not be set multiple times");
            }
            return new Expr.MatrixSelector(ms.selector().withModifiers(ms.selector().offset(), at, ms.selector().end()),
                    ms.range(), ms.mode(), ms.start(), end);
        }
        if (e instanceof Expr.Subquery sq) {
            if (sq.at() != null) {
                throw error(kw.start(), "@ <timestamp> may not be set multiple times");
            }
            return new Expr.Subquery(sq.expr(), sq.range(), sq.step(), sq.offset(), at, sq.start(), end);
        }
        throw error(kw.start(), "@ modifier must be preceded by an instant vector selector or range vector selector "
                + "or a subquery");
    }

    // ---- duration expressions

    private static int durationPrecedence(Token t) {
        if (t.kind() != Token.Kind.OP) {
            return -1;
        }
        return switch (t.text()) {
            case "+", "-" -> 1;
            case "*", "/", "%" -> 2;
            case "^" -> 3;
            default -> -1;
        };
    }

    private DurationExpr durationExpr(int minPrecedence) {
        DurationExpr lhs;
        if (peek().is("-") || peek().is("+")) {
            boolean neg = advance().is("-");
            DurationExpr operand = durationExpr(3);
            lhs = neg ? new DurationExpr.Negate(operand, false) : operand;
        } else {
            lhs = durationAtom();
        }
        while (true) {
            int prec = durationPrecedence(peek());
            if (prec < 0 || prec < minPrecedence) {
                return lhs;
            }
            Token op = advance();
            DurationExpr rhs = durationExpr(op.is("^") ? prec : prec + 1);
            if ((op.is("/") || op.is("%")) && !rhs.dynamic() && rhs.seconds(0, 0) == 0) {
                throw error(op.start(), (op.is("/") ? "division" : "modulo") + " by zero in duration expression");
            }
            lhs = new DurationExpr.Arithmetic(op.text(), lhs, rhs);
        }
    }

    private DurationExpr durationAtom() {
        Token t = peek();
        if (t.kind() == Token.Kind.DURATION) {
            advance();
            return new DurationExpr.Literal(Durations.parseMillis(t.text()) / 1000.0, true, t.text());
        }
        if (t.kind() == Token.Kind.NUMBER) {
            advance();
            return new DurationExpr.Literal(parseNumber(t), false, t.text());
        }
        if (t.isWord("inf") || t.isWord("nan")) {
            // numbers as in any expression (Prometheus lexes them as numbers); the printer writes +Inf
            advance();
            return new DurationExpr.Literal(t.isWord("inf") ? Double.POSITIVE_INFINITY : Double.NaN, false, t.text());
        }
        if (t.is("(")) {
            advance();
            DurationExpr inner = durationExpr(0);
            expectOp(")", "duration expression");
            return new DurationExpr.Paren(inner);
        }
        if ((t.isWord("step") || t.isWord("range")) && peek(1).is("(")) {
            advance();
            advance();
            expectOp(")", t.text() + "()");
            return new DurationExpr.QueryParam(t.isWord("step"));
        }
        if ((t.isWord("min_of") || t.isWord("max_of")) && peek(1).is("(")) {
            advance();
            advance();
            DurationExpr a = durationExpr(0);
            expectOp(",", t.text() + "()");
            DurationExpr b = durationExpr(0);
            expectOp(")", t.text() + "()");
            return new DurationExpr.Arithmetic(t.text().toLowerCase(Locale.ROOT), a, b);
        }
        throw unexpected(t, "duration");
    }
}
