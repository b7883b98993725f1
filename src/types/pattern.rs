//! Inference for patterns: each pattern gets a type and yields the
//! variables it binds (monomorphic; `let` generalises them afterwards).

use super::error::{Reason, TypeError};
use super::infer::{literal_type, Check, Infer};
use super::resolved::Binder;
use super::types::{Effect, Type};
use super::TypeInfo;
use crate::syntax::ast::{FieldPattern, Pattern, PatternKind, Span, UntypedPattern};

/// A variable bound by a pattern: name, where, type, which binding.
pub type Bind = (String, Span, Type, Binder);

impl Infer<'_> {
    /// Types `p` as `expected` (the matched value's type; `reason` says
    /// where that type came from) and returns the variables it binds.
    pub fn check_pattern(
        &mut self,
        p: UntypedPattern,
        expected: &Type,
        reason: Option<Reason>,
    ) -> Check<(Pattern<TypeInfo>, Vec<Bind>)> {
        let mut binds = Vec::new();
        let typed = self.infer_pattern(p, &mut binds)?;
        self.expect(&typed.ann.ty, expected, typed.span, reason)?;
        Ok((typed, binds))
    }

    /// Brings the variables a pattern binds into the local scope.
    pub fn bind_locals(&mut self, binds: Vec<Bind>) {
        for (name, _, ty, binder) in binds {
            self.locals.push(name, ty, binder.target());
        }
    }

    /// The binding a pattern variable introduces: the one the left side of
    /// an enclosing or-pattern gave it, else a new global (top-level
    /// `let`) or local.
    fn binder_for(&mut self, name: &str) -> Binder {
        if let Some((_, binder)) = self.or_binders.iter().rev().find(|(n, _)| n == name) {
            return *binder;
        }
        if self.binding_globals {
            Binder::Global(self.st.globals.add(&self.current, name))
        } else {
            Binder::Local(self.fresh_local())
        }
    }

    fn infer_pattern(
        &mut self,
        p: UntypedPattern,
        binds: &mut Vec<Bind>,
    ) -> Check<Pattern<TypeInfo>> {
        let span = p.span;
        let (kind, ty) = match p.kind {
            PatternKind::Wildcard => (PatternKind::Wildcard, self.fresh()),
            PatternKind::Var(name, ()) => {
                let ty = self.fresh();
                let binder = self.binder_for(&name);
                add_bind(binds, (name.clone(), span, ty.clone(), binder))?;
                (PatternKind::Var(name, binder), ty)
            }
            PatternKind::Lit(lit) => {
                let ty = literal_type(&lit);
                (PatternKind::Lit(lit), ty)
            }
            PatternKind::Tuple(items) => {
                let mut typed = Vec::with_capacity(items.len());
                for item in items {
                    typed.push(self.infer_pattern(item, binds)?);
                }
                let ty = Type::Tuple(typed.iter().map(|t| t.ann.ty.clone()).collect());
                (PatternKind::Tuple(typed), ty)
            }
            PatternKind::Constructor(path, (), arg) => {
                let (result, ctor_arg, ctor) = self.instantiate_constructor(&path, span)?;
                match (arg, ctor_arg) {
                    (None, None) => (PatternKind::Constructor(path, ctor, None), result),
                    (Some(arg), Some(expected)) => {
                        let arg = self.infer_pattern(*arg, binds)?;
                        let reason = Reason {
                            span,
                            because: format!("the constructor `{path}`"),
                        };
                        self.expect(&arg.ann.ty, &expected, arg.span, Some(reason))?;
                        (
                            PatternKind::Constructor(path, ctor, Some(Box::new(arg))),
                            result,
                        )
                    }
                    (given, _) => {
                        return Err(TypeError::ConstructorArity {
                            name: path.to_string(),
                            takes_argument: given.is_none(),
                            span,
                        })
                    }
                }
            }
            PatternKind::List(items) => {
                let elem = self.fresh();
                let mut typed = Vec::with_capacity(items.len());
                for item in items {
                    let item = self.infer_pattern(item, binds)?;
                    self.expect(&item.ann.ty, &elem, item.span, None)?;
                    typed.push(item);
                }
                (PatternKind::List(typed), Type::list(elem))
            }
            PatternKind::Cons(head, tail) => {
                let head = self.infer_pattern(*head, binds)?;
                let tail = self.infer_pattern(*tail, binds)?;
                let list = Type::list(head.ann.ty.clone());
                let reason = Reason {
                    span: head.span,
                    because: "the head of `::`".to_string(),
                };
                self.expect(&tail.ann.ty, &list, tail.span, Some(reason))?;
                (PatternKind::Cons(Box::new(head), Box::new(tail)), list)
            }
            PatternKind::Record(fields, open) => {
                let (typed, ty) = self.infer_record_pattern(fields, span, binds)?;
                (PatternKind::Record(typed, open), ty)
            }
            PatternKind::Or(left, right) => {
                let mut left_binds = Vec::new();
                let mut right_binds = Vec::new();
                let left = self.infer_pattern(*left, &mut left_binds)?;
                let mark = self.or_binders.len();
                self.or_binders
                    .extend(left_binds.iter().map(|(n, _, _, b)| (n.clone(), *b)));
                let right = self.infer_pattern(*right, &mut right_binds);
                self.or_binders.truncate(mark);
                let right = right?;
                let reason = Reason {
                    span: left.span,
                    because: "the left side of `|`".to_string(),
                };
                self.expect(&right.ann.ty, &left.ann.ty, right.span, Some(reason))?;
                for (name, _, ty, _) in &left_binds {
                    let Some((_, other_span, other, _)) =
                        right_binds.iter().find(|(n, _, _, _)| n == name)
                    else {
                        return Err(TypeError::OrPatternVars {
                            name: name.clone(),
                            span: right.span,
                        });
                    };
                    self.expect(other, ty, *other_span, None)?;
                }
                if let Some((name, _, _, _)) = right_binds
                    .iter()
                    .find(|(n, _, _, _)| !left_binds.iter().any(|(m, _, _, _)| m == n))
                {
                    return Err(TypeError::OrPatternVars {
                        name: name.clone(),
                        span: left.span,
                    });
                }
                for bind in left_binds {
                    add_bind(binds, bind)?;
                }
                let ty = left.ann.ty.clone();
                (PatternKind::Or(Box::new(left), Box::new(right)), ty)
            }
            PatternKind::As(inner, name, ()) => {
                let inner = self.infer_pattern(*inner, binds)?;
                let ty = inner.ann.ty.clone();
                let binder = self.binder_for(&name);
                add_bind(binds, (name.clone(), span, ty.clone(), binder))?;
                (PatternKind::As(Box::new(inner), name, binder), ty)
            }
            PatternKind::Annot(inner, texpr) => {
                let inner = self.infer_pattern(*inner, binds)?;
                let ty = self.convert_annotation(&texpr)?;
                let reason = Reason {
                    span: texpr.span,
                    because: "this annotation".to_string(),
                };
                self.expect(&inner.ann.ty, &ty, inner.span, Some(reason))?;
                (PatternKind::Annot(Box::new(inner), texpr), ty)
            }
        };
        Ok(Pattern {
            kind,
            span,
            ann: TypeInfo {
                ty,
                effect: Effect::Pure,
            },
        })
    }

    fn infer_record_pattern(
        &mut self,
        fields: Vec<FieldPattern<()>>,
        span: Span,
        binds: &mut Vec<Bind>,
    ) -> Check<(Vec<FieldPattern<TypeInfo>>, Type)> {
        let first = fields.first().map(|f| (f.name.as_str(), f.name_span));
        let (record_ty, record, declared) = self.instantiate_record_of_first_field(first, span)?;
        let mut typed: Vec<FieldPattern<TypeInfo>> = Vec::with_capacity(fields.len());
        for field in fields {
            let Some((index, (_, expected))) = declared
                .iter()
                .enumerate()
                .find(|(_, (n, _))| *n == field.name)
            else {
                return Err(TypeError::UnboundField {
                    name: field.name,
                    span: field.name_span,
                    record: Some(self.printer().type_text(&record_ty)),
                });
            };
            let expected = expected.clone();
            if typed.iter().any(|f| f.name == field.name) {
                return Err(TypeError::DuplicateField {
                    name: field.name,
                    span: field.name_span,
                });
            }
            let pattern = self.infer_pattern(field.pattern, binds)?;
            let reason = Reason {
                span: field.name_span,
                because: format!("the field `{}`", field.name),
            };
            self.expect(&pattern.ann.ty, &expected, pattern.span, Some(reason))?;
            typed.push(FieldPattern {
                name: field.name,
                name_span: field.name_span,
                field: self.field_ref(record, index as u32),
                pattern,
            });
        }
        Ok((typed, record_ty))
    }
}

fn add_bind(binds: &mut Vec<Bind>, bind: Bind) -> Check<()> {
    if binds.iter().any(|(n, _, _, _)| *n == bind.0) {
        return Err(TypeError::PatternVarTwice {
            name: bind.0,
            span: bind.1,
        });
    }
    binds.push(bind);
    Ok(())
}
