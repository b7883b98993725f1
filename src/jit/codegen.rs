//! Compiles a [`Program`] of the IR to machine code with Cranelift.
//!
//! Every IR function becomes a Cranelift function with the `tail` calling
//! convention (so tail calls can be `return_call`s) and the signature
//! `(ctx, params...) -> (status, value)`; every one also gets an *entry
//! trampoline* with the host's C convention, `(ctx, *const args, *mut
//! result) -> status`, which is how Rust calls in (see
//! [`native`](super::native)). The translation of one function body is in
//! [`translate`](super::translate).

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{ArenaMemoryProvider, JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId as ClFuncId, Linkage, Module};

use super::abi;
use super::ir::{FuncId, Program, Ty};
use super::native::{ClosureEntry, EntryCode};
use super::site::Site;
use super::translate::{self, Translator};

/// The IR was malformed or Cranelift refused it: a bug in the lowering or
/// in the JIT, never the user's.
#[derive(Debug)]
pub struct CompileError(pub String);

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JIT compile error: {}", self.0)
    }
}

impl std::error::Error for CompileError {}

pub fn err<T>(message: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError(message.into()))
}

/// A compiled program: its machine code stays alive as long as this does.
pub struct Compiled {
    /// Owns the code `entries` point into.
    _module: JITModule,
    /// The finished entry trampolines, by function.
    entries: HashMap<FuncId, EntryCode>,
    pub program: Program,
    pub sites: Vec<Site>,
    /// The finished address of each closure body, by `Program::closures`
    /// index (what a `Value::Closure`'s `code` names).
    pub closure_code: Vec<u64>,
    /// The finished address of each closure body's continuation-passing
    /// entry, by closure code (0 for a body without one).
    pub closure_cps_code: Vec<u64>,
    /// How Rust calls a closure body (`runtime::function::Apply`).
    pub closure_entry: ClosureEntry,
    /// Cranelift's time for the whole program (translation, optimisation,
    /// code emission, linking).
    pub compile_time: Duration,
    /// The Cranelift IR of each function as translated (before
    /// Cranelift's optimisation), when asked for (`--emit clif`).
    pub clif: Vec<String>,
}

impl Compiled {
    /// The entry trampoline of `func`, if it was compiled with one.
    pub fn entry(&self, func: FuncId) -> Option<EntryCode> {
        self.entries.get(&func).copied()
    }
}

/// The Cranelift type of an IR type.
pub fn cl_type(ty: Ty) -> types::Type {
    match ty {
        Ty::Unit | Ty::Bool => types::I8,
        Ty::I64 | Ty::Val => types::I64,
        Ty::F64 => types::F64,
    }
}

/// `(ctx, params...) -> (status, ret)` in the `tail` convention.
pub fn internal_signature(params: &[Ty], ret: Ty) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(types::I64));
    sig.params
        .extend(params.iter().map(|ty| AbiParam::new(cl_type(*ty))));
    sig.returns.push(AbiParam::new(types::I32));
    sig.returns.push(AbiParam::new(cl_type(ret)));
    sig
}

/// Set to run Cranelift's verifier on every function the JIT compiles.
const VERIFY_VAR: &str = "DLANG_JIT_VERIFY";

/// Address space reserved for one module's code and data (not memory:
/// pages are committed as the JIT fills them).
const JIT_ARENA_BYTES: usize = 1 << 30;

fn new_module() -> Result<JITModule, CompileError> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name, value| {
        flags
            .set(name, value)
            .map_err(|e| CompileError(format!("setting {name}: {e}")))
    };
    set(&mut flags, "opt_level", "speed")?;
    // The `tail` convention on x86-64 needs frame pointers kept.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // The verifier catches codegen bugs. It costs about a third of the
    // compile time, so it runs in this crate's unit tests and when
    // `DLANG_JIT_VERIFY` is set (the golden suite sets it for every run),
    // not in every dev-build run of the binary.
    let verify = if cfg!(test) || std::env::var_os(VERIFY_VAR).is_some() {
        "true"
    } else {
        "false"
    };
    set(&mut flags, "enable_verifier", verify)?;
    let isa = cranelift_native::builder()
        .map_err(|e| CompileError(format!("host not supported: {e}")))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| CompileError(format!("target: {e}")))?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    // One contiguous reservation for the module's code and data: with the
    // default provider, separate mmaps could land more than 2 GiB apart
    // and a 32-bit PC-relative relocation between them would not fit
    // (cranelift-jit panics in `finalize_definitions`; seen in the
    // differential fuzzer). Only the pages used are ever committed.
    let arena = ArenaMemoryProvider::new_with_size(JIT_ARENA_BYTES)
        .map_err(|e| CompileError(format!("reserving the JIT's memory: {e}")))?;
    builder.memory_provider(Box::new(arena));
    abi::register(&mut builder);
    Ok(JITModule::new(builder))
}

/// Compiles every function of `program`, and an entry trampoline for each
/// of `entries` (the functions Rust will call).
pub fn compile(program: Program, entries: &[FuncId]) -> Result<Compiled, CompileError> {
    compile_keeping(program, entries, false)
}

/// [`compile`], keeping each function's Cranelift IR in
/// [`Compiled::clif`] if `keep_clif`.
pub fn compile_keeping(
    program: Program,
    entries: &[FuncId],
    keep_clif: bool,
) -> Result<Compiled, CompileError> {
    let started = Instant::now();
    let mut clif = Vec::new();
    let mut module = new_module()?;
    let mut functions = Vec::with_capacity(program.functions.len());
    for (index, function) in program.functions.iter().enumerate() {
        if function.locals.len() < function.params {
            return err(format!("`{}` has fewer locals than params", function.name));
        }
        let sig = internal_signature(function.param_types(), function.ret);
        let id = module
            .declare_function(&format!("f{index}"), Linkage::Local, &sig)
            .map_err(|e| CompileError(e.to_string()))?;
        functions.push(id);
    }
    let mut imports = Imports::default();
    let mut ctx = module.make_context();
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut sites = Vec::new();
    for (index, function) in program.functions.iter().enumerate() {
        ctx.func.signature = internal_signature(function.param_types(), function.ret);
        ctx.func.name = UserFuncName::user(0, functions[index].as_u32());
        let builder = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
        let translator = Translator {
            module: &mut module,
            program: &program,
            functions: &functions,
            imports: &mut imports,
            sites: &mut sites,
            me: FuncId(index as u32),
        };
        translate::function(translator, builder)?;
        if keep_clif {
            clif.push(format!(
                "; f{index} `{}`\n{}",
                function.name,
                ctx.func.display()
            ));
        }
        define(&mut module, functions[index], &mut ctx, &function.name)?;
    }
    let mut entry_ids = Vec::with_capacity(entries.len());
    for func in entries {
        let Some(function) = program.functions.get(func.0 as usize) else {
            return err(format!("no function {} to enter", func.0));
        };
        let target = functions[func.0 as usize];
        let params = function.param_types();
        let id = trampoline(
            &mut module,
            &mut ctx,
            &mut builder_ctx,
            target,
            params,
            function.ret,
        )?;
        entry_ids.push((*func, id));
    }
    let closure_entry = closure_trampoline(&mut module, &mut ctx, &mut builder_ctx)?;
    module
        .finalize_definitions()
        .map_err(|e| CompileError(e.to_string()))?;
    let closure_entry = ClosureEntry::new(module.get_finalized_function(closure_entry));
    let entries = entry_ids
        .iter()
        .map(|(func, id)| (*func, EntryCode::new(module.get_finalized_function(*id))))
        .collect();
    let mut closure_code = Vec::with_capacity(program.closures.len());
    for func in &program.closures {
        let Some(id) = functions.get(func.0 as usize) else {
            return err(format!("no function {} for a closure body", func.0));
        };
        // `Expr::Apply` calls every closure body with this signature.
        let body = &program.functions[func.0 as usize];
        if body.param_types() != [Ty::Val, Ty::Val] || body.ret != Ty::Val {
            return err(format!("closure body `{}` of another signature", body.name));
        }
        closure_code.push(module.get_finalized_function(*id) as usize as u64);
    }
    let mut closure_cps_code = vec![0; program.closures.len()];
    for (code, func) in &program.cps_closures {
        let (Some(id), Some(slot)) = (
            functions.get(func.0 as usize),
            closure_cps_code.get_mut(*code as usize),
        ) else {
            return err(format!("no closure {code} or function {}", func.0));
        };
        // `Expr::ApplyCps` calls every such entry with this signature.
        let body = &program.functions[func.0 as usize];
        if body.param_types() != [Ty::Val, Ty::Val, Ty::Val] || body.ret != Ty::Val {
            return err(format!("CPS entry `{}` of another signature", body.name));
        }
        *slot = module.get_finalized_function(*id) as usize as u64;
    }
    Ok(Compiled {
        _module: module,
        entries,
        program,
        sites,
        closure_code,
        closure_cps_code,
        closure_entry,
        compile_time: started.elapsed(),
        clif,
    })
}

fn define(
    module: &mut JITModule,
    id: ClFuncId,
    ctx: &mut Context,
    name: &str,
) -> Result<(), CompileError> {
    let defined = module.define_function(id, ctx);
    let result = defined.map_err(|e| CompileError(format!("`{name}`: {e:?}")));
    module.clear_context(ctx);
    result
}

/// `(ctx, *const args, *mut result) -> status` in the C convention: loads
/// one word per parameter, calls the function, stores its value.
fn trampoline(
    module: &mut JITModule,
    ctx: &mut Context,
    builder_ctx: &mut FunctionBuilderContext,
    target: ClFuncId,
    params: &[Ty],
    ret: Ty,
) -> Result<ClFuncId, CompileError> {
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig.returns.push(AbiParam::new(types::I32));
    let id = module
        .declare_anonymous_function(&sig)
        .map_err(|e| CompileError(e.to_string()))?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(1, id.as_u32());
    let mut b = FunctionBuilder::new(&mut ctx.func, builder_ctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    let [jit_ctx, args, out] = b.block_params(block) else {
        return err("trampoline without its three parameters");
    };
    let (jit_ctx, args, out) = (*jit_ctx, *args, *out);
    let flags = MemFlagsData::trusted();
    let mut call_args = vec![jit_ctx];
    for (i, ty) in params.iter().enumerate() {
        let word = b.ins().load(types::I64, flags, args, (8 * i) as i32);
        call_args.push(from_word(&mut b, word, *ty));
    }
    let callee = module.declare_func_in_func(target, b.func);
    let call = b.ins().call(callee, &call_args);
    let (status, value) = (b.inst_results(call)[0], b.inst_results(call)[1]);
    let word = to_word(&mut b, value, ret);
    b.ins().store(flags, word, out, 0);
    b.ins().return_(&[status]);
    b.seal_all_blocks();
    b.finalize(module.target_config());
    define(module, id, ctx, "entry trampoline")?;
    Ok(id)
}

/// `(ctx, code, closure, arg, *mut result) -> status` in the C
/// convention: calls the closure body at `code` (an address of
/// `Compiled::closure_code`) with the closure and its argument, and
/// stores its value.
fn closure_trampoline(
    module: &mut JITModule,
    ctx: &mut Context,
    builder_ctx: &mut FunctionBuilderContext,
) -> Result<ClFuncId, CompileError> {
    let mut sig = module.make_signature();
    for _ in 0..5 {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig.returns.push(AbiParam::new(types::I32));
    let id = module
        .declare_anonymous_function(&sig)
        .map_err(|e| CompileError(e.to_string()))?;
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(1, id.as_u32());
    let mut b = FunctionBuilder::new(&mut ctx.func, builder_ctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    let [jit_ctx, code, closure, arg, out] = b.block_params(block) else {
        return err("closure trampoline without its five parameters");
    };
    let (jit_ctx, code, closure, arg, out) = (*jit_ctx, *code, *closure, *arg, *out);
    let body_sig = b.import_signature(internal_signature(&[Ty::Val, Ty::Val], Ty::Val));
    let call = b
        .ins()
        .call_indirect(body_sig, code, &[jit_ctx, closure, arg]);
    let (status, value) = (b.inst_results(call)[0], b.inst_results(call)[1]);
    b.ins().store(MemFlagsData::trusted(), value, out, 0);
    b.ins().return_(&[status]);
    b.seal_all_blocks();
    b.finalize(module.target_config());
    define(module, id, ctx, "closure trampoline")?;
    Ok(id)
}

/// A 64-bit word (how Rust passes arguments and shims write results) as a
/// value of `ty`.
pub fn from_word(
    b: &mut FunctionBuilder,
    word: cranelift_codegen::ir::Value,
    ty: Ty,
) -> cranelift_codegen::ir::Value {
    match ty {
        Ty::Unit | Ty::Bool => b.ins().ireduce(types::I8, word),
        Ty::I64 | Ty::Val => word,
        Ty::F64 => b.ins().bitcast(types::F64, MemFlagsData::new(), word),
    }
}

/// A value of `ty` as a 64-bit word.
pub fn to_word(
    b: &mut FunctionBuilder,
    value: cranelift_codegen::ir::Value,
    ty: Ty,
) -> cranelift_codegen::ir::Value {
    match ty {
        Ty::Unit | Ty::Bool => b.ins().uextend(types::I64, value),
        Ty::I64 | Ty::Val => value,
        Ty::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), value),
    }
}

/// Runtime symbols declared in the module so far.
#[derive(Default)]
pub struct Imports {
    ids: HashMap<&'static str, ClFuncId>,
}

impl Imports {
    pub fn declare(
        &mut self,
        module: &mut JITModule,
        symbol: &'static str,
        sig: &Signature,
    ) -> Result<ClFuncId, CompileError> {
        if let Some(id) = self.ids.get(symbol) {
            return Ok(*id);
        }
        let id = module
            .declare_function(symbol, Linkage::Import, sig)
            .map_err(|e| CompileError(e.to_string()))?;
        self.ids.insert(symbol, id);
        Ok(id)
    }
}
