//! The Markdown subset of the hand-written man pages (`isptab-config.md`), as
//! man(7) roff.
//!
//! `# TITLE` is a section (`.SH`), `## Title` a subsection (`.SS`), `### term`
//! a tagged paragraph (`.TP`) whose body is the paragraphs and code blocks that
//! follow, up to the next heading; a line starting with `- ` is a bullet (not
//! inside a `###` item); fenced code blocks are shown as written, indented;
//! `` `code` `` is bold. Paragraphs are filled by the formatter. Text is escaped
//! for roff: `\`, `-` (a minus, so options and patterns copy as typed), a `.`
//! or `'` starting a line, and every character outside ASCII (as `\[uXXXX]`).

/// `text` escaped for a roff text line (not its start; see [`line`]).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => out.push_str(&format!("\\[u{:04X}]", c as u32)),
        }
    }
    out
}

/// A roff text line: a leading `.` or `'` (which would make it a request)
/// guarded, an empty line kept as an empty text line.
fn line(out: &mut String, text: &str) {
    if text.is_empty() || text.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    out.push_str(text);
    out.push('\n');
}

/// Inline markup: `` `code` `` in bold, the rest escaped.
fn inline(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("\\fB{}\\fR", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// An argument of a request (`.SH "SEE ALSO"`).
fn argument(text: &str) -> String {
    format!("\"{}\"", escape(text).replace('"', "\\(dq"))
}

/// What the lines being gathered are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gathering {
    Paragraph,
    Bullet,
}

struct Renderer {
    out: String,
    lines: Vec<String>,
    gathering: Gathering,
    /// Inside a `###` item; `fresh` until its body has begun.
    in_item: bool,
    fresh: bool,
    /// Right after `.SH` or `.SS`, which start a paragraph themselves.
    after_heading: bool,
}

impl Renderer {
    fn flush(&mut self) {
        if self.lines.is_empty() {
            return;
        }
        match (self.gathering, self.in_item) {
            (Gathering::Bullet, _) => self.out.push_str(".IP \\(bu 2\n"),
            (Gathering::Paragraph, true) if self.fresh => {}
            (Gathering::Paragraph, true) => self.out.push_str(".IP\n"),
            (Gathering::Paragraph, false) if self.after_heading => {}
            (Gathering::Paragraph, false) => self.out.push_str(".PP\n"),
        }
        self.fresh = false;
        self.after_heading = false;
        for text in std::mem::take(&mut self.lines) {
            line(&mut self.out, &inline(&text));
        }
        self.gathering = Gathering::Paragraph;
    }

    fn code(&mut self, code: &[&str]) {
        if self.in_item {
            self.out
                .push_str(if self.fresh { ".nf\n" } else { ".IP\n.nf\n" });
        } else if self.after_heading {
            self.out.push_str(".RS 4\n.nf\n");
        } else {
            self.out.push_str(".PP\n.RS 4\n.nf\n");
        }
        for text in code {
            line(&mut self.out, &escape(text));
        }
        self.out.push_str(".fi\n");
        if !self.in_item {
            self.out.push_str(".RE\n");
        }
        self.fresh = false;
        self.after_heading = false;
    }
}

/// The page: a `.TH` line from `title`, `section` and `source`, then the body.
pub fn render(title: &str, section: &str, source: &str, markdown: &str) -> String {
    let mut r = Renderer {
        out: format!(
            ".TH {} {} \"\" {}\n",
            argument(title),
            section,
            argument(source)
        ),
        lines: Vec::new(),
        gathering: Gathering::Paragraph,
        in_item: false,
        fresh: false,
        after_heading: false,
    };
    let mut code: Option<Vec<&str>> = None;
    for text in markdown.lines() {
        if let Some(block) = &mut code {
            if text.trim_start().starts_with("```") {
                let block = std::mem::take(block);
                r.code(&block);
                code = None;
            } else {
                block.push(text);
            }
            continue;
        }
        if text.trim_start().starts_with("```") {
            r.flush();
            code = Some(Vec::new());
        } else if let Some(term) = text.strip_prefix("### ") {
            r.flush();
            r.out.push_str(".TP\n");
            line(&mut r.out, &inline(term));
            r.in_item = true;
            r.fresh = true;
            r.after_heading = false;
        } else if let Some(title) = text.strip_prefix("## ") {
            r.flush();
            r.out.push_str(&format!(".SS {}\n", argument(title)));
            r.in_item = false;
            r.after_heading = true;
        } else if let Some(title) = text.strip_prefix("# ") {
            r.flush();
            r.out.push_str(&format!(".SH {}\n", argument(title)));
            r.in_item = false;
            r.after_heading = true;
        } else if let Some(item) = text.strip_prefix("- ") {
            r.flush();
            r.gathering = Gathering::Bullet;
            r.after_heading = false;
            r.lines.push(item.to_string());
        } else if text.trim().is_empty() {
            r.flush();
        } else {
            r.lines.push(text.trim().to_string());
        }
    }
    if let Some(block) = code {
        r.code(&block);
    }
    r.flush();
    r.out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn the_subset() {
        let page = render(
            "isptab-config",
            "5",
            "isptab 0.1.0",
            "# NAME\nisptab-config - the language\n\n# SEE ALSO\n## Nodes\nAbout\n\nthem:\n### `isp \"NAME\"`\nDefines\na record.\n\nMore.\n```kdl\nisp \"A\" {\n\n}\n```\n- one\n  two\n- .dot \\ é\n",
        );
        assert_eq!(
            page,
            ".TH \"isptab\\-config\" 5 \"\" \"isptab 0.1.0\"\n\
             .SH \"NAME\"\nisptab\\-config \\- the language\n\
             .SH \"SEE ALSO\"\n.SS \"Nodes\"\nAbout\n.PP\nthem:\n\
             .TP\n\\fBisp \"NAME\"\\fR\nDefines\na record.\n\
             .IP\nMore.\n\
             .IP\n.nf\nisp \"A\" {\n\\&\n}\n.fi\n\
             .IP \\(bu 2\none\ntwo\n\
             .IP \\(bu 2\n\\&.dot \\e \\[u00E9]\n"
        );
    }
}
