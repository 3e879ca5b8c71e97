package io.sightline.promql.engine;

import io.sightline.promql.ast.Expr;
import java.util.List;

/** {@code info()}: enriches series with the data labels of matching info metrics. */
final class InfoFunction {

    private InfoFunction() {}

    static List<EvalSeries> eval(Evaluator ev, Expr.Call c) {
        throw QueryException.execution("function \"info\" is not supported yet");
    }
}
