//! The JIT's IR as text, for `dlang run --emit ir` (docs/jit.md, "Seeing
//! the code"): each function's header, then its body as an indented
//! s-expression. The tree's shape comes from [`Expr::children`], so only
//! what a node holds besides its children is written here.

#![forbid(unsafe_code)]

use super::ir::{Expr, Frame, Function, Program, RuntimeFn, Ty};
use crate::runtime::prims::PRIMS;
use std::fmt::Write;

/// Every function of `program`, in order (`f0` is the main code).
pub fn program(program: &Program) -> String {
    let mut out = String::new();
    for (index, function) in program.functions.iter().enumerate() {
        write_function(&mut out, index, function);
    }
    out
}

fn write_function(out: &mut String, index: usize, f: &Function) {
    let params: Vec<String> = (0..f.params)
        .map(|i| format!("v{i}: {}", ty(f.locals[i])))
        .collect();
    let frame = match f.frame {
        Frame::Hidden => "hidden",
        Frame::Shown {
            replaces_tail_caller: false,
        } => "shown",
        Frame::Shown {
            replaces_tail_caller: true,
        } => "shown, replaces tail caller",
        Frame::Continuation => "continuation",
        Frame::ShiftBody => "shift body",
    };
    let _ = writeln!(
        out,
        "f{index} `{}` ({}) -> {}  [frame: {frame}]",
        f.name,
        params.join(", "),
        ty(f.ret)
    );
    if f.locals.len() > f.params {
        let locals: Vec<String> = (f.params..f.locals.len())
            .map(|i| format!("v{i}: {}", ty(f.locals[i])))
            .collect();
        let _ = writeln!(out, "  locals {}", locals.join(", "));
    }
    write_expr(out, &f.body, 1);
    out.push('\n');
}

/// `e` at `depth`, on one line when every child is a leaf.
fn write_expr(out: &mut String, e: &Expr, depth: usize) {
    out.push_str(&"  ".repeat(depth));
    write_inline_or_nested(out, e, depth);
    out.push('\n');
}

fn write_inline_or_nested(out: &mut String, e: &Expr, depth: usize) {
    let children = e.children();
    if children.is_empty() {
        out.push_str(&leaf(e));
        return;
    }
    out.push('(');
    out.push_str(&head(e));
    if children.iter().all(|c| c.children().is_empty()) {
        for child in children {
            out.push(' ');
            out.push_str(&leaf(child));
        }
        out.push(')');
        return;
    }
    out.push('\n');
    for child in children {
        write_expr(out, child, depth + 1);
    }
    out.push_str(&"  ".repeat(depth));
    out.push(')');
}

/// A node without children: constants and variables bare, operations
/// (a call without arguments, say) in parentheses.
fn leaf(e: &Expr) -> String {
    match e {
        Expr::Unit | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Var(_) => head(e),
        _ => format!("({})", head(e)),
    }
}

/// What `e` holds besides its children.
fn head(e: &Expr) -> String {
    match e {
        Expr::Unit => "()".into(),
        Expr::Bool(b) => b.to_string(),
        Expr::Int(n) => n.to_string(),
        Expr::Float(x) => format!("{x:?}"),
        Expr::Var(v) => format!("v{}", v.0),
        Expr::Let { var, .. } => format!("let v{}", var.0),
        Expr::Assign { var, .. } => format!("set v{}", var.0),
        Expr::Seq(_) => "seq".into(),
        Expr::IntBinary { op, .. } => format!("int.{}", lower(op)),
        Expr::IntNeg { .. } => "int.neg".into(),
        Expr::FloatBinary { op, .. } => format!("float.{}", lower(op)),
        Expr::FloatNeg(_) => "float.neg".into(),
        Expr::Compare { op, .. } => format!("cmp.{}", lower(op)),
        Expr::Not(_) => "not".into(),
        Expr::IntToFloat(_) => "int_to_float".into(),
        Expr::If { .. } => "if".into(),
        Expr::Switch { cases, .. } => {
            let tags: Vec<String> = cases.iter().map(|(tag, _)| tag.to_string()).collect();
            format!("switch [{}] default", tags.join(" "))
        }
        Expr::While { .. } => "while".into(),
        Expr::Call { func, .. } => format!("call f{}", func.0),
        Expr::TailCallSelf { .. } => "tail_call_self".into(),
        Expr::TailCall { func, .. } => format!("tail_call f{}", func.0),
        Expr::FuncAddr(func) => format!("func_addr f{}", func.0),
        Expr::CallIndirect { params, ret, .. } => {
            let params: Vec<&str> = params.iter().map(|p| ty(*p)).collect();
            format!("call_indirect ({}) -> {}", params.join(", "), ty(*ret))
        }
        Expr::Apply { .. } => "apply".into(),
        Expr::Resume { .. } => "resume".into(),
        Expr::TailApply { .. } => "tail_apply".into(),
        Expr::ApplyCps { tail: true, .. } => "apply_cps tail".into(),
        Expr::ApplyCps { tail: false, .. } => "apply_cps".into(),
        Expr::SourceTail(_) => "source_tail".into(),
        Expr::Inlined { frames, .. } => {
            let names: Vec<String> = frames.iter().map(|f| format!("i{}", f.name)).collect();
            format!("inlined [{}]", names.join(" "))
        }
        Expr::TapePush { .. } => "tape_push".into(),
        Expr::TapePop(t) => format!("tape_pop -> {}", ty(*t)),
        Expr::Runtime {
            entry: RuntimeFn::Prim(index),
            ..
        } => format!("runtime Prim({})", prim_name(*index)),
        Expr::Runtime {
            entry: RuntimeFn::PartialPrim(index),
            ..
        } => format!("runtime PartialPrim({})", prim_name(*index)),
        Expr::Runtime { entry, .. } => format!("runtime {entry:?}"),
        Expr::Join {
            id, ty: t, targets, ..
        } => {
            let targets: Vec<String> = targets
                .iter()
                .map(|target| {
                    let params: Vec<String> =
                        target.params.iter().map(|v| format!("v{}", v.0)).collect();
                    format!("({})", params.join(" "))
                })
                .collect();
            format!(
                "join j{} -> {}, targets {}",
                id.0,
                ty(*t),
                targets.join(" ")
            )
        }
        Expr::Jump { join, target, .. } => format!("jump j{}.{target}", join.0),
        Expr::MatchFailure { kind, .. } => format!("match_failure {kind:?}"),
        Expr::Try { ty: t, exn, .. } => format!("try -> {}, handler binds v{}", ty(*t), exn.0),
    }
}

/// A primitive by its qualified name, as the program writes it.
fn prim_name(index: u32) -> String {
    match PRIMS.get(index as usize) {
        Some(prim) if prim.module == "Prelude" => prim.name.to_string(),
        Some(prim) => format!("{}.{}", prim.module, prim.name),
        None => format!("#{index}"),
    }
}

fn ty(t: Ty) -> &'static str {
    match t {
        Ty::Unit => "unit",
        Ty::Bool => "bool",
        Ty::I64 => "i64",
        Ty::F64 => "f64",
        Ty::Val => "val",
    }
}

fn lower(op: &impl std::fmt::Debug) -> String {
    format!("{op:?}").to_lowercase()
}
