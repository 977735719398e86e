//! The terminal report: rustc-style snippets with the value underlined.
//!
//! Rendered with `miette`'s graphical handler (the design's choice for
//! rendering at the edge), with hyperlinks off and colour only when the
//! output is a terminal and `NO_COLOR` is unset.

use std::io::Write;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::Context;
use crate::finding::{Finding, Level};
use crate::rules;
use crate::scan::ScanResult;
use crate::source::Source;

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let theme = if ctx.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1)
        .with_width(100);
    let shown: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    for finding in &shown {
        let report = FindingReport::new(finding, ctx);
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &report).is_err() {
            rendered = format!("{}\n", finding.message());
        }
        write!(out, "{rendered}")?;
        writeln!(out)?;
    }
    for d in &result.diagnostics {
        let path = ctx.relative(&d.path);
        let pos = d
            .position
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        let kind = match d.severity() {
            crate::diagnostic::Severity::Error => "error",
            crate::diagnostic::Severity::Notice => "notice",
        };
        writeln!(out, "{kind}: {path}{pos}: {}", d.problem)?;
    }
    let count = |level| shown.iter().filter(|f| f.level == level).count();
    let suppressed = result.findings.len() - shown.len();
    let mut summary = format!(
        "{} finding{} ({} error, {} warning, {} note) in {} file{} scanned",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" },
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note),
        result.files_scanned,
        if result.files_scanned == 1 { "" } else { "s" },
    );
    if suppressed > 0 {
        summary.push_str(&format!(", {suppressed} suppressed"));
    }
    let unreadable = result
        .diagnostics
        .iter()
        .filter(|d| d.severity() == crate::diagnostic::Severity::Error)
        .count();
    if unreadable > 0 {
        summary.push_str(&format!(", {unreadable} problem(s) reading files"));
    }
    writeln!(out, "{summary}")
}

/// One finding as a miette diagnostic.
struct FindingReport {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    help: String,
    source: SourceText,
    labels: Vec<LabeledSpan>,
}

impl FindingReport {
    fn new(f: &Finding, ctx: &Context) -> FindingReport {
        let source = SourceText {
            source: Arc::clone(&f.location.source),
            name: ctx.relative(&f.location.source.path),
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            SourceSpan::from(f.location.span.range()),
        )];
        let mut elsewhere = Vec::new();
        for r in &f.related {
            if Arc::ptr_eq(&r.location.source, &f.location.source)
                || r.location.source.path == f.location.source.path
            {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    SourceSpan::from(r.location.span.range()),
                ));
            } else {
                let p = r.location.start();
                elsewhere.push(format!(
                    "{}:{}:{}: {}",
                    ctx.relative(&r.location.source.path),
                    p.line,
                    p.column,
                    r.message
                ));
            }
        }
        let mut help = first_sentence(rules::section(f.rule.doc, "Use instead"));
        for e in elsewhere {
            help.push_str(&format!("\nsee also {e}"));
        }
        help.push_str(&format!("\nmore: seccheck explain {}", f.rule.id));
        FindingReport {
            message: f.message(),
            code: f.rule.id,
            severity: match f.level {
                Level::Error => miette::Severity::Error,
                Level::Warning => miette::Severity::Warning,
                Level::Note => miette::Severity::Advice,
            },
            help,
            source,
            labels,
        }
    }
}

fn first_sentence(text: &str) -> String {
    let flat: String = text
        .lines()
        .take_while(|l| !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join(" ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat.trim_end_matches(':').to_string(),
    }
}

impl std::fmt::Debug for FindingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for FindingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingReport {}

impl miette::Diagnostic for FindingReport {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// A file's text shared with the scan result, named as the user sees it.
struct SourceText {
    source: Arc<Source>,
    name: String,
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .source
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
