//! Evaluation and printing, following `JSONPath.FindResults`,
//! `PrintResults` and the `eval*` functions of the Go engine over values
//! as Helm holds them (`map[string]interface{}` from a values file).

use super::parser::{Node, Param};
use crate::values::{Map, Value};

/// Work allowed for one template: nodes walked plus results produced. Go
/// has no limit; templates such as forty `{range}` without `{end}` take it
/// exponential time there.
const MAX_STEPS: u64 = 50_000_000;

/// Most output a template may print: values printed again and again
/// (`{range ..}{..}{end}`) can otherwise grow far beyond the values.
const MAX_OUTPUT: usize = 256 * 1024 * 1024;
/// Nesting of `range` allowed.
const MAX_RANGE_DEPTH: usize = 10_000;

/// A template that failed over the given values. Helm ignores these: its
/// `show values --jsonpath` prints nothing for the values then and exits 0.
/// The messages are the Go engine's.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExecError {
    /// A field that no current object has.
    #[error("{0} is not found")]
    NotFound(String),
    /// Indexing something other than a list (Go's type name).
    #[error("{0} is not array or slice")]
    NotArray(&'static str),
    /// An index or slice bound outside the list.
    #[error("array index out of bounds: index {index}, length {length}")]
    OutOfBounds { index: i64, length: usize },
    /// `[3:1]`.
    #[error("starting index {start} is greater than ending index {end}")]
    StartAfterEnd { start: i64, end: i64 },
    /// `[::0]` or a negative step.
    #[error("step must be > 0")]
    Step,
    /// Filtering something other than a list (Go's `%v` of it).
    #[error("{0} is not array or slice and cannot be filtered")]
    NotFilterable(String),
    /// A filter side with several results.
    #[error("can only compare one element at a time")]
    CompareMany,
    /// An operator that parsed but is not one of the six.
    #[error("unrecognized filter operator {0}")]
    Operator(String),
    /// Comparing a map, list, null, or ordering booleans.
    #[error("invalid type for comparison")]
    ComparisonType,
    /// Comparing values of different kinds (a values-file number, a
    /// `float64`, with an integer literal among them).
    #[error("incompatible types for comparison")]
    IncompatibleComparison,
    /// `{end}` outside a `range`.
    #[error("not in range, nothing to end")]
    NotInRange,
    /// A bare word other than `range`, `end`, `true`, `false`.
    #[error("unrecognized identifier {0}")]
    Identifier(String),
    /// A float JSON cannot hold (NaN, ±Inf) in a map or list being printed.
    #[error("json: unsupported value: {0}")]
    Json(String),
    /// Where Go's engine panics (`reflect: call of reflect.Value.Type on
    /// zero Value`), so Helm crashes: a missing value inside a `range`
    /// indexed with `[n]` or ranged over.
    #[error("jsonpath: {0} of a missing value (Helm's engine panics here)")]
    Panic(&'static str),
    /// The template needs more work than hoist allows.
    #[error("jsonpath: the template needs more than {MAX_STEPS} steps over these values")]
    TooMuchWork,
    /// More `range` nested than hoist allows.
    #[error("jsonpath: range nested more than {MAX_RANGE_DEPTH} deep")]
    TooDeep,
    /// More output than hoist allows.
    #[error("jsonpath: the template prints more than {MAX_OUTPUT} bytes over these values")]
    TooMuchOutput,
}

impl ExecError {
    /// True where Helm does not simply print nothing: its engine panics
    /// (the command crashes) or, for hoist's limits, would run out of time
    /// or memory.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ExecError::Panic(_)
                | ExecError::TooMuchWork
                | ExecError::TooDeep
                | ExecError::TooMuchOutput
        )
    }
}

/// One `reflect.Value` the Go engine passes around.
#[derive(Clone, Copy, Debug)]
enum Item<'a> {
    /// The zero `reflect.Value`: what a `range` over a null or over nothing
    /// evaluates its body on.
    Invalid,
    /// A node of the values (`Value::Null` is a nil `interface{}`).
    Val(&'a Value),
    /// A quoted string or text from the template (Go `string`).
    Text(&'a [u8]),
    /// An integer literal (Go `int`).
    Int(i64),
    /// A float literal.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A byte of a string, from `.*` or `..` (Go `uint8`).
    Byte(u8),
}

/// The Go kind of an item, for printing and comparing.
enum Kind<'a> {
    Invalid,
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a [u8]),
    List(&'a [Value]),
    Map(&'a Map),
}

impl<'a> Item<'a> {
    fn kind(self) -> Kind<'a> {
        match self {
            Item::Invalid => Kind::Invalid,
            Item::Val(v) => match v {
                Value::Null => Kind::Nil,
                Value::Bool(b) => Kind::Bool(*b),
                Value::Int(i) => Kind::Int(*i),
                Value::Float(f) => Kind::Float(*f),
                Value::String(s) => Kind::Str(s.as_bytes()),
                Value::List(l) => Kind::List(l),
                Value::Map(m) => Kind::Map(m),
            },
            Item::Text(t) => Kind::Str(t),
            Item::Int(i) => Kind::Int(i),
            Item::Float(f) => Kind::Float(f),
            Item::Bool(b) => Kind::Bool(b),
            Item::Byte(b) => Kind::Uint(u64::from(b)),
        }
    }

    /// Go's `reflect.Value.Type()` name.
    fn type_name(self) -> Result<&'static str, ExecError> {
        Ok(match self {
            Item::Invalid => return Err(ExecError::Panic("reflect.Value.Type")),
            Item::Val(Value::Null) => "interface {}",
            Item::Val(Value::Bool(_)) | Item::Bool(_) => "bool",
            Item::Val(Value::Int(_)) => "int64",
            Item::Int(_) => "int",
            Item::Val(Value::Float(_)) | Item::Float(_) => "float64",
            Item::Val(Value::String(_)) | Item::Text(_) => "string",
            Item::Val(Value::List(_)) => "[]interface {}",
            Item::Val(Value::Map(_)) => "map[string]interface {}",
            Item::Byte(_) => "uint8",
        })
    }

    /// `reflect.Value.Interface()` followed by `reflect.ValueOf`: a nil
    /// interface becomes the zero value; the zero value itself panics.
    fn interface(self) -> Result<Item<'a>, ExecError> {
        match self {
            Item::Invalid => Err(ExecError::Panic("reflect.Value.Interface")),
            Item::Val(Value::Null) => Ok(Item::Invalid),
            other => Ok(other),
        }
    }

    /// Go's `%v` of the value, for error messages.
    fn go_v(self) -> String {
        match self {
            Item::Invalid => "<invalid reflect.Value>".into(),
            Item::Val(v) => {
                let mut out = String::new();
                go_v(v, &mut out);
                out
            }
            Item::Text(t) => String::from_utf8_lossy(t).into_owned(),
            Item::Int(i) => i.to_string(),
            Item::Float(f) => crate::strconv::format_float(f, 'g', -1),
            Item::Bool(b) => b.to_string(),
            Item::Byte(b) => b.to_string(),
        }
    }

    /// `template.Indirect` for the nil test: a nil interface is skipped.
    fn is_nil(self) -> bool {
        matches!(self, Item::Val(Value::Null))
    }

    /// What `.*` and `..` see inside: map values (in key order), list
    /// elements, string bytes.
    fn children(self) -> Vec<Item<'a>> {
        match self.kind() {
            Kind::Map(m) => m.values().map(Item::Val).collect(),
            Kind::List(l) => l.iter().map(Item::Val).collect(),
            Kind::Str(s) => s.iter().map(|b| Item::Byte(*b)).collect(),
            _ => Vec::new(),
        }
    }
}

/// Go's `%v` of a value: `[a b]`, `map[k:v]` (keys sorted), `<nil>`.
fn go_v(v: &Value, out: &mut String) {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&crate::strconv::format_float(*f, 'g', -1)),
        Value::String(s) => out.push_str(s),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                go_v(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                go_v(x, out);
            }
            out.push(']');
        }
    })
}

/// An evaluation step that failed, with the values the Go function returns
/// beside its error (an existence filter still looks at them).
struct Failed<'a> {
    items: Vec<Item<'a>>,
    error: ExecError,
}

impl From<ExecError> for Failed<'_> {
    fn from(error: ExecError) -> Self {
        Failed {
            items: Vec::new(),
            error,
        }
    }
}

type Step<'a> = Result<Vec<Item<'a>>, Failed<'a>>;

fn fail<'a, T>(items: &[Item<'a>], error: ExecError) -> Result<T, Failed<'a>> {
    Err(Failed {
        items: items.to_vec(),
        error,
    })
}

/// `JSONPath.Execute`: all results first (any error discards them), then
/// each action's results printed, several joined by a space.
pub(crate) fn execute(nodes: &[Node], data: &Value, out: &mut Vec<u8>) -> Result<(), ExecError> {
    execute_capped(nodes, data, out, MAX_OUTPUT)
}

fn execute_capped(
    nodes: &[Node],
    data: &Value,
    out: &mut Vec<u8>,
    max_output: usize,
) -> Result<(), ExecError> {
    let mut run = Run {
        nodes,
        begin_range: 0,
        in_range: 0,
        end_range: 0,
        last_end: None,
        steps: 0,
        depth: 0,
    };
    let results = run.find_results(Item::Val(data), 0).map_err(|f| f.error)?;
    for group in &results {
        for (i, item) in group.iter().enumerate() {
            print(*item, out)?;
            if i + 1 != group.len() {
                out.push(b' ');
            }
            if out.len() > max_output {
                return Err(ExecError::TooMuchOutput);
            }
        }
    }
    Ok(())
}

/// `PrintResults` for one value: maps and lists as compact JSON, the rest
/// as `fmt.Fprint` prints it.
fn print(item: Item<'_>, out: &mut Vec<u8>) -> Result<(), ExecError> {
    let text = match item {
        Item::Invalid => "<no value>".to_string(),
        Item::Val(v @ (Value::Map(_) | Value::List(_))) => {
            crate::json::marshal(v, crate::json::Style::COMPACT).map_err(|e| match e {
                crate::json::JsonError::UnsupportedValue(s) => ExecError::Json(s),
                other => ExecError::Json(other.to_string()),
            })?
        }
        Item::Val(Value::Null) => "null".to_string(),
        Item::Val(Value::Bool(b)) => b.to_string(),
        Item::Val(Value::Int(i)) => i.to_string(),
        Item::Val(Value::Float(f)) => crate::strconv::format_float(*f, 'g', -1),
        Item::Val(Value::String(s)) => {
            out.extend_from_slice(s.as_bytes());
            return Ok(());
        }
        Item::Text(t) => {
            out.extend_from_slice(t);
            return Ok(());
        }
        Item::Bool(b) => b.to_string(),
        Item::Int(i) => i.to_string(),
        Item::Float(f) => crate::strconv::format_float(f, 'g', -1),
        Item::Byte(b) => b.to_string(),
    };
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// The engine's mutable state: Go keeps the `range` bookkeeping in the
/// `JSONPath` value and shares it across the recursion.
struct Run<'a> {
    nodes: &'a [Node],
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Index in `nodes` of the last `{end}` that closed a range.
    last_end: Option<usize>,
    steps: u64,
    depth: usize,
}

impl<'a> Run<'a> {
    fn spend(&mut self, n: usize) -> Result<(), ExecError> {
        self.steps = self.steps.saturating_add(n as u64 + 1);
        if self.steps > MAX_STEPS {
            return Err(ExecError::TooMuchWork);
        }
        Ok(())
    }

    /// `FindResults` over `nodes[start..]` with `data` as the current
    /// object; a `range` recurses for each of its results.
    fn find_results(
        &mut self,
        data: Item<'a>,
        start: usize,
    ) -> Result<Vec<Vec<Item<'a>>>, Failed<'a>> {
        if self.depth >= MAX_RANGE_DEPTH {
            return Err(ExecError::TooDeep.into());
        }
        self.depth += 1;
        let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.find_from(data, start));
        self.depth -= 1;
        result
    }

    fn find_from(
        &mut self,
        data: Item<'a>,
        start: usize,
    ) -> Result<Vec<Vec<Item<'a>>>, Failed<'a>> {
        let cur = [data];
        let mut full = Vec::new();
        let mut i = start;
        let nodes = self.nodes;
        while i < nodes.len() {
            let results = self.walk(&cur, &nodes[i])?;
            // An `{end}` closes the block this call evaluates.
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // Still walk the body, on nothing, to find its end.
                    self.find_results(Item::Invalid, i + 1)?;
                } else {
                    for value in results {
                        let value = value.interface()?;
                        full.extend(self.find_results(value, i + 1)?);
                    }
                }
                self.in_range -= 1;
                // Resume after the `{end}` met inside, if it lies ahead.
                if let Some(end) = self.last_end.filter(|&e| e > i) {
                    i = end;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk(&mut self, input: &[Item<'a>], node: &'a Node) -> Step<'a> {
        self.spend(input.len())?;
        let out = match node {
            Node::List(list) => self.eval_list(input, list),
            Node::Text(t) => Ok(vec![Item::Text(t)]),
            Node::Field(name) => eval_field(input, name),
            Node::Array(params) => eval_array(input, params),
            Node::Filter { left, right, op } => self.eval_filter(input, left, right, op),
            Node::Int(n) => Ok(vec![Item::Int(*n); input.len()]),
            Node::Float(f) => Ok(vec![Item::Float(*f); input.len()]),
            Node::Bool(b) => Ok(vec![Item::Bool(*b); input.len()]),
            Node::Wildcard => Ok(input
                .iter()
                .filter(|v| !v.is_nil())
                .flat_map(|v| v.children())
                .collect()),
            Node::Recursive => self.eval_recursive(input),
            Node::Union(lists) => self.eval_union(input, lists),
            Node::Identifier(name) => self.eval_identifier(input, name),
        };
        if let Ok(items) = &out {
            self.spend(items.len())?;
        }
        out
    }

    fn eval_list(&mut self, input: &[Item<'a>], list: &'a [Node]) -> Step<'a> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            let mut cur = input.to_vec();
            for node in list {
                cur = self.walk(&cur, node)?;
            }
            Ok(cur)
        })
    }

    fn eval_identifier(&mut self, input: &[Item<'a>], name: &str) -> Step<'a> {
        match name {
            "range" => {
                self.begin_range += 1;
                Ok(input.to_vec())
            }
            "end" if self.in_range > 0 => {
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" => fail(&[], ExecError::NotInRange),
            _ => fail(input, ExecError::Identifier(name.to_string())),
        }
    }

    fn eval_union(&mut self, input: &[Item<'a>], lists: &'a [Vec<Node>]) -> Step<'a> {
        let mut result = Vec::new();
        for list in lists {
            match self.eval_list(input, list) {
                Ok(items) => result.extend(items),
                Err(f) => return fail(input, f.error),
            }
        }
        Ok(result)
    }

    fn eval_recursive(&mut self, input: &[Item<'a>]) -> Step<'a> {
        // Go recurses; this is the same pre-order walk with a stack: every
        // value that has something inside (a non-empty map, list or
        // string), then what is inside it.
        let mut result = Vec::new();
        for &value in input {
            let mut stack = vec![value];
            while let Some(v) = stack.pop() {
                if v.is_nil() {
                    continue;
                }
                let children = v.children();
                if children.is_empty() {
                    continue;
                }
                self.spend(children.len())?;
                result.push(v);
                stack.extend(
                    children
                        .into_iter()
                        .rev()
                        .filter(|c| !matches!(c, Item::Byte(_))),
                );
            }
        }
        Ok(result)
    }

    fn eval_filter(
        &mut self,
        input: &[Item<'a>],
        left: &'a [Node],
        right: &'a [Node],
        op: &str,
    ) -> Step<'a> {
        let mut results = Vec::new();
        for &value in input {
            let Kind::List(list) = value.kind() else {
                return fail(input, ExecError::NotFilterable(value.go_v()));
            };
            for element in list {
                let temp = [Item::Val(element)];
                let lefts = self.eval_list(&temp, left);
                if op == "exists" {
                    let lefts = match lefts {
                        Ok(items) => items,
                        Err(f) if !f.error.is_fatal() => f.items,
                        Err(f) => return Err(f),
                    };
                    if !lefts.is_empty() {
                        results.push(Item::Val(element));
                    }
                    continue;
                }
                let lefts = match lefts {
                    Ok(items) => items,
                    Err(f) => return fail(input, f.error),
                };
                let left = match lefts.as_slice() {
                    [] => continue,
                    [one] => one.interface()?,
                    _ => return fail(input, ExecError::CompareMany),
                };
                let rights = match self.eval_list(&temp, right) {
                    Ok(items) => items,
                    Err(f) => return fail(input, f.error),
                };
                let right = match rights.as_slice() {
                    [] => continue,
                    [one] => one.interface()?,
                    _ => return fail(input, ExecError::CompareMany),
                };
                let pass = match op {
                    "<" => less(left, right),
                    ">" => less_equal(left, right).map(|le| !le),
                    "==" => equal(left, right),
                    "!=" => equal(left, right).map(|eq| !eq),
                    "<=" => less_equal(left, right),
                    ">=" => less(left, right).map(|lt| !lt),
                    _ => return fail(&results, ExecError::Operator(op.to_string())),
                };
                match pass {
                    Ok(true) => results.push(Item::Val(element)),
                    Ok(false) => {}
                    Err(e) => return fail(&results, e),
                }
            }
        }
        Ok(results)
    }
}

fn eval_field<'a>(input: &[Item<'a>], name: &str) -> Step<'a> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let results: Vec<Item<'a>> = input
        .iter()
        .filter_map(|v| match v.kind() {
            Kind::Map(m) => m.get(name).map(Item::Val),
            _ => None,
        })
        .collect();
    if results.is_empty() {
        return fail(&[], ExecError::NotFound(name.to_string()));
    }
    Ok(results)
}

fn eval_array<'a>(input: &[Item<'a>], params: &[Param; 3]) -> Step<'a> {
    let mut result = Vec::new();
    for &value in input {
        if value.is_nil() {
            continue;
        }
        let Kind::List(list) = value.kind() else {
            return fail(input, ExecError::NotArray(value.type_name()?));
        };
        let len = list.len() as i64;
        let mut start = if params[0].known { params[0].value } else { 0 };
        if start < 0 {
            start = start.wrapping_add(len);
        }
        let mut end = if params[1].known {
            params[1].value
        } else {
            len
        };
        if end < 0 || (end == 0 && params[1].derived) {
            end = end.wrapping_add(len);
        }
        if start == end {
            // Zero elements asked for: Go returns at once, skipping the
            // remaining inputs.
            return Ok(result);
        }
        let length = list.len();
        if start >= len || start < 0 {
            return fail(
                input,
                ExecError::OutOfBounds {
                    index: start,
                    length,
                },
            );
        }
        if end > len || end < 0 {
            return fail(
                input,
                ExecError::OutOfBounds {
                    index: end.wrapping_sub(1),
                    length,
                },
            );
        }
        if start > end {
            return fail(input, ExecError::StartAfterEnd { start, end });
        }
        let step = if params[2].known {
            if params[2].value <= 0 {
                return fail(input, ExecError::Step);
            }
            params[2].value
        } else {
            1
        };
        let slice = &list[start as usize..end as usize];
        result.extend(
            slice
                .iter()
                .step_by(usize::try_from(step).unwrap_or(usize::MAX))
                .map(Item::Val),
        );
    }
    Ok(result)
}

/// text/template's `basicKind` classes, with the value.
enum Basic<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a [u8]),
}

fn basic(item: Item<'_>) -> Result<Basic<'_>, ExecError> {
    match item.kind() {
        Kind::Bool(b) => Ok(Basic::Bool(b)),
        Kind::Int(i) => Ok(Basic::Int(i)),
        Kind::Uint(u) => Ok(Basic::Uint(u)),
        Kind::Float(f) => Ok(Basic::Float(f)),
        Kind::Str(s) => Ok(Basic::Str(s)),
        Kind::Invalid | Kind::Nil | Kind::List(_) | Kind::Map(_) => Err(ExecError::ComparisonType),
    }
}

/// text/template's `eq` for two arguments.
fn equal(a: Item<'_>, b: Item<'_>) -> Result<bool, ExecError> {
    let (a, b) = (basic(a)?, basic(b)?);
    Ok(match (a, b) {
        (Basic::Bool(x), Basic::Bool(y)) => x == y,
        (Basic::Int(x), Basic::Int(y)) => x == y,
        (Basic::Uint(x), Basic::Uint(y)) => x == y,
        (Basic::Float(x), Basic::Float(y)) => x == y,
        (Basic::Str(x), Basic::Str(y)) => x == y,
        (Basic::Int(x), Basic::Uint(y)) | (Basic::Uint(y), Basic::Int(x)) => {
            x >= 0 && x as u64 == y
        }
        _ => return Err(ExecError::IncompatibleComparison),
    })
}

/// text/template's `lt`.
fn less(a: Item<'_>, b: Item<'_>) -> Result<bool, ExecError> {
    let (a, b) = (basic(a)?, basic(b)?);
    Ok(match (a, b) {
        (Basic::Bool(_), Basic::Bool(_)) => return Err(ExecError::ComparisonType),
        (Basic::Int(x), Basic::Int(y)) => x < y,
        (Basic::Uint(x), Basic::Uint(y)) => x < y,
        (Basic::Float(x), Basic::Float(y)) => x < y,
        (Basic::Str(x), Basic::Str(y)) => x < y,
        (Basic::Int(x), Basic::Uint(y)) => x < 0 || (x as u64) < y,
        (Basic::Uint(x), Basic::Int(y)) => y >= 0 && x < y as u64,
        _ => return Err(ExecError::IncompatibleComparison),
    })
}

/// text/template's `le`: `lt`, then `eq`.
fn less_equal(a: Item<'_>, b: Item<'_>) -> Result<bool, ExecError> {
    if less(a, b)? {
        return Ok(true);
    }
    equal(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonpath::JsonPath;

    fn values() -> Value {
        crate::chart::load_values(
            "num: 1\nbig: 1000000\nf: 0.5\ns: str\nb: true\nz: null\n\
             l: [a, b, c]\nm: {x2: 2, x1: 1}\n\
             ps: [{k: a, p: 80}, {k: b, p: 443}, {k: c}]\n\
             g: [[1, 2, 3], [4], [5, 6, 7]]\nmixed: [1, null]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(t: &str) -> Result<String, ExecError> {
        let p = JsonPath::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        let mut out = Vec::new();
        p.execute(&values(), &mut out)?;
        Ok(String::from_utf8(out).unwrap_or_else(|e| panic!("{e}")))
    }

    fn ok(t: &str) -> String {
        run(t).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    fn err(t: &str) -> String {
        match run(t) {
            Ok(out) => panic!("{t}: expected an error, got {out:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn yaml_1_1_booleans_as_helm_reads_them() {
        // sigs.k8s.io/yaml reads `y`, `n`, `yes`, `off` as booleans, keys too.
        let v = crate::chart::load_values("n: yes\ny: off\n").unwrap_or_else(|e| panic!("{e}"));
        let p = JsonPath::parse("{}").unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        p.execute(&v, &mut out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, br#"{"false":true,"true":false}"#);
    }

    #[test]
    fn output_beyond_the_cap_is_a_fatal_error() {
        let nodes =
            crate::jsonpath::parser::parse("{.ps}{.ps}{.ps}{.g}").unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        execute_capped(&nodes, &values(), &mut out, 1 << 20).unwrap_or_else(|e| panic!("{e}"));
        let whole = out.len();
        assert!(whole > 40, "{whole}");
        let mut out = Vec::new();
        let e = execute_capped(&nodes, &values(), &mut out, whole / 2).unwrap_err();
        assert!(matches!(e, ExecError::TooMuchOutput), "{e}");
        assert!(e.is_fatal());
    }

    #[test]
    fn scalars_print_as_go_prints_them() {
        assert_eq!(
            ok("{.num} {.big} {.f} {.s} {.b} {.z}"),
            "1 1e+06 0.5 str true null"
        );
        assert_eq!(ok("{1} {-2} {1.5} {true} {'q'}"), "1 -2 1.5 true q");
    }

    #[test]
    fn maps_and_lists_print_as_json() {
        assert_eq!(ok("{.m}"), r#"{"x1":1,"x2":2}"#);
        assert_eq!(ok("{.l}"), r#"["a","b","c"]"#);
        assert_eq!(ok("{.g[*]}"), "[1,2,3] [4] [5,6,7]");
    }

    #[test]
    fn fields_and_missing_keys() {
        assert_eq!(ok("{$.s}{@.s}{['s']}"), "strstrstr");
        assert_eq!(err("{.nope}"), "nope is not found");
        assert_eq!(err("{.s.x}"), "x is not found");
        assert_eq!(err("{.z.x}"), "x is not found");
        // Nothing in, nothing out, no error.
        assert_eq!(ok("{.l[0:0].x}"), "");
    }

    #[test]
    fn indexes_and_slices() {
        assert_eq!(
            ok("{.l[0]} {.l[-1]} {.l[1:]} {.l[::2]} {.l[0,2]}"),
            "a c b c a c a c"
        );
        assert_eq!(
            err("{.l[3]}"),
            "array index out of bounds: index 3, length 3"
        );
        assert_eq!(
            err("{.l[-4]}"),
            "array index out of bounds: index -1, length 3"
        );
        assert_eq!(
            err("{.l[0:9]}"),
            "array index out of bounds: index 8, length 3"
        );
        assert_eq!(
            err("{.l[2:1]}"),
            "starting index 2 is greater than ending index 1"
        );
        assert_eq!(err("{.l[::0]}"), "step must be > 0");
        assert_eq!(err("{.s[0]}"), "string is not array or slice");
        assert_eq!(
            err("{.m[0]}"),
            "map[string]interface {} is not array or slice"
        );
        assert_eq!(ok("{.z[0]}"), "");
        // An empty slice of one list ends the step for all the others.
        assert_eq!(ok("{.g[*][1:]}"), "2 3");
    }

    #[test]
    fn wildcard_and_recursive_descent_in_key_order() {
        assert_eq!(ok("{.m.*}"), "1 2");
        assert_eq!(ok("{.s.*}"), "115 116 114");
        assert_eq!(ok("{..p}"), "80 443");
        assert_eq!(ok("{.m..}"), r#"{"x1":1,"x2":2}"#);
        assert_eq!(ok("{.l..}"), r#"["a","b","c"] a b c"#);
    }

    #[test]
    fn filters_compare_like_text_template() {
        assert_eq!(ok("{.ps[?(@.k=='b')].p}"), "443");
        assert_eq!(ok("{.g[?(@[0]>3.0)]}"), "[4] [5,6,7]");
        // An element without the key fails the whole filter (Go's quirk).
        assert_eq!(err("{.ps[?(@.p>100.0)].k}"), "p is not found");
        assert_eq!(ok("{.ps[?(@.p)].k}"), "a b");
        assert_eq!(ok("{.l[?(@>='b')]}"), "b c");
        // Values-file numbers are float64: an int literal does not compare.
        assert_eq!(
            err("{.ps[?(@.p==80)].k}"),
            "incompatible types for comparison"
        );
        assert_eq!(err("{.g[?(@[0]==4.0)].x}"), "x is not found");
        assert_eq!(err("{.mixed[?(@==1.0)]}"), "invalid type for comparison");
        assert_eq!(
            err("{.ps[?(@.p===1.0)]}"),
            "unrecognized filter operator ==="
        );
        assert_eq!(
            err("{.m[?(@.x)]}"),
            "map[x1:1 x2:2] is not array or slice and cannot be filtered"
        );
        // Bytes compare with ints regardless of sign.
        assert_eq!(ok("{.ps[?(@.k.*==97)].p}"), "80");
    }

    #[test]
    fn range_and_end() {
        assert_eq!(ok("{range .l[*]}[{@}]{end}"), "[a][b][c]");
        assert_eq!(ok("{range .ps[0:2]}{.k}={.p};{end}"), "a=80;b=443;");
        assert_eq!(ok("{range .g[*]}{range @[*]}{@}{end}/{end}"), "123/4/567/");
        assert_eq!(ok("{range .mixed[*]}{@},{end}"), "1,<no value>,");
        assert_eq!(err("{end}"), "not in range, nothing to end");
        assert_eq!(err("{range .l[0:0]}{.x}{end}"), "x is not found");
        // Without an end, the rest runs once per result and then once more.
        assert_eq!(ok("{range .l[*]}{@}"), format!("abc{}", ok("{@}")));
    }

    #[test]
    fn go_panics_are_fatal_errors() {
        let e = run("{range .mixed[*]}{range @}x{end}{end}").unwrap_err();
        assert!(e.is_fatal(), "{e}");
        let e = run("{range .l[0:0]}{[0]}{end}").unwrap_err();
        assert!(e.is_fatal(), "{e}");
    }

    #[test]
    fn hostile_templates_stop() {
        let e = run(&"{range}".repeat(60)).unwrap_err();
        assert_eq!(e, ExecError::TooMuchWork);
        let nested = format!("{}{}", "{range @}".repeat(20_000), "{end}".repeat(20_000));
        assert_eq!(run(&nested).unwrap_err(), ExecError::TooDeep);
        let ok_nested = format!("{}x{}", "{range @}".repeat(2_000), "{end}".repeat(2_000));
        assert_eq!(ok(&ok_nested), "x");
    }

    #[test]
    fn print_errors_keep_what_came_before() {
        let mut m = Map::new();
        m.insert("a".into(), Value::from("ok"));
        m.insert("l".into(), Value::List(vec![Value::Float(f64::NAN)]));
        let p = JsonPath::parse("{.a} {.l}").unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let e = p.execute(&Value::Map(m), &mut out).unwrap_err();
        assert_eq!(e.to_string(), "json: unsupported value: NaN");
        assert_eq!(out, b"ok ");
    }
}
