//! The REPL's own commands, `:type`, `:load`, `:help` and `:quit`, and
//! OCaml's toplevel directives `#use "FILE"` and `#quit`, which are
//! `:load` and `:quit` (§11). Any other line starting with `#` is a line
//! comment, as in a file. A `;;` after a command is ignored.

use super::input::strip_double_semicolon;

pub(super) const HELP: &str = "\
Type an expression to evaluate it, or items (`let`, `type`, `open`,
`import`) to add them to the session. A complete line runs at Enter; an
input that needs more lines continues on `..>` lines and runs at a line
ending in `;;` or at an empty line. Tab completes names and module members.
  :type EXPR   show the type of EXPR without evaluating it
  :load FILE   check and run FILE in this session (also #use \"FILE\")
  :help        show this help
  :quit        leave (also #quit, Ctrl-D); Ctrl-C stops a running evaluation
";

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Command<'a> {
    Quit,
    Help,
    Type(&'a str),
    Load(&'a str),
    /// A command the REPL does not know or cannot follow: what to say.
    Mistake(String),
}

/// Whether the line is a command rather than source (or a comment).
pub(super) fn is_command(line: &str) -> bool {
    parse(line).is_some()
}

/// The command on the line, if it is one.
pub(super) fn parse(line: &str) -> Option<Command<'_>> {
    let line = strip_double_semicolon(line.trim_start());
    if let Some(command) = line.strip_prefix(':') {
        return Some(colon_command(command));
    }
    let directive = line.strip_prefix('#')?;
    let name_end = directive
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(directive.len());
    let (name, argument) = directive.split_at(name_end);
    let argument = argument.trim();
    match name {
        "quit" if argument.is_empty() => Some(Command::Quit),
        "quit" => Some(Command::Mistake("`#quit` takes no argument".into())),
        "use" => Some(match quoted(argument) {
            Some(file) => Command::Load(file),
            None => Command::Mistake(
                "`#use` takes a file name in double quotes: #use \"file.dl\"".into(),
            ),
        }),
        _ => None,
    }
}

fn colon_command(command: &str) -> Command<'_> {
    let (name, argument) = command
        .split_once(char::is_whitespace)
        .map(|(n, a)| (n, a.trim()))
        .unwrap_or((command, ""));
    match name {
        "quit" | "q" => Command::Quit,
        "help" | "h" => Command::Help,
        "type" | "t" if !argument.is_empty() => Command::Type(argument),
        "load" | "l" if !argument.is_empty() => Command::Load(argument),
        "type" | "t" | "load" | "l" => Command::Mistake(format!(
            "`:{name}` needs an argument; :help lists the commands"
        )),
        _ => Command::Mistake(format!(
            "unknown command `:{name}`; :help lists the commands"
        )),
    }
}

/// The text between double quotes, which must be all of `argument`.
fn quoted(argument: &str) -> Option<&str> {
    let inner = argument.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.is_empty() && !inner.contains('"')).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_commands_and_their_short_forms() {
        assert_eq!(parse(":quit"), Some(Command::Quit));
        assert_eq!(parse(":q"), Some(Command::Quit));
        assert_eq!(parse(":t 1 + 2"), Some(Command::Type("1 + 2")));
        assert_eq!(parse(":load a.dl"), Some(Command::Load("a.dl")));
        assert!(matches!(parse(":type"), Some(Command::Mistake(_))));
        assert!(matches!(parse(":frob"), Some(Command::Mistake(_))));
    }

    #[test]
    fn double_semicolon_after_a_command_is_ignored() {
        assert_eq!(parse(":quit;;"), Some(Command::Quit));
        assert_eq!(parse(":type 1 + 2 ;;"), Some(Command::Type("1 + 2")));
        assert_eq!(parse("#use \"a.dl\";;"), Some(Command::Load("a.dl")));
        assert_eq!(parse("#quit;;"), Some(Command::Quit));
    }

    #[test]
    fn directives_are_use_and_quit_and_other_hash_lines_are_comments() {
        assert_eq!(parse("#use \"lib/a.dl\""), Some(Command::Load("lib/a.dl")));
        assert!(matches!(parse("#use a.dl"), Some(Command::Mistake(_))));
        assert!(matches!(parse("#quit now"), Some(Command::Mistake(_))));
        assert_eq!(parse("# use this"), None);
        assert_eq!(parse("#user note"), None);
        assert_eq!(parse("#!/usr/bin/env dlang"), None);
        assert_eq!(parse("let x = 1"), None);
    }
}
