//! Every static error and warning of the checker, with its stable code,
//! turned into a [`Diagnostic`] in one place. Types are already printed
//! (with one shared naming of variables per message) when an error is made.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;

/// Why a type was expected: the secondary label of a mismatch.
#[derive(Clone, Debug)]
pub struct Reason {
    pub span: Span,
    /// Completes "expected `t` because of …".
    pub because: String,
}

#[derive(Clone, Debug)]
pub struct MismatchError {
    pub found: String,
    pub expected: String,
    pub span: Span,
    pub reason: Option<Reason>,
    /// The innermost differing pair when it is not the whole types.
    pub detail: Option<(String, String)>,
}

/// What `=` found that it cannot compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Incomparable {
    FunctionsOrTensors,
    Optimizers,
}

#[derive(Clone, Debug)]
pub enum TypeError {
    /// An error with a note on what the user most likely meant.
    Hinted(Box<TypeError>, String),
    UnboundVariable {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnboundConstructor {
        name: String,
        span: Span,
    },
    UnboundType {
        name: String,
        span: Span,
    },
    UnboundModule {
        name: String,
        span: Span,
    },
    UnboundField {
        name: String,
        span: Span,
        /// The record type the field was looked for in, if known.
        record: Option<String>,
    },
    Mismatch(Box<MismatchError>),
    TypeArity {
        name: String,
        expected: usize,
        found: usize,
        span: Span,
    },
    InfiniteType {
        var: String,
        ty: String,
        span: Span,
    },
    MissingFields {
        record: String,
        fields: Vec<String>,
        span: Span,
    },
    DuplicateField {
        name: String,
        span: Span,
    },
    ClassViolation {
        ty: String,
        class: &'static str,
        span: Span,
        origin: Option<Span>,
    },
    ShiftWithoutReset {
        span: Span,
        /// True when a function that may shift is called, not `shift` itself.
        call: bool,
    },
    PatternVarTwice {
        name: String,
        span: Span,
    },
    OrPatternVars {
        name: String,
        span: Span,
    },
    LetRecNotFunction {
        span: Span,
    },
    ConstructorArity {
        name: String,
        takes_argument: bool,
        span: Span,
    },
    EqualityOnFunctions {
        ty: String,
        span: Span,
        /// The values found without equality, for the label.
        what: Incomparable,
    },
    RecursiveAlias {
        name: String,
        span: Span,
    },
    UnboundTypeVariable {
        name: String,
        span: Span,
    },
    DuplicateDefinition {
        what: &'static str,
        name: String,
        span: Span,
    },
    TooDeep {
        span: Span,
    },
    NotAFunction {
        ty: String,
        span: Span,
    },
    TooComplex {
        span: Span,
    },
    /// A `Printf` format that cannot be read (`%c`, a `%` at the end).
    BadFormat {
        message: String,
        span: Span,
    },
    /// An argument of a `Printf` function unlike its conversion.
    FormatArgument {
        /// The conversion as written (`%.2f`).
        conversion: String,
        expected: String,
        found: String,
        span: Span,
        conversion_span: Span,
    },
    /// A `Printf` function whose format is not a string literal.
    FormatNotLiteral {
        function: String,
        span: Span,
    },
    /// `r.name <- v` on a field not declared `mutable`.
    ImmutableField {
        name: String,
        /// The record type and the field's type, printed.
        record: String,
        field_type: String,
        span: Span,
    },
}

impl TypeError {
    /// The error with `hint` as its last note.
    pub fn with_hint(self, hint: impl Into<String>) -> TypeError {
        TypeError::Hinted(Box::new(self), hint.into())
    }

    pub fn mismatch(m: MismatchError) -> TypeError {
        TypeError::Mismatch(Box::new(m))
    }

    pub fn code(&self) -> &'static str {
        match self {
            TypeError::Hinted(error, _) => error.code(),
            TypeError::UnboundVariable { .. } => "E201",
            TypeError::UnboundConstructor { .. } => "E202",
            TypeError::UnboundType { .. } => "E203",
            TypeError::UnboundModule { .. } => "E204",
            TypeError::UnboundField { .. } => "E205",
            TypeError::Mismatch(_) => "E206",
            TypeError::TypeArity { .. } => "E207",
            TypeError::InfiniteType { .. } => "E208",
            TypeError::MissingFields { .. } => "E209",
            TypeError::DuplicateField { .. } => "E210",
            TypeError::ClassViolation { .. } => "E211",
            TypeError::ShiftWithoutReset { .. } => "E212",
            TypeError::PatternVarTwice { .. } => "E213",
            TypeError::OrPatternVars { .. } => "E214",
            TypeError::LetRecNotFunction { .. } => "E215",
            TypeError::ConstructorArity { .. } => "E216",
            TypeError::EqualityOnFunctions { .. } => "E217",
            TypeError::RecursiveAlias { .. } => "E218",
            TypeError::UnboundTypeVariable { .. } => "E219",
            TypeError::DuplicateDefinition { .. } => "E220",
            TypeError::TooDeep { .. } => "E221",
            TypeError::NotAFunction { .. } => "E222",
            TypeError::TooComplex { .. } => "E223",
            TypeError::BadFormat { .. } => "E224",
            TypeError::FormatArgument { .. } => "E225",
            TypeError::FormatNotLiteral { .. } => "E226",
            TypeError::ImmutableField { .. } => "E227",
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            TypeError::Hinted(error, hint) => error.to_diagnostic().with_note(hint.clone()),
            TypeError::UnboundVariable {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(code, format!("unbound variable `{name}`"))
                    .with_label(*span, "not defined");
                match suggestion {
                    Some(s) => d.with_note(format!("did you mean `{s}`?")),
                    None => d,
                }
            }
            TypeError::UnboundConstructor { name, span } => {
                Diagnostic::error(code, format!("unbound constructor `{name}`"))
                    .with_label(*span, "not defined")
            }
            TypeError::UnboundType { name, span } => {
                Diagnostic::error(code, format!("unbound type `{name}`"))
                    .with_label(*span, "not defined")
            }
            TypeError::UnboundModule { name, span } => {
                Diagnostic::error(code, format!("unbound module `{name}`"))
                    .with_label(*span, "no such module")
            }
            TypeError::UnboundField { name, span, record } => match record {
                Some(r) => Diagnostic::error(code, format!("type `{r}` has no field `{name}`"))
                    .with_label(*span, "unknown field"),
                None => Diagnostic::error(code, format!("unbound record field `{name}`"))
                    .with_label(*span, "no record type has this field"),
            },
            TypeError::Mismatch(m) => {
                let MismatchError {
                    found,
                    expected,
                    span,
                    reason,
                    detail,
                } = &**m;
                let mut d = Diagnostic::error(
                    code,
                    format!("type mismatch: expected `{expected}`, found `{found}`"),
                )
                .with_label(*span, format!("this is `{found}`"));
                if let Some(r) = reason {
                    d = d.with_label(
                        r.span,
                        format!("expected `{expected}` because of {}", r.because),
                    );
                }
                if let Some((a, b)) = detail {
                    d = d.with_note(format!("`{a}` is not compatible with `{b}`"));
                }
                d
            }
            TypeError::TypeArity {
                name,
                expected,
                found,
                span,
            } => Diagnostic::error(
                code,
                format!(
                    "the type `{name}` takes {expected} argument{}, but {found} {} given",
                    plural(*expected),
                    if *found == 1 { "was" } else { "were" }
                ),
            )
            .with_label(*span, "wrong number of type arguments"),
            TypeError::InfiniteType { var, ty, span } => Diagnostic::error(
                code,
                format!("infinite type: `{var}` would have to equal `{ty}`"),
            )
            .with_label(*span, "this expression would have an infinite type"),
            TypeError::MissingFields {
                record,
                fields,
                span,
            } => Diagnostic::error(
                code,
                format!(
                    "missing field{} {} of record type `{record}`",
                    plural(fields.len()),
                    fields
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_label(*span, "some fields are missing"),
            TypeError::DuplicateField { name, span } => {
                Diagnostic::error(code, format!("field `{name}` is given more than once"))
                    .with_label(*span, "duplicate field")
            }
            TypeError::ClassViolation {
                ty,
                class,
                span,
                origin,
            } => {
                let mut d =
                    Diagnostic::error(code, format!("type `{ty}` is not in class `{class}`"))
                        .with_label(*span, format!("this is `{ty}`"))
                        .with_note(class_note(class));
                if let Some(o) = origin {
                    d = d.with_label(*o, format!("`{class}` is required here"));
                }
                d
            }
            TypeError::ShiftWithoutReset { span, call } => {
                if *call {
                    Diagnostic::error(
                        code,
                        "a function that may `shift` is called without an enclosing `reset`",
                    )
                    .with_label(*span, "this call may shift")
                    .with_note("wrap the call in `reset (...)`")
                } else {
                    Diagnostic::error(code, "`shift` without an enclosing `reset`")
                        .with_label(*span, "no `reset` around this `shift`")
                }
            }
            TypeError::PatternVarTwice { name, span } => Diagnostic::error(
                code,
                format!("variable `{name}` is bound more than once in this pattern"),
            )
            .with_label(*span, "bound again here"),
            TypeError::OrPatternVars { name, span } => Diagnostic::error(
                code,
                format!("variable `{name}` must be bound on both sides of this `|` pattern"),
            )
            .with_label(*span, "both sides must bind the same variables"),
            TypeError::LetRecNotFunction { span } => {
                Diagnostic::error(code, "the right-hand side of `let rec` must be a function")
                    .with_label(*span, "not a `fun`")
                    .with_note("`let rec` binds names to functions, e.g. `let rec f x = ...`")
            }
            TypeError::ConstructorArity {
                name,
                takes_argument,
                span,
            } => {
                let msg = if *takes_argument {
                    format!("the constructor `{name}` expects an argument")
                } else {
                    format!("the constructor `{name}` takes no argument")
                };
                Diagnostic::error(code, msg).with_label(*span, "wrong use of the constructor")
            }
            TypeError::EqualityOnFunctions { ty, span, what } => {
                let error = Diagnostic::error(
                    code,
                    format!("values of type `{ty}` cannot be compared with `=`"),
                );
                match what {
                    Incomparable::FunctionsOrTensors => error
                        .with_label(*span, "compares functions or tensors")
                        .with_note("`=` and `<>` are structural; use `Tensor.equal` for tensors"),
                    Incomparable::Optimizers => error
                        .with_label(*span, "compares optimizers")
                        .with_note("an optimizer holds mutable state and has no equality"),
                }
            }
            TypeError::RecursiveAlias { name, span } => {
                Diagnostic::error(code, format!("the type abbreviation `{name}` is cyclic"))
                    .with_label(*span, "defined in terms of itself")
            }
            TypeError::UnboundTypeVariable { name, span } => {
                Diagnostic::error(code, format!("unbound type variable `'{name}`"))
                    .with_label(*span, "not a parameter of this type")
            }
            TypeError::DuplicateDefinition { what, name, span } => {
                Diagnostic::error(code, format!("the {what} `{name}` is defined twice"))
                    .with_label(*span, "defined again here")
            }
            TypeError::TooDeep { span } => {
                Diagnostic::error(code, "this expression is nested too deeply to check")
                    .with_label(*span, "too deeply nested")
            }
            TypeError::NotAFunction { ty, span } => Diagnostic::error(
                code,
                format!(
                    "this expression has type `{ty}`; it is not a function and cannot be applied"
                ),
            )
            .with_label(*span, format!("this is `{ty}`")),
            TypeError::TooComplex { span } => Diagnostic::error(code, "the types of this program are too large to check")
                .with_label(*span, "the type of this expression grows too large")
                .with_note("each use of a function like `fun x -> f (f x)` can double the size of a type; add annotations or split the definition"),
            TypeError::BadFormat { message, span } => {
                Diagnostic::error(code, format!("bad format: {message}"))
                    .with_label(*span, "here")
                    .with_note(format!(
                        "the conversions are {}, with flags `-` `0` `+` ` `, a width and a precision (`%-8.3f`)",
                        crate::runtime::format::CONVERSIONS
                    ))
            }
            TypeError::FormatArgument {
                conversion,
                expected,
                found,
                span,
                conversion_span,
            } => Diagnostic::error(
                code,
                format!("this argument is `{found}`, but `{conversion}` takes `{expected}`"),
            )
            .with_label(*span, format!("this is `{found}`"))
            .with_label(*conversion_span, format!("`{conversion}` takes `{expected}`")),
            TypeError::FormatNotLiteral { function, span } => Diagnostic::error(
                code,
                format!("the format of `{function}` must be a string literal"),
            )
            .with_label(*span, "not a literal format")
            .with_note(format!(
                "the format is checked when the program is, so it is written in the call: `{function} \"%d items\\n\" n`; to print a string computed at run time, use `{function} \"%s\" s`"
            )),
            TypeError::ImmutableField {
                name,
                record,
                field_type,
                span,
            } => Diagnostic::error(
                code,
                format!("the field `{name}` of `{record}` is not mutable"),
            )
            .with_label(*span, "assigned with `<-`")
            .with_note(format!(
                "declare it `mutable {name} : {field_type}` in the type `{record}` to assign it in place, or make a new record with `{{ r with {name} = … }}`"
            )),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn class_note(class: &str) -> String {
    let members = match class {
        "num" => "`int`, `float` and `tensor`",
        "real" => "`float` and `tensor`",
        "diff" => "`float`, `tensor` and tuples, records, lists, arrays and options of them",
        _ => "`int`, `float` and `string`",
    };
    format!("the class `{class}` contains {members}")
}
