//! Parse trees of Go's text/template and the parser that builds them, with
//! Go's scoping rules for variables, `else if`/`else with` chains,
//! `define`/`block`, and Go's parse error messages.

use super::lexer::{Tok, Token, lex};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The text a tree was parsed from, for error positions.
#[derive(Debug)]
pub struct Source {
    /// The name of the top-level template being parsed (the file name).
    pub parse_name: String,
    /// The full template text.
    pub text: String,
}

impl Source {
    /// Go's `ErrorContext` location: `NAME:LINE:COL` (column in bytes, from 0).
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text[..pos];
        let line = 1 + before.matches('\n').count();
        let col = match before.rfind('\n') {
            None => pos,
            Some(i) => pos - (i + 1),
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }

    fn line(&self, pos: usize) -> usize {
        1 + self.text[..pos.min(self.text.len())].matches('\n').count()
    }
}

/// One named template.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Template name (file name, or a `define`d name).
    pub name: String,
    /// The text it came from.
    pub src: Rc<Source>,
    /// Its body.
    pub root: Rc<Vec<Node>>,
}

impl Tree {
    /// Go's `IsEmptyTree`: only whitespace text.
    pub fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text(t) => t.trim().is_empty(),
            _ => false,
        })
    }
}

/// A statement-level node.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal text.
    Text(String),
    /// `{{pipeline}}`.
    Action {
        /// Position.
        pos: usize,
        /// The pipeline.
        pipe: Pipe,
    },
    /// `{{if}}`, `{{range}}` or `{{with}}`.
    Control {
        /// Which one.
        kind: ControlKind,
        /// Position of the pipeline.
        pos: usize,
        /// The pipeline.
        pipe: Pipe,
        /// Body.
        list: Vec<Node>,
        /// `{{else}}` body.
        else_list: Option<Vec<Node>>,
    },
    /// `{{template "name" pipeline}}`.
    Template {
        /// Position.
        pos: usize,
        /// Called template.
        name: String,
        /// Its data.
        pipe: Option<Pipe>,
    },
    /// `{{break}}`.
    Break(usize),
    /// `{{continue}}`.
    Continue(usize),
}

/// Which control structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlKind {
    /// `if`.
    If,
    /// `range`.
    Range,
    /// `with`.
    With,
}

/// A pipeline, possibly with variable declarations.
#[derive(Debug, Clone)]
pub struct Pipe {
    /// Position of its first token.
    pub pos: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared variables (with `$`).
    pub decl: Vec<String>,
    /// Commands separated by `|`.
    pub cmds: Vec<Command>,
}

/// One command of a pipeline.
#[derive(Debug, Clone)]
pub struct Command {
    /// Position.
    pub pos: usize,
    /// Operands; the first is the function or value.
    pub args: Vec<Arg>,
}

/// A parsed number constant, as Go's `NumberNode`.
#[derive(Debug, Clone)]
pub struct Number {
    /// As written.
    pub text: String,
    /// Fits an int64.
    pub is_int: bool,
    /// Value as int.
    pub int: i64,
    /// Representable as float64.
    pub is_float: bool,
    /// Value as float.
    pub float: f64,
    /// Was a character constant.
    pub is_char: bool,
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.A.B`.
    Field(usize, Vec<String>),
    /// `$x.A.B` (first element is the variable with `$`).
    Variable(usize, Vec<String>),
    /// `.`.
    Dot(usize),
    /// `nil`.
    Nil(usize),
    /// `true`/`false`.
    Bool(usize, bool),
    /// A number.
    Number(usize, Number),
    /// A string literal: as written, and its value.
    Str(usize, String, String),
    /// A function name.
    Identifier(usize, String),
    /// `(pipeline).A.B`.
    Chain(usize, Box<Arg>, Vec<String>),
    /// `(pipeline)`.
    Pipe(usize, Box<Pipe>),
}

impl Arg {
    /// Position of the operand.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::Str(p, _, _)
            | Arg::Identifier(p, _)
            | Arg::Chain(p, _, _)
            | Arg::Pipe(p, _) => *p,
        }
    }
}

impl std::fmt::Display for Arg {
    /// Go's `Node.String()`, used in error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Field(_, ids) => {
                for i in ids {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable(_, ids) => write!(f, "{}", ids.join(".")),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::Str(_, q, _) => f.write_str(q),
            Arg::Identifier(_, n) => f.write_str(n),
            Arg::Chain(_, n, fields) => {
                if matches!(**n, Arg::Pipe(..)) {
                    write!(f, "({n})")?;
                } else {
                    write!(f, "{n}")?;
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Pipe(_, p) => write!(f, "{p}"),
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(..) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            write!(
                f,
                "{} {} ",
                self.decl.join(", "),
                if self.is_assign { "=" } else { ":=" }
            )?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A parse error, already worded as Go's `template: NAME:LINE: msg`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// What a statement-level parse step produced.
enum Item {
    Node(Node),
    End(usize),
    Else(usize),
}

struct Parser<'a> {
    src: Rc<Source>,
    toks: Vec<Token>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    defs: Vec<Tree>,
}

/// Parses one template text named `name`: returns its own tree followed by
/// the trees of the templates it `define`s or `block`s.
pub fn parse(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, ParseError> {
    let src = Rc::new(Source {
        parse_name: name.to_string(),
        text: text.to_string(),
    });
    let toks = lex(text).map_err(|e| {
        ParseError(format!(
            "template: {}:{}: {}",
            name,
            src.line(e.pos),
            e.message
        ))
    })?;
    let mut p = Parser {
        src: src.clone(),
        toks,
        i: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        has_func,
        defs: Vec::new(),
    };
    let root = p.parse_top()?;
    let mut out = vec![Tree {
        name: name.to_string(),
        src,
        root: Rc::new(root),
    }];
    // Within one text, a name may be defined only once (empty bodies aside).
    let mut seen: BTreeMap<String, bool> = BTreeMap::new();
    for d in p.defs {
        let empty = d.is_empty();
        if let Some(prev_empty) = seen.get(&d.name)
            && !prev_empty
            && !empty
        {
            return Err(ParseError(format!(
                "template: {}:{}: template: multiple definition of template {:?}",
                name, 1, d.name
            )));
        }
        seen.insert(d.name.clone(), empty);
        out.push(d);
    }
    Ok(out)
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn peek_pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].pos
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Tok::Space) {
            self.i += 1;
        }
    }

    fn next_non_space(&mut self) -> Token {
        self.skip_space();
        self.next()
    }

    fn peek_non_space(&mut self) -> (Tok, usize) {
        self.skip_space();
        (self.peek().clone(), self.peek_pos())
    }

    fn err<T>(&self, pos: usize, msg: String) -> Result<T, ParseError> {
        Err(ParseError(format!(
            "template: {}:{}: {}",
            self.src.parse_name,
            self.src.line(pos),
            msg
        )))
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> Result<T, ParseError> {
        self.err(
            t.pos,
            format!("unexpected {} in {}", tok_str(&t.tok), context),
        )
    }

    fn parse_top(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut list = Vec::new();
        loop {
            if matches!(self.peek(), Tok::Eof) {
                return Ok(list);
            }
            if matches!(self.peek(), Tok::LeftDelim) {
                let save = self.i;
                self.next();
                let t = self.next_non_space();
                if t.tok == Tok::Keyword("define") {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(p) => return self.err(p, "unexpected {{end}}".into()),
                Item::Else(p) => return self.err(p, "unexpected {{else}}".into()),
            }
        }
    }

    fn parse_definition(&mut self) -> Result<(), ParseError> {
        const CTX: &str = "define clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CTX)?;
        let t2 = self.next_non_space();
        if t2.tok != Tok::RightDelim {
            return self.unexpected(&t2, CTX);
        }
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Item::Else(p) = end {
            return self.err(p, format!("unexpected {{{{else}}}} in {CTX}"));
        }
        self.defs.push(Tree {
            name,
            src: self.src.clone(),
            root: Rc::new(list),
        });
        Ok(())
    }

    fn template_name(&self, t: &Token, ctx: &str) -> Result<String, ParseError> {
        match &t.tok {
            Tok::Str(s) | Tok::RawStr(s) => unquote(s).map_err(|e| {
                ParseError(format!(
                    "template: {}:{}: {}",
                    self.src.parse_name,
                    self.src.line(t.pos),
                    e
                ))
            }),
            _ => self.unexpected(t, ctx),
        }
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Item), ParseError> {
        let mut list = Vec::new();
        loop {
            let (t, pos) = self.peek_non_space();
            if t == Tok::Eof {
                return self.err(pos, "unexpected EOF".into());
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(s))),
            Tok::LeftDelim => self.action(),
            _ => self.unexpected(&t, "input"),
        }
    }

    fn expect_right_delim(&mut self, ctx: &str) -> Result<usize, ParseError> {
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return self.unexpected(&t, ctx);
        }
        Ok(t.pos)
    }

    fn action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Keyword("block") => return self.block_control().map(Item::Node),
            Tok::Keyword("break") | Tok::Keyword("continue") => {
                let is_break = t.tok == Tok::Keyword("break");
                let word = if is_break { "break" } else { "continue" };
                self.expect_right_delim(&format!("{{{{{word}}}}}"))?;
                if self.range_depth == 0 {
                    return self.err(t.pos, format!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                return Ok(Item::Node(if is_break {
                    Node::Break(t.pos)
                } else {
                    Node::Continue(t.pos)
                }));
            }
            Tok::Keyword("else") => {
                let (nt, pos) = self.peek_non_space();
                if nt == Tok::Keyword("if") || nt == Tok::Keyword("with") {
                    return Ok(Item::Else(pos));
                }
                let p = self.expect_right_delim("else")?;
                return Ok(Item::Else(p));
            }
            Tok::Keyword("end") => {
                let p = self.expect_right_delim("end")?;
                return Ok(Item::End(p));
            }
            Tok::Keyword("if") => return self.control(ControlKind::If).map(Item::Node),
            Tok::Keyword("range") => return self.control(ControlKind::Range).map(Item::Node),
            Tok::Keyword("with") => return self.control(ControlKind::With).map(Item::Node),
            Tok::Keyword("template") => return self.template_control().map(Item::Node),
            _ => {}
        }
        self.i -= 1;
        let pos = self.peek_pos();
        let pipe = self.pipeline("command", &Tok::RightDelim)?;
        Ok(Item::Node(Node::Action { pos, pipe }))
    }

    fn control(&mut self, kind: ControlKind) -> Result<Node, ParseError> {
        let ctx = match kind {
            ControlKind::If => "if",
            ControlKind::Range => "range",
            ControlKind::With => "with",
        };
        let nvars = self.vars.len();
        let pipe = self.pipeline(ctx, &Tok::RightDelim)?;
        if kind == ControlKind::Range {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if kind == ControlKind::Range {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Item::Else(_) = next {
            let (t, _) = self.peek_non_space();
            if kind == ControlKind::If && t == Tok::Keyword("if") {
                self.next_non_space();
                else_list = Some(vec![self.control(ControlKind::If)?]);
            } else if kind == ControlKind::With && t == Tok::Keyword("with") {
                self.next_non_space();
                else_list = Some(vec![self.control(ControlKind::With)?]);
            } else {
                let (l, n2) = self.item_list()?;
                if let Item::Else(p) = n2 {
                    return self.err(p, "expected end; found {{else}}".into());
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(nvars);
        Ok(Node::Control {
            kind,
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn template_control(&mut self) -> Result<Node, ParseError> {
        const CTX: &str = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CTX)?;
        let (nt, _) = self.peek_non_space();
        let pipe = if nt == Tok::RightDelim {
            self.next();
            None
        } else {
            Some(self.pipeline(CTX, &Tok::RightDelim)?)
        };
        Ok(Node::Template {
            pos: t.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> Result<Node, ParseError> {
        const CTX: &str = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CTX)?;
        let pipe = self.pipeline(CTX, &Tok::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        self.range_depth = saved_depth;
        if let Item::Else(p) = end {
            return self.err(p, format!("unexpected {{{{else}}}} in {CTX}"));
        }
        self.defs.push(Tree {
            name: name.clone(),
            src: self.src.clone(),
            root: Rc::new(list),
        });
        Ok(Node::Template {
            pos: t.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, ctx: &str, end: &Tok) -> Result<Pipe, ParseError> {
        let (_, pos) = self.peek_non_space();
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=`.
        loop {
            let (t, _) = self.peek_non_space();
            let Tok::Variable(name) = t else { break };
            let save = self.i;
            self.next();
            let (n, _) = self.peek_non_space();
            match n {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = n == Tok::Assign;
                    self.next();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                }
                Tok::Comma => {
                    self.next();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if ctx == "range" && pipe.decl.len() < 2 {
                        let (t2, p2) = self.peek_non_space();
                        match t2 {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => {
                                return self.err(p2, "range can only initialize variables".into());
                            }
                        }
                    }
                    return self.err(pos, format!("too many declarations in {ctx}"));
                }
                _ => self.i = save,
            }
            break;
        }
        loop {
            let t = self.next_non_space();
            if &t.tok == end {
                if pipe.cmds.is_empty() {
                    return self.err(t.pos, format!("missing value for {ctx}"));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args[0],
                        Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::Str(..)
                    ) {
                        return self.err(
                            t.pos,
                            format!("non executable command in pipeline stage {}", i + 1),
                        );
                    }
                }
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Identifier(_)
                | Tok::Number(_)
                | Tok::Keyword("nil")
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.i -= 1;
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&t, ctx),
            }
        }
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let (_, pos) = self.peek_non_space();
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.skip_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.i -= 1,
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err(pos, "empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>, ParseError> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if let Tok::Field(_) = self.peek() {
            let chain_pos = self.peek_pos();
            let mut fields = Vec::new();
            while let Tok::Field(f) = self.peek().clone() {
                self.next();
                fields.push(f);
            }
            return Ok(Some(match node {
                Arg::Field(_, mut ids) => {
                    ids.extend(fields);
                    Arg::Field(chain_pos, ids)
                }
                Arg::Variable(_, mut ids) => {
                    ids.extend(fields);
                    Arg::Variable(chain_pos, ids)
                }
                Arg::Bool(..) | Arg::Str(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return self.err(
                        chain_pos,
                        format!("unexpected . after term {:?}", node.to_string()),
                    );
                }
                other => Arg::Chain(chain_pos, Box::new(other), fields),
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> Result<Option<Arg>, ParseError> {
        let t = self.next_non_space();
        let p = t.pos;
        Ok(Some(match t.tok {
            Tok::Identifier(name) => {
                if !(self.has_func)(&name) {
                    return self.err(p, format!("function {name:?} not defined"));
                }
                Arg::Identifier(p, name)
            }
            Tok::Dot => Arg::Dot(p),
            Tok::Keyword("nil") => Arg::Nil(p),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.err(p, format!("undefined variable {name:?}"));
                }
                Arg::Variable(p, vec![name])
            }
            Tok::Field(f) => Arg::Field(p, vec![f]),
            Tok::Bool(b) => Arg::Bool(p, b),
            Tok::Number(text) => Arg::Number(
                p,
                parse_number(&text).map_err(|m| {
                    ParseError(format!(
                        "template: {}:{}: {}",
                        self.src.parse_name,
                        self.src.line(p),
                        m
                    ))
                })?,
            ),
            Tok::Char(text) => {
                let v = unquote_char(&text).map_err(|m| {
                    ParseError(format!(
                        "template: {}:{}: {}",
                        self.src.parse_name,
                        self.src.line(p),
                        m
                    ))
                })?;
                Arg::Number(
                    p,
                    Number {
                        text,
                        is_int: true,
                        int: v,
                        is_float: true,
                        float: v as f64,
                        is_char: true,
                    },
                )
            }
            Tok::LeftParen => {
                let pipe = self.pipeline("parenthesized pipeline", &Tok::RightParen)?;
                Arg::Pipe(pipe.pos, Box::new(pipe))
            }
            Tok::Str(q) | Tok::RawStr(q) => {
                let v = unquote(&q).map_err(|m| {
                    ParseError(format!(
                        "template: {}:{}: {}",
                        self.src.parse_name,
                        self.src.line(p),
                        m
                    ))
                })?;
                Arg::Str(p, q, v)
            }
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        }))
    }
}

fn tok_str(t: &Tok) -> String {
    let val = match t {
        Tok::Eof => return "EOF".into(),
        Tok::Keyword(k) => return format!("<{k}>"),
        Tok::Text(s) | Tok::Field(s) | Tok::Identifier(s) | Tok::Variable(s) => {
            if let Tok::Field(_) = t {
                format!(".{s}")
            } else {
                s.clone()
            }
        }
        Tok::Str(s) | Tok::RawStr(s) | Tok::Char(s) | Tok::Number(s) => s.clone(),
        Tok::LeftDelim => "{{".into(),
        Tok::RightDelim => "}}".into(),
        Tok::Space => " ".into(),
        Tok::Bool(b) => b.to_string(),
        Tok::Dot => ".".into(),
        Tok::Pipe => "|".into(),
        Tok::LeftParen => "(".into(),
        Tok::RightParen => ")".into(),
        Tok::Declare => ":=".into(),
        Tok::Assign => "=".into(),
        Tok::Comma => ",".into(),
    };
    if val.chars().count() > 10 {
        let short: String = val.chars().take(10).collect();
        format!("{}...", super::fmt::quote(&short))
    } else {
        super::fmt::quote(&val)
    }
}

/// Parses a Go number literal the way text/template's `newNumber` does.
pub fn parse_number(text: &str) -> Result<Number, String> {
    if text.ends_with('i') {
        return Err(format!("complex numbers are not supported: {text:?}"));
    }
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        int: 0,
        is_float: false,
        float: 0.0,
        is_char: false,
    };
    if let Some(i) = parse_go_int(text) {
        n.is_int = true;
        n.int = i;
        n.is_float = true;
        n.float = i as f64;
        return Ok(n);
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let f = if clean.contains(['x', 'X']) {
        None
    } else {
        clean.parse::<f64>().ok()
    };
    match f {
        Some(f) => {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {text:?}"));
            }
            n.is_float = true;
            n.float = f;
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                n.is_int = true;
                n.int = f as i64;
            }
            Ok(n)
        }
        None => Err(format!("illegal number syntax: {text:?}")),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` octal, underscores.
pub fn parse_go_int(text: &str) -> Option<i64> {
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if digits.contains('_') {
        // Underscores only between digits (or after a base prefix).
        if digits.ends_with('_') || digits.contains("__") || (!prefixed && digits.starts_with('_'))
        {
            return None;
        }
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((-(mag as i128)) as i64)
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's `strconv.Unquote` for `"..."` and `` `...` `` literals.
pub fn unquote(q: &str) -> Result<String, String> {
    if q.len() >= 2 && q.starts_with('`') && q.ends_with('`') {
        return Ok(q[1..q.len() - 1].replace('\r', ""));
    }
    if q.len() < 2 || !q.starts_with('"') || !q.ends_with('"') {
        return Err("invalid syntax".into());
    }
    unescape(&q[1..q.len() - 1], '"')
}

fn unescape(s: &str, quote: char) -> Result<String, String> {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            if c == quote {
                return Err("invalid syntax".into());
            }
            out.push(c);
            continue;
        }
        let e = it.next().ok_or("invalid syntax")?;
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '\'' | '"' => {
                if e != quote {
                    return Err("invalid syntax".into());
                }
                out.push(e);
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| it.next()).collect();
                let v = u32::from_str_radix(&hex, 16).map_err(|_| "invalid syntax")?;
                if e == 'x' {
                    // A byte; templates are UTF-8, so keep it when it is ASCII.
                    out.push(char::from_u32(v).ok_or("invalid syntax")?);
                } else {
                    out.push(char::from_u32(v).ok_or("invalid syntax")?);
                }
            }
            '0'..='7' => {
                let mut oct = String::from(e);
                for _ in 0..2 {
                    oct.push(it.next().ok_or("invalid syntax")?);
                }
                let v = u32::from_str_radix(&oct, 8).map_err(|_| "invalid syntax")?;
                out.push(char::from_u32(v).ok_or("invalid syntax")?);
            }
            _ => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

fn unquote_char(q: &str) -> Result<i64, String> {
    if q.len() < 3 {
        return Err(format!("malformed character constant: {q}"));
    }
    let s = unescape(&q[1..q.len() - 1], '\'')
        .map_err(|_| format!("malformed character constant: {q}"))?;
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Ok(i64::from(c as u32)),
        _ => Err(format!("malformed character constant: {q}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Vec<Tree>, ParseError> {
        parse("t", s, &|n| matches!(n, "printf" | "len" | "eq"))
    }

    #[test]
    fn parses_defines_into_separate_trees() {
        let trees = p(r#"a{{define "x"}}X{{end}}b{{block "y" .}}Y{{end}}"#).unwrap();
        let names: Vec<_> = trees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["t", "x", "y"]);
        assert_eq!(trees[0].root.len(), 3);
    }

    #[test]
    fn field_chain_position_is_first_extra_field() {
        let trees = p("{{ .Values.a.b }}").unwrap();
        let Node::Action { pipe, .. } = &trees[0].root[0] else {
            panic!()
        };
        let a = &pipe.cmds[0].args[0];
        assert_eq!(a.to_string(), ".Values.a.b");
        assert_eq!(a.pos(), 10);
    }

    #[test]
    fn error_messages_match_go() {
        assert_eq!(
            p("{{ foo }}").unwrap_err().0,
            "template: t:1: function \"foo\" not defined"
        );
        assert_eq!(
            p("{{ $x }}").unwrap_err().0,
            "template: t:1: undefined variable \"$x\""
        );
        assert_eq!(
            p("{{end}}").unwrap_err().0,
            "template: t:1: unexpected {{end}}"
        );
        assert_eq!(
            p("\n{{if .}}").unwrap_err().0,
            "template: t:2: unexpected EOF"
        );
        assert_eq!(
            p("{{break}}").unwrap_err().0,
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            p("{{ . | 3 }}").unwrap_err().0,
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(
            p("{{}}").unwrap_err().0,
            "template: t:1: missing value for command"
        );
    }

    #[test]
    fn variables_are_scoped_to_controls() {
        assert!(p("{{if .}}{{$x := 1}}{{end}}{{$x}}").is_err());
        assert!(p("{{$x := 1}}{{if .}}{{$x}}{{end}}").is_ok());
        assert!(p("{{range $i, $v := .}}{{$i}}{{$v}}{{end}}").is_ok());
    }

    #[test]
    fn else_if_chains_nest() {
        let trees = p("{{if .a}}A{{else if .b}}B{{else}}C{{end}}").unwrap();
        let Node::Control {
            else_list: Some(el),
            ..
        } = &trees[0].root[0]
        else {
            panic!()
        };
        assert!(matches!(
            el[0],
            Node::Control {
                kind: ControlKind::If,
                ..
            }
        ));
    }

    #[test]
    fn numbers_follow_go() {
        let n = parse_number("0x1F").unwrap();
        assert!(n.is_int && n.int == 31);
        let n = parse_number("1.0").unwrap();
        assert!(n.is_int && n.is_float);
        let n = parse_number("1e3").unwrap();
        assert_eq!(n.int, 1000);
        assert!(parse_number("99999999999999999999").is_err());
        assert_eq!(parse_go_int("0755"), Some(0o755));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(unquote_char("'a'").unwrap(), 97);
        assert_eq!(unquote_char(r"'\n'").unwrap(), 10);
    }

    #[test]
    fn unquote_strings() {
        assert_eq!(unquote(r#""a\tb\u00e9""#).unwrap(), "a\tb\u{e9}");
        assert_eq!(unquote("`a\\n`").unwrap(), "a\\n");
    }
}
