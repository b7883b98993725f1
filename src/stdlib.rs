//! The standard library's dlang sources, embedded in the binary.
//!
//! Every stdlib module has an entry here, in load order; the driver loads
//! the prelude and, before checking a module, the stdlib modules that
//! module uses (src/driver/stdlib_use.rs), each after the ones it uses in
//! turn. A module `M` is the union of
//! the primitives with `module: "M"` (src/runtime/prims.rs) and the
//! top-level bindings of its file. A file sees the prelude and the modules
//! before it; it names its own primitives qualified (`List.rev`). Modules
//! made only of primitives have a file with just a header comment, so that
//! this list is the one place that names every stdlib module.

#![forbid(unsafe_code)]

pub struct StdlibModule {
    /// The module name, as written in programs (`List`).
    pub name: &'static str,
    /// The file under `stdlib/`, for diagnostics.
    pub file: &'static str,
    pub text: &'static str,
    /// The fields of the record types the file declares: using one of
    /// these names uses the module, since the checker finds a record
    /// field in any loaded module. A test keeps the list exact.
    pub record_fields: &'static [&'static str],
}

pub const MODULES: &[StdlibModule] = &[
    StdlibModule {
        name: "Prelude",
        file: "prelude.dl",
        text: include_str!("../stdlib/prelude.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Option",
        file: "option.dl",
        text: include_str!("../stdlib/option.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "List",
        file: "list.dl",
        text: include_str!("../stdlib/list.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Array",
        file: "array.dl",
        text: include_str!("../stdlib/array.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "String",
        file: "string.dl",
        text: include_str!("../stdlib/string.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Hashtbl",
        file: "hashtbl.dl",
        text: include_str!("../stdlib/hashtbl.dl"),
        record_fields: &["size", "buckets"],
    },
    StdlibModule {
        name: "Random",
        file: "random.dl",
        text: include_str!("../stdlib/random.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "IO",
        file: "io.dl",
        text: include_str!("../stdlib/io.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Sys",
        file: "sys.dl",
        text: include_str!("../stdlib/sys.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Printf",
        file: "printf.dl",
        text: include_str!("../stdlib/printf.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Progress",
        file: "progress.dl",
        text: include_str!("../stdlib/progress.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Tensor",
        file: "tensor.dl",
        text: include_str!("../stdlib/tensor.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "Optim",
        file: "optim.dl",
        text: include_str!("../stdlib/optim.dl"),
        record_fields: &[],
    },
    StdlibModule {
        name: "NN",
        file: "nn.dl",
        text: include_str!("../stdlib/nn.dl"),
        record_fields: &["wx", "wh", "b", "w_ih", "w_hh", "b_ih", "b_hh"],
    },
    StdlibModule {
        name: "Plot",
        file: "plot.dl",
        text: include_str!("../stdlib/plot.dl"),
        record_fields: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::MODULES;
    use crate::runtime::prims::PRIMS;
    use crate::syntax::ast::{FileId, ItemKind, TypeBody};
    use crate::syntax::parse::parse_module;

    #[test]
    fn record_fields_lists_every_field_a_module_declares() {
        for module in MODULES {
            let items = parse_module(FileId(0), module.text).expect("the stdlib parses");
            let mut declared = Vec::new();
            for item in &items {
                if let ItemKind::Type(decls, _) = &item.kind {
                    for decl in decls {
                        if let TypeBody::Record(fields) = &decl.body {
                            declared.extend(fields.iter().map(|f| f.name.as_str()));
                        }
                    }
                }
            }
            assert_eq!(declared, module.record_fields, "in {}", module.file);
        }
    }

    #[test]
    fn every_primitive_module_is_listed() {
        for prim in PRIMS {
            assert!(
                MODULES.iter().any(|m| m.name == prim.module),
                "module {} of {} has no stdlib entry",
                prim.module,
                prim.name
            );
        }
    }
}
