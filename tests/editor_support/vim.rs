//! The `syn` items of a Vim syntax file.

pub struct SyntaxItem {
    /// `keyword`, `match`, `region`, …
    pub kind: String,
    pub group: String,
    /// For `syn keyword`: the keywords (options such as `contained`
    /// left out).
    pub words: Vec<String>,
    pub contained: bool,
}

/// By the syntax file's convention, the groups holding lexer keywords.
pub fn is_keyword_group(group: &str) -> bool {
    group.starts_with("dlang") && group.ends_with("Keyword")
}

pub fn syntax_items(source: &str) -> Vec<SyntaxItem> {
    // Lines starting with `\` continue the previous one.
    let mut lines: Vec<String> = Vec::new();
    for line in source.lines() {
        let trimmed = line.trim_start();
        match (trimmed.strip_prefix('\\'), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(trimmed.to_string()),
        }
    }
    lines
        .iter()
        .filter_map(|line| {
            let mut tokens = line.split_whitespace();
            let command = tokens.next()?;
            if !matches!(command, "syn" | "synt" | "synta" | "syntax") {
                return None;
            }
            let kind = tokens.next()?.to_string();
            if !matches!(kind.as_str(), "keyword" | "match" | "region") {
                return None;
            }
            let group = tokens.next()?.to_string();
            let rest: Vec<&str> = tokens.collect();
            let contained = rest.contains(&"contained");
            let words = if kind == "keyword" {
                rest.iter()
                    .filter(|t| !is_option(t))
                    .map(|t| t.to_string())
                    .collect()
            } else {
                Vec::new()
            };
            Some(SyntaxItem {
                kind,
                group,
                words,
                contained,
            })
        })
        .collect()
}

fn is_option(token: &str) -> bool {
    const FLAGS: &[&str] = &[
        "contained",
        "transparent",
        "skipwhite",
        "skipnl",
        "skipempty",
        "conceal",
        "display",
        "fold",
        "oneline",
        "extend",
        "keepend",
        "excludenl",
    ];
    FLAGS.contains(&token) || token.contains('=')
}
