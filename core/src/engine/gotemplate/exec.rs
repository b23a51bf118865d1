//! The executor: walks parse trees against a dot value, following Go's
//! text/template evaluation rules (missing keys, nil interfaces, typed
//! function parameters, `and`/`or` short-circuit, range over slices, maps in
//! key order and integers) and wording errors as Go does.

use super::fmt as gofmt;
use super::funcs::{FuncTable, Host, Param};
use super::limits;
use super::parse::{Arg, Command, ControlKind, Node, Pipe, Tree, parse};
use super::value::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Go's limit on nested `{{template}}` calls.
const MAX_EXEC_DEPTH: usize = 100_000;
/// Helm's limit on nested `include`/`tpl` of one name.
pub const RECURSION_MAX: usize = 1000;

/// An error as Go's `error` chain sees it: the text of this level and the
/// error it wraps (`%w`), so Helm's error reformatting can walk it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoError {
    /// `Error()` of this level.
    pub text: String,
    /// The wrapped error, if any.
    pub cause: Option<Box<GoError>>,
    /// True for text/template's `ExecError`.
    pub exec: bool,
}

impl GoError {
    /// A plain error (`errors.New`).
    pub fn plain(text: impl Into<String>) -> GoError {
        GoError {
            text: text.into(),
            cause: None,
            exec: false,
        }
    }

    /// `fmt.Errorf(prefix + ": %w", cause)`.
    pub fn wrap(prefix: &str, cause: GoError) -> GoError {
        GoError {
            text: format!("{prefix}: {}", cause.text),
            cause: Some(Box::new(cause)),
            exec: false,
        }
    }

    /// The `Error()` texts down the `errors.Unwrap` chain.
    pub fn chain(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = Some(self);
        while let Some(e) = cur {
            out.push(e.text.clone());
            if e.exec {
                // ExecError wraps an fmt error with the same text.
                out.push(e.text.clone());
            }
            cur = e.cause.as_deref();
        }
        out
    }
}

impl std::fmt::Display for GoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether a missing map key is an error (`missingkey=error`, Helm's strict
/// mode) or reads as a nil value (`missingkey=zero`, Helm's default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingKey {
    /// Missing keys read as nil.
    Zero,
    /// Missing keys fail.
    Error,
}

/// A set of named templates. `tpl` layers a child set over its parent, so
/// `define`s inside a `tpl` string are visible only to that call.
#[derive(Debug, Default)]
pub struct TemplateSet {
    trees: HashMap<String, Rc<Tree>>,
    parent: Option<Rc<TemplateSet>>,
}

impl TemplateSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set layered over `parent`.
    pub fn child(parent: Rc<TemplateSet>) -> Self {
        TemplateSet {
            trees: HashMap::new(),
            parent: Some(parent),
        }
    }

    /// Adds parsed trees with Go's `AddParseTree` rule: an empty body never
    /// replaces an existing template; anything else replaces it.
    pub fn add(&mut self, trees: Vec<Tree>) {
        for t in trees {
            if t.is_empty() && self.lookup(&t.name).is_some() {
                continue;
            }
            self.trees.insert(t.name.clone(), Rc::new(t));
        }
    }

    /// Finds a template by name.
    pub fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        match self.trees.get(name) {
            Some(t) => Some(t.clone()),
            None => self.parent.as_ref().and_then(|p| p.lookup(name)),
        }
    }
}

/// Settings and shared state of one render.
pub struct Env {
    /// Function table.
    pub funcs: Rc<FuncTable>,
    /// Missing-key behaviour.
    pub missing_key: MissingKey,
    /// Helm lint mode (`required` and `fail` do not fail).
    pub lint_mode: bool,
    /// `lookup` implementation.
    pub lookup: Option<std::sync::Arc<dyn crate::engine::Lookup>>,
    /// `getHostByName` resolves names (`--enable-dns`).
    pub enable_dns: bool,
    /// Nesting count per `include`d name.
    pub included: RefCell<HashMap<String, usize>>,
}

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Executes one template of `set` with `data` as dot, appending to `out`.
pub fn execute(
    env: &Rc<Env>,
    set: &Rc<TemplateSet>,
    name: &str,
    data: Value,
    out: &mut String,
) -> Result<(), GoError> {
    let Some(tree) = set.lookup(name) else {
        return Err(GoError::plain(format!(
            "template: no template {} associated with template \"gotpl\"",
            gofmt::quote(name)
        )));
    };
    // A note left by an earlier, unrelated walk must not fail this one.
    limits::take_too_deep();
    let data = if let Value::Nil = data {
        Value::Invalid
    } else {
        data
    };
    let mut st = State {
        env: env.clone(),
        set: set.clone(),
        tree: tree.clone(),
        vars: vec![("$".into(), data.clone())],
        depth: 0,
        out,
    };
    st.walk(&data, &tree.root).map(|_| ())
}

struct State<'o> {
    env: Rc<Env>,
    set: Rc<TemplateSet>,
    tree: Rc<Tree>,
    vars: Vec<(String, Value)>,
    depth: usize,
    out: &'o mut String,
}

/// What a function call's evaluated argument list needs to know about a node.
type Ctx<'a> = (usize, &'a dyn std::fmt::Display);

impl State<'_> {
    fn errorf(&self, at: Ctx<'_>, msg: impl Into<String>) -> GoError {
        let loc = self.tree.src.location(at.0);
        GoError {
            text: format!(
                "template: {}: executing {} at <{}>: {}",
                loc,
                gofmt::quote(&self.tree.name),
                at.1,
                msg.into()
            ),
            cause: None,
            exec: true,
        }
    }

    fn errorf_wrap(&self, at: Ctx<'_>, prefix: &str, cause: GoError) -> GoError {
        let mut e = self.errorf(at, format!("{prefix}: {}", cause.text));
        e.cause = Some(Box::new(cause));
        e
    }

    /// Stops a template whose output outgrows [`limits::MAX_STRING`]
    /// (Helm would keep going until it runs out of memory).
    fn check_output(&self) -> Result<(), GoError> {
        if self.out.len() > limits::MAX_STRING {
            return Err(GoError::plain(format!(
                "template: {}: output exceeds hoist's limit of {} bytes \
                 (Helm would run out of memory)",
                self.tree.name,
                limits::MAX_STRING
            )));
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Result<Flow, GoError> {
        for n in nodes {
            match self.walk_node(dot, n)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_node(&mut self, dot: &Value, node: &Node) -> Result<Flow, GoError> {
        match node {
            Node::Text(t) => {
                self.out.push_str(t);
                self.check_output()?;
            }
            Node::Action { pos, pipe } => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    match &v {
                        Value::Invalid | Value::Nil => self.out.push_str("<no value>"),
                        Value::Object(o) => self.out.push_str(&o.display_action()),
                        other => {
                            let text = gofmt::format_v(other);
                            if limits::take_too_deep() {
                                let e = limits::too_deep_error();
                                return Err(self.errorf((*pos, pipe), e.text));
                            }
                            self.out.push_str(&text);
                        }
                    }
                    self.check_output()?;
                }
            }
            Node::Control {
                kind: ControlKind::Range,
                pipe,
                list,
                else_list,
                ..
            } => return self.walk_range(dot, pipe, list, else_list.as_deref()),
            Node::Control {
                kind,
                pipe,
                list,
                else_list,
                ..
            } => {
                let mark = self.vars.len();
                let v = self.eval_pipeline(dot, pipe)?;
                let r = if v.truth() {
                    if *kind == ControlKind::With {
                        self.walk(&v, list)
                    } else {
                        self.walk(dot, list)
                    }
                } else if let Some(el) = else_list {
                    self.walk(dot, el)
                } else {
                    Ok(Flow::Normal)
                };
                self.vars.truncate(mark);
                return r;
            }
            Node::Template { pos, name, pipe } => {
                let quoted = gofmt::quote(name);
                let ctx = match pipe {
                    Some(p) => format!("{{{{template {quoted} {p}}}}}"),
                    None => format!("{{{{template {quoted}}}}}"),
                };
                let Some(tree) = self.set.lookup(name) else {
                    return Err(self.errorf((*pos, &ctx), format!("template {quoted} not defined")));
                };
                if self.depth >= MAX_EXEC_DEPTH {
                    return Err(self.errorf(
                        (*pos, &ctx),
                        format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"),
                    ));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Value::Invalid,
                };
                let mut st = State {
                    env: self.env.clone(),
                    set: self.set.clone(),
                    tree: tree.clone(),
                    vars: vec![("$".into(), new_dot.clone())],
                    depth: self.depth + 1,
                    out: self.out,
                };
                st.walk(&new_dot, &tree.root)?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_range(
        &mut self,
        dot: &Value,
        pipe: &Pipe,
        list: &[Node],
        else_list: Option<&[Node]>,
    ) -> Result<Flow, GoError> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, pipe)?;
        let mut items: Vec<(Value, Value)> = Vec::new();
        match &val {
            Value::List(l) => {
                for (i, e) in l.iter().enumerate() {
                    items.push((Value::Int(i as i64), e.clone()));
                }
            }
            Value::StrList(_) | Value::Bytes(_) => {
                for (i, e) in val.list_items().unwrap_or_default().into_iter().enumerate() {
                    items.push((Value::Int(i as i64), e));
                }
            }
            Value::Map(m) => {
                for (k, v) in m.borrow().iter() {
                    items.push((Value::Str(k.clone()), v.clone()));
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                if pipe.decl.len() > 1 {
                    return Err(self.errorf(
                        (pipe.pos, pipe),
                        format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::format_v(&val)
                        ),
                    ));
                }
                let mk = |i: i64| {
                    if let Value::Int(_) = val {
                        Value::Int(i)
                    } else {
                        Value::Int64(i)
                    }
                };
                for i in 0..*n {
                    items.push((mk(i), mk(i)));
                }
            }
            Value::Invalid | Value::Nil => {}
            Value::Object(o) if o.entries().is_some() || o.items().is_some() => {
                if let Some(e) = o.entries() {
                    for (k, v) in e {
                        items.push((Value::Str(k), v));
                    }
                } else {
                    for (i, v) in o.items().unwrap_or_default().into_iter().enumerate() {
                        items.push((Value::Int(i as i64), v));
                    }
                }
            }
            other => {
                return Err(self.errorf(
                    (pipe.pos, pipe),
                    format!("range can't iterate over {}", gofmt::format_v(other)),
                ));
            }
        }
        if items.is_empty() {
            let r = match else_list {
                Some(el) => self.walk(dot, el),
                None => Ok(Flow::Normal),
            };
            self.vars.truncate(mark);
            return r.map(|_| Flow::Normal);
        }
        for (index, elem) in items {
            let n = pipe.decl.len();
            if n > 0 {
                if pipe.is_assign {
                    if n > 1 {
                        self.set_var(pipe, &pipe.decl[0], index.clone())?;
                        self.set_var(pipe, &pipe.decl[1], elem.clone())?;
                    } else {
                        self.set_var(pipe, &pipe.decl[0], elem.clone())?;
                    }
                } else {
                    let len = self.vars.len();
                    self.vars[len - 1].1 = elem.clone();
                    if n > 1 {
                        self.vars[len - 2].1 = index.clone();
                    }
                }
            }
            let inner = self.vars.len();
            let flow = self.walk(&elem, list);
            self.vars.truncate(inner);
            match flow? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn set_var(&mut self, pipe: &Pipe, name: &str, v: Value) -> Result<(), GoError> {
        for (n, val) in self.vars.iter_mut().rev() {
            if n == name {
                *val = v;
                return Ok(());
            }
        }
        Err(self.errorf((pipe.pos, pipe), format!("undefined variable: {name}")))
    }

    fn var_value(&self, at: Ctx<'_>, name: &str) -> Result<Value, GoError> {
        for (n, v) in self.vars.iter().rev() {
            if n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(at, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value, GoError> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let mut v = self.eval_command(dot, cmd, value.take())?;
            // A nil interface{} result becomes "no value", as reflect does.
            if let Value::Nil = v {
                v = Value::Invalid;
            }
            value = Some(v);
        }
        let value = value.unwrap_or_default();
        for d in &pipe.decl {
            if pipe.is_assign {
                self.set_var(pipe, d, value.clone())?;
            } else {
                self.vars.push((d.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Value>) -> Result<(), GoError> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.errorf(
                (args[0].pos(), &args[0]),
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        cmd: &Command,
        fin: Option<Value>,
    ) -> Result<Value, GoError> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, ids) => {
                return self.eval_field_chain(dot, dot.clone(), first, ids, &cmd.args, fin, false);
            }
            Arg::Chain(_, inner, fields) => {
                if let Arg::Nil(_) = **inner {
                    return Err(self.errorf(
                        (first.pos(), first),
                        format!("indirection through explicit nil in {first}"),
                    ));
                }
                let recv = self.eval_arg(dot, inner, Param::Reflect)?;
                return self.eval_field_chain(dot, recv, first, fields, &cmd.args, fin, false);
            }
            Arg::Identifier(p, name) => {
                return self.eval_function(dot, *p, name, cmd, &cmd.args[1..], fin);
            }
            Arg::Pipe(_, pipe) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, pipe);
            }
            Arg::Variable(_, ids) => {
                let v = self.var_value((first.pos(), first), &ids[0])?;
                if ids.len() == 1 {
                    self.not_a_function(&cmd.args, &fin)?;
                    return Ok(v);
                }
                return self.eval_field_chain(dot, v, first, &ids[1..], &cmd.args, fin, false);
            }
            _ => {}
        }
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.errorf((first.pos(), first), "nil is not a command")),
            Arg::Number(_, n) => self.ideal_constant(first, n),
            Arg::Str(_, _, s) => Ok(Value::Str(s.clone())),
            _ => Err(self.errorf(
                (first.pos(), first),
                format!(
                    "can't evaluate command {}",
                    gofmt::quote(&first.to_string())
                ),
            )),
        }
    }

    fn ideal_constant(&self, node: &Arg, n: &super::parse::Number) -> Result<Value, GoError> {
        let is_hex = {
            let t = n.text.trim_start_matches(['+', '-']);
            t.len() > 2 && (t.starts_with("0x") || t.starts_with("0X")) && !t.contains(['p', 'P'])
        };
        if n.is_float && !is_hex && !n.is_char && n.text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float));
        }
        if n.is_int {
            return Ok(Value::Int(n.int));
        }
        Err(self.errorf((node.pos(), node), format!("{} overflows int", n.text)))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        mut recv: Value,
        node: &Arg,
        ids: &[String],
        args: &[Arg],
        fin: Option<Value>,
        mut from_iface: bool,
    ) -> Result<Value, GoError> {
        let n = ids.len();
        for id in &ids[..n - 1] {
            recv = self.eval_field(dot, id, node, &[], None, recv, from_iface)?;
            from_iface = true;
        }
        self.eval_field(dot, &ids[n - 1], node, args, fin, recv, from_iface)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &Arg,
        args: &[Arg],
        fin: Option<Value>,
        recv: Value,
        from_iface: bool,
    ) -> Result<Value, GoError> {
        let at = (node.pos(), node as &dyn std::fmt::Display);
        let has_args = args.len() > 1 || fin.is_some();
        match &recv {
            Value::Invalid => {
                if self.env.missing_key == MissingKey::Error {
                    return Err(self.errorf(
                        at,
                        format!("nil data; no entry for key {}", gofmt::quote(name)),
                    ));
                }
                Ok(Value::Invalid)
            }
            Value::Nil => {
                Err(self.errorf(at, format!("nil pointer evaluating interface {{}}.{name}")))
            }
            Value::Map(m) => {
                if has_args {
                    return Err(
                        self.errorf(at, format!("{name} is not a method but has arguments"))
                    );
                }
                let got = m.borrow().get(name).cloned();
                match got {
                    Some(v) => Ok(v),
                    None => match self.env.missing_key {
                        MissingKey::Zero => Ok(Value::Nil),
                        MissingKey::Error => Err(self.errorf(
                            at,
                            format!("map has no entry for key {}", gofmt::quote(name)),
                        )),
                    },
                }
            }
            Value::Object(o) => {
                let o = o.clone();
                if let Some(params) = o.method_params(name) {
                    let given = args.len().saturating_sub(1) + usize::from(fin.is_some());
                    if given != params.len() {
                        return Err(self.errorf(
                            at,
                            format!(
                                "wrong number of args for {name}: want {} got {given}",
                                params.len()
                            ),
                        ));
                    }
                    let mut argv = Vec::new();
                    for (a, p) in args.iter().skip(1).zip(params.iter()) {
                        argv.push(self.eval_arg(dot, a, *p)?);
                    }
                    if let Some(f) = fin {
                        let p = params[params.len() - 1];
                        argv.push(self.validate(f, p).map_err(|m| self.errorf(at, m))?);
                    }
                    let r = o.call(name, &argv).unwrap_or(Ok(Value::Invalid));
                    return r.map_err(|e| {
                        self.errorf_wrap(at, &format!("error calling {name}"), GoError::plain(e))
                    });
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        return Err(self.errorf(
                            at,
                            format!("{name} has arguments but cannot be invoked as function"),
                        ));
                    }
                    return Ok(v);
                }
                Err(self.errorf(
                    at,
                    format!("can't evaluate field {name} in type {}", o.type_name()),
                ))
            }
            other => {
                let ty = if from_iface {
                    "interface {}".to_string()
                } else {
                    other.type_name()
                };
                Err(self.errorf(at, format!("can't evaluate field {name} in type {ty}")))
            }
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        pos: usize,
        name: &str,
        cmd: &dyn std::fmt::Display,
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value, GoError> {
        let funcs = self.env.funcs.clone();
        let ident = name.to_string();
        let Some(f) = funcs.get(name) else {
            return Err(self.errorf(
                (pos, &ident),
                format!("{} is not a defined function", gofmt::quote(name)),
            ));
        };
        let cmd_pos = pos;
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed = f.params.len();
        if f.variadic.is_some() {
            if num_in < num_fixed {
                return Err(self.errorf(
                    (pos, &ident),
                    format!(
                        "wrong number of args for {name}: want at least {num_fixed} got {}",
                        args.len()
                    ),
                ));
            }
        } else if num_in != num_fixed {
            return Err(self.errorf(
                (pos, &ident),
                format!("wrong number of args for {name}: want {num_fixed} got {num_in}"),
            ));
        }
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Value::Invalid;
            for a in args {
                v = self.eval_arg(dot, a, Param::Reflect)?;
                if v.truth() == want {
                    return Ok(v);
                }
            }
            if let Some(fv) = fin {
                v = fv;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let p = if i < num_fixed {
                f.params[i]
            } else {
                f.variadic.unwrap_or(Param::Any)
            };
            argv.push(self.eval_arg(dot, a, p)?);
        }
        if let Some(fv) = fin {
            let p = if f.variadic.is_some() && num_in > num_fixed {
                f.variadic.unwrap_or(Param::Any)
            } else {
                f.params[num_in - 1]
            };
            let v = self
                .validate(fv, p)
                .map_err(|m| self.errorf((cmd_pos, cmd), m))?;
            argv.push(v);
        }
        let func = f.f;
        let result = func(self, argv).and_then(|v| {
            // Runaway results Go would die on (see `limits`).
            if limits::take_too_deep() {
                return Err(limits::too_deep_error());
            }
            if let Value::Str(s) = &v {
                limits::check_string(s.len() as u128)?;
            }
            Ok(v)
        });
        result.map_err(|e| self.errorf_wrap((cmd_pos, cmd), &format!("error calling {name}"), e))
    }

    /// Go's `validateType`: can this value be passed as that parameter?
    fn validate(&self, v: Value, p: Param) -> Result<Value, String> {
        let ok = match (&v, p) {
            (_, Param::Reflect) => return Ok(v),
            (Value::Invalid, Param::Any) => return Ok(Value::Nil),
            (Value::Invalid, Param::Map) | (Value::Nil, Param::Map) => {
                return Ok(Value::map(Default::default()));
            }
            (Value::Invalid, Param::List) | (Value::Nil, Param::List) => {
                return Ok(Value::list(Vec::new()));
            }
            (Value::Invalid, _) => return Err(format!("invalid value; expected {}", p.go_type())),
            (_, Param::Any) => true,
            (Value::Str(_), Param::Str) => true,
            (Value::Int(_), Param::Int) => true,
            (Value::Int64(_), Param::Int64) => true,
            (Value::Float(_), Param::Float) => true,
            (Value::Bool(_), Param::Bool) => true,
            (Value::Map(_), Param::Map) => true,
            (Value::List(_), Param::List) => true,
            _ => false,
        };
        if ok {
            Ok(v)
        } else {
            Err(format!(
                "wrong type for value; expected {}; got {}",
                p.go_type(),
                v.type_name()
            ))
        }
    }

    fn eval_arg(&mut self, dot: &Value, arg: &Arg, p: Param) -> Result<Value, GoError> {
        let at = (arg.pos(), arg as &dyn std::fmt::Display);
        let dynamic = match arg {
            Arg::Dot(_) => Some(dot.clone()),
            Arg::Nil(_) => {
                return match p {
                    Param::Any | Param::Reflect => Ok(Value::Nil),
                    Param::Map => Ok(Value::map(Default::default())),
                    Param::List => Ok(Value::list(Vec::new())),
                    _ => Err(self.errorf(at, format!("cannot assign nil to {}", p.go_type()))),
                };
            }
            Arg::Field(_, ids) => Some(self.eval_field_chain(
                dot,
                dot.clone(),
                arg,
                ids,
                std::slice::from_ref(arg),
                None,
                false,
            )?),
            Arg::Variable(_, ids) => {
                let v = self.var_value(at, &ids[0])?;
                if ids.len() == 1 {
                    Some(v)
                } else {
                    Some(self.eval_field_chain(
                        dot,
                        v,
                        arg,
                        &ids[1..],
                        std::slice::from_ref(arg),
                        None,
                        false,
                    )?)
                }
            }
            Arg::Pipe(_, pipe) => Some(self.eval_pipeline(dot, pipe)?),
            Arg::Identifier(pos, name) => {
                Some(self.eval_function(dot, *pos, name, arg, &[], None)?)
            }
            Arg::Chain(_, inner, fields) => {
                if let Arg::Nil(_) = **inner {
                    return Err(
                        self.errorf(at, format!("indirection through explicit nil in {arg}"))
                    );
                }
                let recv = self.eval_arg(dot, inner, Param::Reflect)?;
                Some(self.eval_field_chain(
                    dot,
                    recv,
                    arg,
                    fields,
                    std::slice::from_ref(arg),
                    None,
                    false,
                )?)
            }
            _ => None,
        };
        if let Some(v) = dynamic {
            // Values read out of maps are interfaces; a pipeline result is not.
            let v = if let (Arg::Pipe(..), Value::Nil) = (arg, &v) {
                Value::Invalid
            } else {
                v
            };
            return self.validate(v, p).map_err(|m| self.errorf(at, m));
        }
        let bad =
            |st: &Self, what: &str| Err(st.errorf(at, format!("expected {what}; found {arg}")));
        match (p, arg) {
            (Param::Bool, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
            (Param::Bool, _) => bad(self, "bool"),
            (Param::Int, Arg::Number(_, n)) if n.is_int => Ok(Value::Int(n.int)),
            (Param::Int64, Arg::Number(_, n)) if n.is_int => Ok(Value::Int64(n.int)),
            (Param::Int | Param::Int64, _) => bad(self, "integer"),
            (Param::Float, Arg::Number(_, n)) if n.is_float => Ok(Value::Float(n.float)),
            (Param::Float, _) => bad(self, "float"),
            (Param::Str, Arg::Str(_, _, s)) => Ok(Value::Str(s.clone())),
            (Param::Str, _) => bad(self, "string"),
            (Param::Any | Param::Reflect, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
            (Param::Any | Param::Reflect, Arg::Str(_, _, s)) => Ok(Value::Str(s.clone())),
            (Param::Any | Param::Reflect, Arg::Number(_, n)) => self.ideal_constant(arg, n),
            _ => Err(self.errorf(
                at,
                format!("can't handle {arg} for arg of type {}", p.go_type()),
            )),
        }
    }
}

impl Host for State<'_> {
    fn include(&mut self, name: &str, data: Value) -> Result<Value, GoError> {
        {
            let mut inc = self.env.included.borrow_mut();
            let c = inc.entry(name.to_string()).or_insert(0);
            if *c > RECURSION_MAX {
                return Err(GoError::wrap(
                    &format!("rendering template has a nested reference name: {name}"),
                    GoError::plain("unable to execute template"),
                ));
            }
            *c += 1;
        }
        let mut buf = String::new();
        let r = execute(&self.env, &self.set, name, data, &mut buf);
        if let Some(c) = self.env.included.borrow_mut().get_mut(name) {
            *c = c.saturating_sub(1);
        }
        r.map(|_| Value::Str(buf))
    }

    fn tpl(&mut self, text: &str, data: Value) -> Result<Value, GoError> {
        let funcs = self.env.funcs.clone();
        let trees = parse("gotpl", text, &|n| funcs.contains_key(n)).map_err(|e| {
            GoError::wrap(
                &format!("cannot parse template {}", gofmt::quote(text)),
                GoError::plain(e.0),
            )
        })?;
        let mut child = TemplateSet::child(self.set.clone());
        child.add(trees);
        let child = Rc::new(child);
        let mut buf = String::new();
        execute(&self.env, &child, "gotpl", data, &mut buf).map_err(|e| {
            GoError::wrap(
                &format!(
                    "error during tpl function execution for {}",
                    gofmt::quote(text)
                ),
                e,
            )
        })?;
        Ok(Value::Str(buf.replace("<no value>", "")))
    }

    fn lint_mode(&self) -> bool {
        self.env.lint_mode
    }

    fn enable_dns(&self) -> bool {
        self.env.enable_dns
    }

    fn lookup(&self, api: &str, kind: &str, ns: &str, name: &str) -> Result<Value, GoError> {
        match &self.env.lookup {
            None => Ok(Value::map(Default::default())),
            Some(l) => l
                .lookup(api, kind, ns, name)
                .map(|v| Value::from_input(&v))
                .map_err(GoError::plain),
        }
    }
}
