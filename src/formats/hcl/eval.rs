//! Evaluating configuration expressions as far as the files decide them.
//!
//! What a value is decides whether a container is confined, and in
//! Terraform it is rarely written where it is used: it comes from a
//! variable's `default`, overridden by `terraform.tfvars`, `*.auto.tfvars`
//! or the arguments of a `module` call; from `locals`; from functions
//! (`concat`, `flatten`, `toset`, …), conditionals and `for` expressions.
//! This evaluator follows those the way Terraform does, keeping for every
//! value the place it is written ([`Val::at`], the literal a finding
//! marks) and every place it passed through on the way ([`Val::uses`]: the
//! `var.x` reference, the `local.y`, the condition), which become a
//! finding's related locations.
//!
//! Semantics, from Terraform's documentation (language/values/variables,
//! language/expressions, language/functions) and hashicorp/hcl's
//! `hclsyntax` (`expression.go`):
//!
//! - a variable's value is the last of: its `default`, `terraform.tfvars`,
//!   `terraform.tfvars.json`, `*.auto.tfvars`/`*.auto.tfvars.json` in
//!   lexical order (only for the module a scan starts at; a called module's
//!   variables come from the `module` block's arguments). A default and a
//!   variable definitions file may hold only literal values: a reference in
//!   either is refused by Terraform ("Variables not allowed"), and here it
//!   is a diagnostic and never followed, so a file that refers to itself
//!   cannot loop;
//! - `local.x` is evaluated once per module; a cycle (Terraform refuses
//!   it) is a diagnostic;
//! - in an object constructor a repeated key keeps its last value;
//! - a conditional whose condition is fixed by the files alone (literals
//!   and locals) takes that branch. One that depends on a variable, which
//!   `-var` may set at apply time, or on anything only known at apply time,
//!   may take either branch: both are kept ([`Kind::OneOf`]), each marked
//!   with the condition, and a branch that disables seccomp is a finding;
//! - `for` expressions iterate lists, sets and maps known here; the `if`
//!   clause drops an item only when it is known to be false.
//!
//! Everything else (resource attributes, data sources, `path.*`, functions
//! not listed in [`super::functions`]) is [`Kind::Unknown`] and never a
//! finding. Work is bounded: a budget of steps per scanned file, a depth
//! limit on nested evaluation (which also bounds the recursion), and a cap
//! on the alternatives a template multiplies out; running into one is a
//! diagnostic, not a silent gap.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::syntax::{BinaryOp, Block, Body, Expr, ExprKind, File, For, Key, Part, Step};
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::Use;
use crate::source::{Location, Span};

/// Evaluation steps per scanned file (an expression visited, an item made).
const MAX_STEPS: usize = 200_000;
/// Nested evaluations (expression depth plus references followed).
const MAX_DEPTH: usize = 128;
/// Strings a template with several conditional parts may produce.
const MAX_ALTERNATIVES: usize = 16;
/// Places a value keeps as passed through (the innermost); beyond them a
/// chain is not worth reading, and the list of uses must not grow with
/// every level of a generated configuration.
const MAX_USES: usize = 8;

/// A value with where it is written and what it passed through.
#[derive(Debug, Clone)]
pub struct Val {
    pub kind: Kind,
    /// The literal that wrote it; for a computed value, the expression.
    pub at: Option<Location>,
    /// References, conditions and calls it passed through, innermost first.
    pub uses: Vec<Use>,
    /// Whether it depends on a root module variable, which `-var` can set
    /// at apply time: a condition on it is not decided by the files.
    pub input: bool,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
    /// One of these, depending on a condition the files do not decide.
    OneOf(Vec<Val>),
    Unknown,
}

impl Val {
    pub fn unknown() -> Val {
        Val {
            kind: Kind::Unknown,
            at: None,
            uses: Vec::new(),
            input: false,
        }
    }

    pub fn new(kind: Kind, at: Location) -> Val {
        Val {
            kind,
            at: Some(at),
            uses: Vec::new(),
            input: false,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown)
    }

    /// Records a place the value passed through.
    pub fn through(mut self, used: Use) -> Val {
        if self.uses.len() < MAX_USES {
            self.uses.push(used);
        }
        self
    }

    /// The value as reached through `outer` (an item of a list, a field
    /// of an object): what `outer` passed through applies to it too.
    pub fn inherited(self, outer: &Val) -> Val {
        self.inherit(outer)
    }

    fn inherit(mut self, outer: &Val) -> Val {
        let room = MAX_USES.saturating_sub(self.uses.len());
        self.uses.extend(outer.uses.iter().take(room).cloned());
        self.input |= outer.input;
        self
    }

    /// How many values it holds, nested ones included: what copying it costs.
    fn weight(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            n += 1;
            match &v.kind {
                Kind::List(items) | Kind::OneOf(items) => stack.extend(items),
                Kind::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        n
    }

    /// The values it may be: the branches of a [`Kind::OneOf`] (each with
    /// what the whole passed through), or itself.
    pub fn alternatives(self) -> Vec<Val> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match v.kind {
                Kind::OneOf(ref alts) => {
                    for a in alts.iter().rev() {
                        stack.push(a.clone().inherit(&v));
                    }
                }
                _ => out.push(v),
            }
        }
        out
    }

    /// The items of a list (of every list it may be), each with what the
    /// list passed through. A value that is not a list has none.
    pub fn items(self) -> Vec<Val> {
        let mut out = Vec::new();
        for alt in self.alternatives() {
            if let Kind::List(items) = &alt.kind {
                out.extend(items.iter().map(|i| i.clone().inherit(&alt)));
            }
        }
        out
    }

    /// An object's attribute, with what the object passed through.
    pub fn field(&self, name: &str) -> Option<Val> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone().inherit(self)),
            Kind::OneOf(_) => {
                let found: Vec<Val> = self
                    .clone()
                    .alternatives()
                    .iter()
                    .filter_map(|a| a.field(name))
                    .collect();
                match found.len() {
                    0 => None,
                    1 => found.into_iter().next(),
                    _ => Some(Val {
                        kind: Kind::OneOf(found),
                        at: self.at.clone(),
                        uses: Vec::new(),
                        input: self.input,
                    }),
                }
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// As Terraform converts to bool: `true`, `false` and the strings
    /// `"true"`/`"false"`.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str(s) if s == "true" => Some(true),
            Kind::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// As Terraform converts a primitive to string.
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Number(n) => Some(number_text(*n)),
            _ => None,
        }
    }
}

pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Names bound by `for` expressions, `dynamic` blocks and `for_each`.
#[derive(Clone, Default)]
pub struct Scope(Option<Rc<Binding>>);

struct Binding {
    name: String,
    value: Val,
    next: Scope,
}

impl Scope {
    pub fn bind(&self, name: &str, value: Val) -> Scope {
        Scope(Some(Rc::new(Binding {
            name: name.to_string(),
            value,
            next: self.clone(),
        })))
    }

    pub fn get(&self, name: &str) -> Option<&Val> {
        let mut at = &self.0;
        while let Some(b) = at {
            if b.name == name {
                return Some(&b.value);
            }
            at = &b.next.0;
        }
        None
    }
}

/// The declarations of one module (a Terraform directory, a Nomad job
/// file): its variables, locals, and the values assigned to its variables.
#[derive(Default)]
pub struct Module<'a> {
    variables: HashMap<&'a str, (&'a File, &'a Block)>,
    locals: HashMap<&'a str, (&'a File, &'a Expr)>,
    assigned: HashMap<&'a str, (&'a File, &'a Expr)>,
}

impl<'a> Module<'a> {
    /// Declarations from `files`; a name declared twice (Terraform refuses
    /// that) keeps its first declaration.
    pub fn new(files: impl IntoIterator<Item = &'a File>) -> Module<'a> {
        let mut m = Module::default();
        for file in files {
            for block in &file.body.blocks {
                match block.ident.as_str() {
                    "variable" => {
                        if let Some(name) = block.labels.first() {
                            m.variables.entry(name).or_insert((file, block));
                        }
                    }
                    "locals" => {
                        for a in &block.body.attrs {
                            m.locals.entry(&a.name).or_insert((file, &a.value));
                        }
                    }
                    _ => {}
                }
            }
        }
        m
    }

    /// A variable definitions file, applied after those before it.
    pub fn assign(&mut self, file: &'a File) {
        for a in &file.body.attrs {
            self.assigned.insert(&a.name, (file, &a.value));
        }
    }
}

/// Where a called module's variables get their values: the `module`
/// block's arguments, evaluated where the block is.
pub struct Caller<'a> {
    pub eval: &'a Eval<'a>,
    pub file: &'a File,
    pub call: &'a Body,
    pub scope: Scope,
}

/// What the evaluations of one scanned file share: the budget and the
/// diagnostics, across the modules it calls.
#[derive(Default)]
struct Shared {
    steps: Cell<usize>,
    depth: Cell<usize>,
    limited: Cell<bool>,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

pub struct Eval<'a> {
    module: Module<'a>,
    caller: Option<Caller<'a>>,
    shared: Rc<Shared>,
    /// Each local's value once computed, with its [`Val::weight`]: every
    /// use copies it and is charged for that.
    locals: RefCell<HashMap<String, (Val, usize)>>,
    active: RefCell<Vec<String>>,
}

/// Where an expression is evaluated.
struct Frame<'f> {
    file: &'f File,
    scope: &'f Scope,
    /// False in a variable's default and a definitions file, where
    /// Terraform allows no references.
    refs: bool,
}

struct Depth<'s>(&'s Shared);

impl Drop for Depth<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get() - 1);
    }
}

impl<'a> Eval<'a> {
    /// The module a scan starts at.
    pub fn root(module: Module<'a>) -> Eval<'a> {
        Eval {
            module,
            caller: None,
            shared: Rc::default(),
            locals: RefCell::default(),
            active: RefCell::default(),
        }
    }

    /// A module called from `caller`, sharing its budget.
    pub fn called(module: Module<'a>, caller: Caller<'a>) -> Eval<'a> {
        let shared = Rc::clone(&caller.eval.shared);
        Eval {
            module,
            caller: Some(caller),
            shared,
            locals: RefCell::default(),
            active: RefCell::default(),
        }
    }

    /// Diagnostics so far (references where none are allowed, cycles,
    /// limits), each once.
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.shared.diagnostics.borrow_mut())
    }

    pub fn eval(&self, file: &File, expr: &Expr, scope: &Scope) -> Val {
        self.eval_in(
            &Frame {
                file,
                scope,
                refs: true,
            },
            expr,
        )
    }

    fn diagnose(&self, file: &File, span: Span, problem: Problem) {
        let d = Diagnostic::at(&file.source, span.start, problem);
        let mut all = self.shared.diagnostics.borrow_mut();
        let key = d.to_string();
        if !all.iter().any(|x| x.to_string() == key) {
            all.push(d);
        }
    }

    /// Counts a step; `None` once the budget or the depth is spent.
    fn enter(&self, file: &File, span: Span) -> Option<Depth<'_>> {
        let s = &*self.shared;
        let over = s.steps.get() >= MAX_STEPS || s.depth.get() >= MAX_DEPTH;
        if over {
            if !s.limited.replace(true) {
                self.diagnose(
                    file,
                    span,
                    Problem::Limit(format!(
                        "values here are computed past seccheck's limit ({MAX_STEPS} steps, \
                         {MAX_DEPTH} nested references); what lies beyond is not read"
                    )),
                );
            }
            return None;
        }
        s.steps.set(s.steps.get() + 1);
        s.depth.set(s.depth.get() + 1);
        Some(Depth(s))
    }

    fn spend(&self, n: usize) -> bool {
        let s = &*self.shared;
        s.steps.set(s.steps.get().saturating_add(n));
        s.steps.get() < MAX_STEPS
    }

    fn eval_in(&self, f: &Frame<'_>, expr: &Expr) -> Val {
        let Some(_depth) = self.enter(f.file, expr.span) else {
            return Val::unknown();
        };
        let at = Location::new(&f.file.source, expr.span);
        match &expr.kind {
            ExprKind::Null => Val::new(Kind::Null, at),
            ExprKind::Bool(b) => Val::new(Kind::Bool(*b), at),
            ExprKind::Number(n) => Val::new(Kind::Number(*n), at),
            ExprKind::Str(s) => Val::new(Kind::Str(s.clone()), at),
            ExprKind::Template(parts) => self.template(f, at, parts),
            ExprKind::Array(items) => self.array(f, at, items),
            ExprKind::Object(items) => self.object(f, at, items),
            ExprKind::Name(name) => f.scope.get(name).cloned().unwrap_or_else(Val::unknown),
            ExprKind::Traversal(base, steps) => self.traversal(f, expr, base, steps),
            ExprKind::Call { name, args, expand } => self.call(f, at, name, args, *expand),
            ExprKind::Conditional(c) => self.conditional(f, at, c),
            ExprKind::Not(e) => self.not(f, at, e),
            ExprKind::Negate(e) => self.negate(f, at, e),
            ExprKind::Binary(op, b) => {
                let l = self.eval_in(f, &b[0]);
                let r = self.eval_in(f, &b[1]);
                binary(*op, &l, &r, at)
            }
            ExprKind::For(fe) => self.for_expr(f, at, fe),
            ExprKind::Unknown => Val::unknown(),
        }
    }

    // The cases below are functions of their own, kept out of `eval_in`,
    // whose frame is paid at every level of nesting.

    #[inline(never)]
    fn array(&self, f: &Frame<'_>, at: Location, items: &[Expr]) -> Val {
        let items: Vec<Val> = items.iter().map(|e| self.eval_in(f, e)).collect();
        let input = items.iter().any(|v| v.input);
        Val {
            input,
            ..Val::new(Kind::List(items), at)
        }
    }

    #[inline(never)]
    fn call(&self, f: &Frame<'_>, at: Location, name: &str, args: &[Expr], expand: bool) -> Val {
        let mut values: Vec<Val> = args.iter().map(|a| self.eval_in(f, a)).collect();
        if expand && let Some(last) = values.pop() {
            if matches!(last.kind, Kind::List(_)) {
                values.extend(last.items());
            } else {
                return Val::unknown();
            }
        }
        super::functions::call(name, values, at, &|n| self.spend(n))
    }

    #[inline(never)]
    fn not(&self, f: &Frame<'_>, at: Location, e: &Expr) -> Val {
        let v = self.eval_in(f, e);
        match &v.kind {
            Kind::Bool(b) => Val {
                input: v.input,
                ..Val::new(Kind::Bool(!b), at)
            },
            _ => Val::unknown(),
        }
    }

    #[inline(never)]
    fn negate(&self, f: &Frame<'_>, at: Location, e: &Expr) -> Val {
        match self.eval_in(f, e) {
            Val {
                kind: Kind::Number(n),
                input,
                ..
            } => Val {
                input,
                ..Val::new(Kind::Number(-n), at)
            },
            _ => Val::unknown(),
        }
    }

    #[inline(never)]
    fn object(&self, f: &Frame<'_>, at: Location, items: &[super::syntax::Item]) -> Val {
        let mut entries: Vec<(String, Val)> = Vec::with_capacity(items.len());
        let mut input = false;
        for item in items {
            let key = match &item.key {
                Key::Name(n) => n.clone(),
                Key::Expr { expr, raw } => match self.eval_in(f, expr).to_text() {
                    Some(k) => k,
                    None => raw.trim_matches('"').to_string(),
                },
            };
            let value = self.eval_in(f, &item.value);
            input |= value.input;
            // hclsyntax's ObjectConsExpr: a repeated key keeps its last value.
            entries.retain(|(k, _)| *k != key);
            entries.push((key, value));
        }
        Val {
            input,
            ..Val::new(Kind::Map(entries), at)
        }
    }

    #[inline(never)]
    fn template(&self, f: &Frame<'_>, at: Location, parts: &[Part]) -> Val {
        // Each part's alternatives: a literal has one.
        let mut choices: Vec<Vec<Val>> = Vec::new();
        let mut interpolated = 0;
        for part in parts {
            match part {
                Part::Literal(s) => choices.push(vec![Val::new(Kind::Str(s.clone()), at.clone())]),
                Part::Interpolation(e) => {
                    interpolated += 1;
                    let alts = self.eval_in(f, e).alternatives();
                    if alts.iter().any(|a| a.to_text().is_none()) {
                        return Val::unknown();
                    }
                    choices.push(alts);
                }
                Part::Directive => return Val::unknown(),
            }
        }
        let combinations = choices.iter().map(Vec::len).product::<usize>();
        if combinations > MAX_ALTERNATIVES {
            return Val::unknown();
        }
        let mut results = Vec::with_capacity(combinations);
        for mut n in 0..combinations {
            let mut text = String::new();
            let mut picked: Vec<&Val> = Vec::new();
            for (part, alts) in parts.iter().zip(&choices) {
                let v = &alts[n % alts.len()];
                n /= alts.len();
                text.push_str(&v.to_text().unwrap_or_default());
                if matches!(part, Part::Interpolation(_)) {
                    picked.push(v);
                }
            }
            results.push(self.interpolated(text, &at, interpolated, &picked));
        }
        match results.len() {
            1 => results.pop().unwrap_or_else(Val::unknown),
            _ => {
                let input = results.iter().any(|r| r.input);
                Val {
                    input,
                    ..Val::new(Kind::OneOf(results), at)
                }
            }
        }
    }

    /// A template's string. Its one interpolated value, when that is
    /// written elsewhere (a variable, a tfvars file, a `for` item), is what
    /// decides it and so what a finding marks, with the template as where
    /// it is used; otherwise the template is.
    fn interpolated(&self, text: String, at: &Location, count: usize, picked: &[&Val]) -> Val {
        let input = picked.iter().any(|v| v.input);
        if let [single] = picked
            && count == 1
            && let Some(from) = &single.at
            && (from.source.path != at.source.path
                || from.span.start < at.span.start
                || from.span.end > at.span.end)
        {
            let mut uses = single.uses.clone();
            let inside_reference = uses.last().is_some_and(|u| {
                u.at.source.path == at.source.path
                    && u.at.span.start >= at.span.start
                    && u.at.span.end <= at.span.end
            });
            if !inside_reference {
                uses.push(Use::new(at.clone(), "interpolated into this string for"));
            }
            return Val {
                kind: Kind::Str(text),
                at: Some(from.clone()),
                uses,
                input,
            };
        }
        Val {
            kind: Kind::Str(text),
            at: Some(at.clone()),
            uses: picked.iter().flat_map(|v| v.uses.iter().cloned()).collect(),
            input,
        }
    }

    #[inline(never)]
    fn traversal(&self, f: &Frame<'_>, expr: &Expr, base: &Expr, steps: &[Step]) -> Val {
        let reference = Location::new(&f.file.source, expr.span);
        let (value, rest) = match (&base.kind, steps.first()) {
            (ExprKind::Name(root), Some(Step::Attr(name)))
                if (root == "var" || root == "local") && f.scope.get(root).is_none() =>
            {
                if !f.refs {
                    self.diagnose(
                        f.file,
                        expr.span,
                        Problem::Syntax {
                            format: "Terraform",
                            message: format!(
                                "`{root}.{name}`: a variable's default and a variable definitions \
                                 file take literal values, and Terraform refuses references in \
                                 them (\"Variables not allowed\"); this value is not read"
                            ),
                        },
                    );
                    return Val::unknown();
                }
                let v = if root == "var" {
                    self.variable(name, reference)
                } else {
                    self.local(name, f.file, expr.span, reference)
                };
                (v, &steps[1..])
            }
            _ => (self.eval_in(f, base), steps),
        };
        self.apply(f, value, rest)
    }

    fn apply(&self, f: &Frame<'_>, mut value: Val, steps: &[Step]) -> Val {
        for (i, step) in steps.iter().enumerate() {
            value = match step {
                Step::Attr(name) => match value.field(name) {
                    Some(v) => v,
                    None => return Val::unknown(),
                },
                Step::Index(e) => {
                    let index = self.eval_in(f, e);
                    match (&value.kind, &index.kind) {
                        (Kind::List(items), Kind::Number(n))
                            if *n >= 0.0 && (*n as usize) < items.len() =>
                        {
                            items[*n as usize].clone().inherit(&value)
                        }
                        (Kind::Map(_), _) => match index.to_text().and_then(|k| value.field(&k)) {
                            Some(v) => v,
                            None => return Val::unknown(),
                        },
                        _ => return Val::unknown(),
                    }
                }
                Step::Splat => {
                    let rest = &steps[i + 1..];
                    let at = value.at.clone();
                    let items: Vec<Val> = match &value.kind {
                        Kind::List(_) => value.items(),
                        Kind::Null => Vec::new(),
                        Kind::Unknown | Kind::OneOf(_) => return Val::unknown(),
                        _ => vec![value],
                    };
                    let items = items.into_iter().map(|v| self.apply(f, v, rest)).collect();
                    return Val {
                        kind: Kind::List(items),
                        at,
                        uses: Vec::new(),
                        input: false,
                    };
                }
            };
        }
        value
    }

    #[inline(never)]
    fn variable(&self, name: &str, reference: Location) -> Val {
        let used = Use::new(reference, "passed through this variable to");
        if let Some(caller) = &self.caller {
            if let Some(arg) = caller.call.attr(name) {
                let v = caller.eval.eval(caller.file, &arg.value, &caller.scope);
                return v.through(used);
            }
        } else if let Some((file, expr)) = self.module.assigned.get(name) {
            let v = self.literal(file, expr);
            return Val { input: true, ..v }.through(used);
        }
        let Some((file, block)) = self.module.variables.get(name) else {
            return Val::unknown();
        };
        let Some(default) = block.body.attr("default") else {
            return Val::unknown();
        };
        let v = self.literal(file, &default.value);
        Val {
            // A called module's default is final for that call.
            input: self.caller.is_none(),
            ..v
        }
        .through(used)
    }

    /// A value Terraform takes literally (defaults, definitions files).
    fn literal(&self, file: &File, expr: &Expr) -> Val {
        self.eval_in(
            &Frame {
                file,
                scope: &Scope::default(),
                refs: false,
            },
            expr,
        )
    }

    #[inline(never)]
    fn local(&self, name: &str, file: &File, span: Span, reference: Location) -> Val {
        let used = Use::new(reference, "passed through this local value to");
        let cached = self.locals.borrow().get(name).map(|(_, w)| *w);
        if let Some(weight) = cached {
            if !self.spend(weight) {
                return Val::unknown();
            }
            return self.locals.borrow()[name].0.clone().through(used);
        }
        if self.active.borrow().iter().any(|a| a == name) {
            self.diagnose(
                file,
                span,
                Problem::Syntax {
                    format: "Terraform",
                    message: format!(
                        "`local.{name}` depends on itself; Terraform refuses the cycle, and its \
                         value is not read"
                    ),
                },
            );
            return Val::unknown();
        }
        let Some((def_file, expr)) = self.module.locals.get(name) else {
            return Val::unknown();
        };
        self.active.borrow_mut().push(name.to_string());
        let v = self.eval_in(
            &Frame {
                file: def_file,
                scope: &Scope::default(),
                refs: true,
            },
            expr,
        );
        self.active.borrow_mut().pop();
        let weight = v.weight();
        self.locals
            .borrow_mut()
            .insert(name.to_string(), (v.clone(), weight));
        v.through(used)
    }

    #[inline(never)]
    fn conditional(&self, f: &Frame<'_>, at: Location, c: &[Expr; 3]) -> Val {
        let cond = self.eval_in(f, &c[0]);
        match cond.as_bool() {
            Some(true) if !cond.input => return self.eval_in(f, &c[1]),
            Some(false) if !cond.input => return self.eval_in(f, &c[2]),
            _ => {}
        }
        let cond_at = Location::new(&f.file.source, c[0].span);
        let yes = self.eval_in(f, &c[1]).through(Use::new(
            cond_at.clone(),
            "chosen when this condition holds, for",
        ));
        let no = self.eval_in(f, &c[2]).through(Use::new(
            cond_at,
            "chosen when this condition does not hold, for",
        ));
        Val {
            input: true,
            ..Val::new(Kind::OneOf(vec![yes, no]), at)
        }
    }

    #[inline(never)]
    fn for_expr(&self, f: &Frame<'_>, at: Location, fe: &For) -> Val {
        let collection = self.eval_in(f, &fe.collection);
        let input = collection.input;
        let mut entries: Vec<(Val, Val)> = Vec::new();
        for alt in collection.alternatives() {
            match &alt.kind {
                Kind::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        entries.push((
                            Val::new(Kind::Number(i as f64), at.clone()),
                            item.clone().inherit(&alt),
                        ));
                    }
                }
                Kind::Map(map) => {
                    for (k, v) in map {
                        entries.push((
                            Val::new(Kind::Str(k.clone()), at.clone()),
                            v.clone().inherit(&alt),
                        ));
                    }
                }
                _ => return Val::unknown(),
            }
        }
        if !self.spend(entries.len()) {
            return Val::unknown();
        }
        let mut list = Vec::new();
        let mut map: Vec<(String, Val)> = Vec::new();
        for (key, value) in entries {
            let mut scope = f.scope.bind(&fe.value_var, value);
            if let Some(k) = &fe.key_var {
                scope = scope.bind(k, key);
            }
            let inner = Frame {
                file: f.file,
                scope: &scope,
                refs: f.refs,
            };
            if let Some(cond) = &fe.cond
                && self.eval_in(&inner, cond).as_bool() == Some(false)
            {
                continue;
            }
            let value = self.eval_in(&inner, &fe.value);
            match &fe.key {
                None => list.push(value),
                Some(k) => {
                    let Some(key) = self.eval_in(&inner, k).to_text() else {
                        return Val::unknown();
                    };
                    if fe.grouping {
                        match map.iter_mut().find(|(existing, _)| *existing == key) {
                            Some((
                                _,
                                Val {
                                    kind: Kind::List(group),
                                    ..
                                },
                            )) => group.push(value),
                            _ => map.push((key, Val::new(Kind::List(vec![value]), at.clone()))),
                        }
                    } else {
                        map.retain(|(existing, _)| *existing != key);
                        map.push((key, value));
                    }
                }
            }
        }
        let kind = if fe.key.is_some() {
            Kind::Map(map)
        } else {
            Kind::List(list)
        };
        Val {
            input,
            ..Val::new(kind, at)
        }
    }
}

fn binary(op: BinaryOp, l: &Val, r: &Val, at: Location) -> Val {
    use BinaryOp::*;
    let input = l.input || r.input;
    let kind = match op {
        Eq | NotEq => {
            let same = match (&l.kind, &r.kind) {
                (Kind::Null, Kind::Null) => Some(true),
                (Kind::Null, Kind::Str(_) | Kind::Bool(_) | Kind::Number(_))
                | (Kind::Str(_) | Kind::Bool(_) | Kind::Number(_), Kind::Null) => Some(false),
                (Kind::Str(a), Kind::Str(b)) => Some(a == b),
                (Kind::Bool(a), Kind::Bool(b)) => Some(a == b),
                (Kind::Number(a), Kind::Number(b)) => Some(a == b),
                (
                    Kind::Str(_) | Kind::Bool(_) | Kind::Number(_),
                    Kind::Str(_) | Kind::Bool(_) | Kind::Number(_),
                ) => Some(false),
                _ => None,
            };
            match same {
                Some(s) => Kind::Bool(if op == Eq { s } else { !s }),
                None => Kind::Unknown,
            }
        }
        And | Or => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => Kind::Bool(if op == And { a && b } else { a || b }),
            (Some(false), None) if op == And => Kind::Bool(false),
            (None, Some(false)) if op == And => Kind::Bool(false),
            (Some(true), None) if op == Or => Kind::Bool(true),
            (None, Some(true)) if op == Or => Kind::Bool(true),
            _ => Kind::Unknown,
        },
        _ => match (&l.kind, &r.kind) {
            (Kind::Number(a), Kind::Number(b)) => match op {
                Less => Kind::Bool(a < b),
                LessEq => Kind::Bool(a <= b),
                Greater => Kind::Bool(a > b),
                GreaterEq => Kind::Bool(a >= b),
                Add => Kind::Number(a + b),
                Sub => Kind::Number(a - b),
                Mul => Kind::Number(a * b),
                Div => Kind::Number(a / b),
                Mod => Kind::Number(a % b),
                Eq | NotEq | And | Or => Kind::Unknown,
            },
            _ => Kind::Unknown,
        },
    };
    if matches!(kind, Kind::Unknown) {
        return Val::unknown();
    }
    Val {
        input,
        ..Val::new(kind, at)
    }
}
