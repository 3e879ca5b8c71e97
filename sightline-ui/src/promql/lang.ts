// What the editor knows about PromQL: functions, aggregations, keywords (Prometheus 3).

export const FUNCTIONS: Record<string, string> = {
  abs: 'abs(v instant-vector)', absent: 'absent(v instant-vector)', absent_over_time: 'absent_over_time(v range-vector)',
  acos: 'acos(v)', acosh: 'acosh(v)', asin: 'asin(v)', asinh: 'asinh(v)', atan: 'atan(v)', atanh: 'atanh(v)',
  avg_over_time: 'avg_over_time(v range-vector)', ceil: 'ceil(v instant-vector)', changes: 'changes(v range-vector)',
  clamp: 'clamp(v, min, max)', clamp_max: 'clamp_max(v, max)', clamp_min: 'clamp_min(v, min)', cos: 'cos(v)', cosh: 'cosh(v)',
  count_over_time: 'count_over_time(v range-vector)', day_of_month: 'day_of_month(v=vector(time()))',
  day_of_week: 'day_of_week(v=vector(time()))', day_of_year: 'day_of_year(v=vector(time()))',
  days_in_month: 'days_in_month(v=vector(time()))', deg: 'deg(v)', delta: 'delta(v range-vector)', deriv: 'deriv(v range-vector)',
  double_exponential_smoothing: 'double_exponential_smoothing(v range-vector, sf, tf)', exp: 'exp(v)', floor: 'floor(v)',
  histogram_quantile: 'histogram_quantile(φ scalar, b instant-vector)', holt_winters: 'holt_winters(v range-vector, sf, tf)',
  hour: 'hour(v=vector(time()))', idelta: 'idelta(v range-vector)', increase: 'increase(v range-vector)', info: 'info(v, selector)',
  irate: 'irate(v range-vector)', label_join: 'label_join(v, dst, separator, src...)',
  label_replace: 'label_replace(v, dst, replacement, src, regex)', last_over_time: 'last_over_time(v range-vector)',
  ln: 'ln(v)', log10: 'log10(v)', log2: 'log2(v)', mad_over_time: 'mad_over_time(v range-vector)',
  max_over_time: 'max_over_time(v range-vector)', min_over_time: 'min_over_time(v range-vector)', minute: 'minute(v=vector(time()))',
  month: 'month(v=vector(time()))', pi: 'pi()', predict_linear: 'predict_linear(v range-vector, t scalar)',
  present_over_time: 'present_over_time(v range-vector)', quantile_over_time: 'quantile_over_time(φ, v range-vector)',
  rad: 'rad(v)', rate: 'rate(v range-vector)', resets: 'resets(v range-vector)', round: 'round(v, to_nearest=1)',
  scalar: 'scalar(v instant-vector)', sgn: 'sgn(v)', sin: 'sin(v)', sinh: 'sinh(v)', sort: 'sort(v)',
  sort_by_label: 'sort_by_label(v, label...)', sort_by_label_desc: 'sort_by_label_desc(v, label...)', sort_desc: 'sort_desc(v)',
  sqrt: 'sqrt(v)', stddev_over_time: 'stddev_over_time(v range-vector)', stdvar_over_time: 'stdvar_over_time(v range-vector)',
  sum_over_time: 'sum_over_time(v range-vector)', tan: 'tan(v)', tanh: 'tanh(v)', time: 'time()', timestamp: 'timestamp(v)',
  vector: 'vector(s scalar)', year: 'year(v=vector(time()))',
};

export const AGGREGATIONS: Record<string, string> = {
  sum: 'sum by (labels) (v)', avg: 'avg by (labels) (v)', min: 'min by (labels) (v)', max: 'max by (labels) (v)',
  count: 'count by (labels) (v)', group: 'group by (labels) (v)', stddev: 'stddev by (labels) (v)', stdvar: 'stdvar by (labels) (v)',
  topk: 'topk(k, v)', bottomk: 'bottomk(k, v)', quantile: 'quantile(φ, v)', count_values: 'count_values("label", v)',
  limitk: 'limitk(k, v)', limit_ratio: 'limit_ratio(r, v)',
};

export const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2'];

/** Modifiers whose parenthesised list holds label names. */
export const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
