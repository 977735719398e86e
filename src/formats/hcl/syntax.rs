//! The configuration language as one tree for both of HCL's syntaxes.
//!
//! Terraform reads `.tf` (native syntax) and `.tf.json` (JSON syntax) into
//! the same blocks, attributes and expressions, and so does seccheck: the
//! native syntax is lowered here from `hcl-edit`'s tree, the JSON syntax in
//! [`super::json`], and everything after that (evaluation, the resource
//! walker) exists once. Every node keeps the byte span it was written at;
//! a string's span is its content, without the quotes, which is what a
//! finding marks.

use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Element, Template};

use crate::source::{Source, Span};

/// One parsed file.
#[derive(Debug)]
pub struct File {
    pub source: Arc<Source>,
    pub body: Body,
}

#[derive(Debug, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    /// The attribute `name`; a repeated one (which Terraform refuses in a
    /// body) counts by its last assignment.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().rev().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }
}

#[derive(Debug)]
pub struct Attr {
    pub name: String,
    pub value: Expr,
}

#[derive(Debug)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// From the block type through its last label: where a finding about
    /// the block itself points.
    pub head: Span,
    pub body: Body,
}

impl Block {
    pub fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(String::as_str)
    }
}

#[derive(Debug)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Debug)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string without interpolation.
    Str(String),
    Template(Vec<Part>),
    Array(Vec<Expr>),
    Object(Vec<Item>),
    /// A bare name: `var`, `local`, `each`, a `for` or `dynamic` iterator.
    Name(String),
    Traversal(Box<Expr>, Vec<Step>),
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(list...)`: the last argument's items are the trailing arguments.
        expand: bool,
    },
    Conditional(Box<[Expr; 3]>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(BinaryOp, Box<[Expr; 2]>),
    For(Box<For>),
    /// What seccheck does not evaluate (template directives, a JSON value
    /// Terraform would refuse).
    Unknown,
}

#[derive(Debug)]
pub enum Part {
    Literal(String),
    Interpolation(Expr),
    /// `%{ if }` / `%{ for }`: the template's value is not computed.
    Directive,
}

#[derive(Debug)]
pub struct Item {
    pub key: Key,
    pub value: Expr,
}

#[derive(Debug)]
pub enum Key {
    /// An identifier or a string literal.
    Name(String),
    /// An expression key; `raw` is its text, which a bare dotted key
    /// (`seccomp.security.alpha.kubernetes.io/pod = …`, which HCL reads as
    /// a division) falls back to when it cannot be evaluated.
    Expr { expr: Expr, raw: String },
}

#[derive(Debug)]
pub enum Step {
    Attr(String),
    Index(Expr),
    Splat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    And,
    Or,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug)]
pub struct For {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    /// Present for an object `for` (`{ for k, v in x : k => v }`).
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// `v...`: values with the same key are grouped into a list.
    pub grouping: bool,
}

/// Lowers `hcl-edit`'s body. `text` is the file as written: names are
/// read from it, so a parse that needed a same-length repair (see
/// [`super::parse`]) still yields the names written in the file.
pub fn lower_body(body: &hcl_edit::structure::Body, text: &str) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(a) => out.attrs.push(Attr {
                name: name_at(text, a.key.span(), a.key.as_str()),
                value: lower(&a.value, text),
            }),
            Structure::Block(b) => {
                let start = b.ident.span().map_or(0, |r| r.start);
                let mut end = b.ident.span().map_or(start, |r| r.end);
                let labels = b
                    .labels
                    .iter()
                    .map(|l| {
                        let (span, s) = match l {
                            BlockLabel::String(s) => (s.span(), s.value().as_str()),
                            BlockLabel::Ident(i) => (i.span(), i.as_str()),
                        };
                        if let Some(r) = span {
                            end = end.max(r.end);
                        }
                        s.to_string()
                    })
                    .collect();
                out.blocks.push(Block {
                    ident: b.ident.as_str().to_string(),
                    labels,
                    head: Span::new(start, end),
                    body: lower_body(&b.body, text),
                });
            }
        }
    }
    out
}

fn name_at(text: &str, span: Option<Range<usize>>, fallback: &str) -> String {
    span.and_then(|r| text.get(r))
        .unwrap_or(fallback)
        .to_string()
}

fn span_of(r: Option<Range<usize>>) -> Span {
    r.map_or(Span::default(), Span::from)
}

/// An expression. `hcl-edit` bounds nesting (64 levels) and chained
/// operators (128), so this recursion is bounded too.
pub fn lower(expr: &Expression, text: &str) -> Expr {
    let span = span_of(expr.span());
    let kind = match expr {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => {
            return Expr {
                span: unquoted(text, span),
                kind: ExprKind::Str(s.value().to_string()),
            };
        }
        Expression::Array(a) => ExprKind::Array(a.iter().map(|e| lower(e, text)).collect()),
        Expression::Object(o) => ExprKind::Object(
            o.iter()
                .map(|(k, v)| Item {
                    key: match k {
                        ObjectKey::Ident(i) => Key::Name(name_at(text, i.span(), i.as_str())),
                        ObjectKey::Expression(Expression::String(s)) => {
                            Key::Name(s.value().to_string())
                        }
                        ObjectKey::Expression(e) => Key::Expr {
                            expr: lower(e, text),
                            raw: e
                                .span()
                                .and_then(|r| text.get(r))
                                .unwrap_or("")
                                .trim()
                                .to_string(),
                        },
                    },
                    value: lower(v.expr(), text),
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => {
            return Expr {
                span: unquoted(text, span),
                kind: ExprKind::Template(lower_template(t, text)),
            };
        }
        Expression::HeredocTemplate(h) => ExprKind::Template(lower_template(&h.template, text)),
        Expression::Parenthesis(p) => return lower(p.inner(), text),
        Expression::Variable(v) => ExprKind::Name(v.as_str().to_string()),
        Expression::Conditional(c) => ExprKind::Conditional(Box::new([
            lower(&c.cond_expr, text),
            lower(&c.true_expr, text),
            lower(&c.false_expr, text),
        ])),
        Expression::FuncCall(f) => {
            let mut name = String::new();
            for ns in &f.name.namespace {
                name.push_str(ns.as_str());
                name.push_str("::");
            }
            name.push_str(f.name.name.as_str());
            ExprKind::Call {
                name,
                args: f.args.iter().map(|e| lower(e, text)).collect(),
                expand: f.args.expand_final(),
            }
        }
        Expression::Traversal(t) => ExprKind::Traversal(
            Box::new(lower(&t.expr, text)),
            t.operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::GetAttr(name) => Step::Attr(name.as_str().to_string()),
                    TraversalOperator::Index(e) => Step::Index(lower(e, text)),
                    TraversalOperator::LegacyIndex(i) => Step::Index(Expr {
                        span: span_of(i.span()),
                        kind: ExprKind::Number(*i.value() as f64),
                    }),
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        Step::Splat
                    }
                })
                .collect(),
        ),
        Expression::UnaryOp(u) => {
            let inner = Box::new(lower(&u.expr, text));
            match u.operator.value() {
                UnaryOperator::Not => ExprKind::Not(inner),
                UnaryOperator::Neg => ExprKind::Negate(inner),
            }
        }
        Expression::BinaryOp(b) => {
            let op = match b.operator.value() {
                BinaryOperator::Eq => BinaryOp::Eq,
                BinaryOperator::NotEq => BinaryOp::NotEq,
                BinaryOperator::LessEq => BinaryOp::LessEq,
                BinaryOperator::GreaterEq => BinaryOp::GreaterEq,
                BinaryOperator::Less => BinaryOp::Less,
                BinaryOperator::Greater => BinaryOp::Greater,
                BinaryOperator::Plus => BinaryOp::Add,
                BinaryOperator::Minus => BinaryOp::Sub,
                BinaryOperator::Mul => BinaryOp::Mul,
                BinaryOperator::Div => BinaryOp::Div,
                BinaryOperator::Mod => BinaryOp::Mod,
                BinaryOperator::And => BinaryOp::And,
                BinaryOperator::Or => BinaryOp::Or,
            };
            ExprKind::Binary(
                op,
                Box::new([lower(&b.lhs_expr, text), lower(&b.rhs_expr, text)]),
            )
        }
        Expression::ForExpr(f) => ExprKind::For(Box::new(For {
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
            value_var: f.intro.value_var.as_str().to_string(),
            collection: lower(&f.intro.collection_expr, text),
            key: f.key_expr.as_ref().map(|k| lower(k, text)),
            value: lower(&f.value_expr, text),
            cond: f.cond.as_ref().map(|c| lower(&c.expr, text)),
            grouping: f.grouping,
        })),
    };
    Expr { span, kind }
}

/// A quoted string's span without its quotes.
fn unquoted(text: &str, span: Span) -> Span {
    match text.get(span.range()) {
        Some(t) if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') => {
            Span::new(span.start + 1, span.end - 1)
        }
        _ => span,
    }
}

/// A template's parts, spans relative to `text`.
pub fn lower_template(template: &Template, text: &str) -> Vec<Part> {
    template
        .iter()
        .map(|element| match element {
            Element::Literal(s) => Part::Literal(s.value().to_string()),
            Element::Interpolation(i) => Part::Interpolation(lower(&i.expr, text)),
            Element::Directive(_) => Part::Directive,
        })
        .collect()
}
