//! The standard library's dlang sources, embedded in the binary.
//!
//! Every stdlib module has an entry here, in load order; the driver checks
//! and runs them before the user's program. A module `M` is the union of
//! the primitives with `module: "M"` (src/runtime/prims.rs) and the
//! top-level bindings of its file. A file sees the prelude and the modules
//! before it; it names its own primitives qualified (`List.rev`). Modules
//! made only of primitives have a file with just a header comment, so that
//! this list is the one place that names every stdlib module.

pub struct StdlibModule {
    /// The module name, as written in programs (`List`).
    pub name: &'static str,
    /// The file under `stdlib/`, for diagnostics.
    pub file: &'static str,
    pub text: &'static str,
}

pub const MODULES: &[StdlibModule] = &[
    StdlibModule {
        name: "Prelude",
        file: "prelude.dl",
        text: include_str!("../stdlib/prelude.dl"),
    },
    StdlibModule {
        name: "Option",
        file: "option.dl",
        text: include_str!("../stdlib/option.dl"),
    },
    StdlibModule {
        name: "List",
        file: "list.dl",
        text: include_str!("../stdlib/list.dl"),
    },
    StdlibModule {
        name: "Array",
        file: "array.dl",
        text: include_str!("../stdlib/array.dl"),
    },
    StdlibModule {
        name: "String",
        file: "string.dl",
        text: include_str!("../stdlib/string.dl"),
    },
    StdlibModule {
        name: "Hashtbl",
        file: "hashtbl.dl",
        text: include_str!("../stdlib/hashtbl.dl"),
    },
    StdlibModule {
        name: "Random",
        file: "random.dl",
        text: include_str!("../stdlib/random.dl"),
    },
    StdlibModule {
        name: "IO",
        file: "io.dl",
        text: include_str!("../stdlib/io.dl"),
    },
    StdlibModule {
        name: "Sys",
        file: "sys.dl",
        text: include_str!("../stdlib/sys.dl"),
    },
    StdlibModule {
        name: "Tensor",
        file: "tensor.dl",
        text: include_str!("../stdlib/tensor.dl"),
    },
    StdlibModule {
        name: "Optim",
        file: "optim.dl",
        text: include_str!("../stdlib/optim.dl"),
    },
    StdlibModule {
        name: "NN",
        file: "nn.dl",
        text: include_str!("../stdlib/nn.dl"),
    },
];

pub fn find(name: &str) -> Option<&'static StdlibModule> {
    MODULES.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::MODULES;
    use crate::runtime::prims::PRIMS;

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
