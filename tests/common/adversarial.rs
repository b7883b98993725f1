//! Generators of adversarial dlang programs, one per class of hole that
//! issue 15 found: deep type aliases, wide tuples and matches, deep
//! nesting, extreme tensor shapes, huge allocations, nested `shift`
//! bodies and crafted `.npy` headers. Each takes the fuzzer's [`Rng`] so
//! a failing case replays from its seed; sizes reach past the limits the
//! checker and the runtime enforce, so both sides of every limit are met.
//!
//! Use with `#[path = "common/fuzz.rs"] mod fuzz;` and
//! `#[path = "common/adversarial.rs"] mod adversarial;`.

#![allow(dead_code)]

use crate::fuzz::Rng;

/// A size in `1..=max`, small more often than large (half of the draws
/// are below `max / 16`), so a run meets both ordinary and extreme cases.
fn size(rng: &mut Rng, max: usize) -> usize {
    let cap = if rng.below(2) == 0 { max / 16 } else { max };
    1 + rng.below(cap.max(1))
}

/// `type 'a p = 'a * 'a` applied many times, or aliases doubling each
/// other in a chain: types exponential in the program's length.
pub fn deep_alias(rng: &mut Rng) -> String {
    let depth = size(rng, 40);
    if rng.below(2) == 0 {
        format!(
            "type 'a p = 'a * 'a\ntype big = int{}\nlet x = 1",
            " p".repeat(depth)
        )
    } else {
        let chain: String = (1..=depth)
            .map(|i| format!("type t{i} = t{} * t{}\n", i - 1, i - 1))
            .collect();
        format!("type t0 = int\n{chain}let x = 1")
    }
}

/// A tuple pattern or tuple expression of up to 8,000 elements.
pub fn wide_tuple(rng: &mut Rng) -> String {
    let n = size(rng, 8000);
    let items: Vec<String> = (0..n)
        .map(|i| match rng.below(8) {
            0 => "_".to_string(),
            1 => "[]".to_string(),
            _ => format!("x{i}"),
        })
        .collect();
    if rng.below(2) == 0 {
        format!("let f ({}) = 0", items.join(", "))
    } else {
        let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        format!("let t = ({})", values.join(", "))
    }
}

/// A match over up to 5,000 constructors or 10,000 integer arms, with
/// arms missing, repeated and out of order.
pub fn wide_match(rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        let ctors = size(rng, 5000);
        let names: Vec<String> = (0..ctors).map(|i| format!("C{i}")).collect();
        let arms: String = (0..size(rng, 5000))
            .map(|_| format!("| C{} -> 1 ", rng.below(ctors)))
            .collect();
        format!(
            "type t = {}\nlet f x = match x with {arms}",
            names.join(" | ")
        )
    } else {
        let arms: String = (0..size(rng, 10_000))
            .map(|i| {
                let n = if rng.below(4) == 0 { rng.below(50) } else { i };
                format!("| {n} -> {i} ")
            })
            .collect();
        format!("let f x = match x with {arms}| _ -> 0")
    }
}

/// Up to 5,000 nested `fun`s or a function of up to 4,000 parameters.
pub fn deep_functions(rng: &mut Rng) -> String {
    let n = size(rng, 5000);
    if rng.below(2) == 0 {
        let funs: String = (0..n).map(|i| format!("fun x{i} -> ")).collect();
        format!("let f = {funs}x0")
    } else {
        let params: Vec<String> = (0..n.min(4000)).map(|i| format!("x{i}")).collect();
        format!("let f {} = x0", params.join(" "))
    }
}

/// A dimension at an edge: empty, small, 2^32, near the largest int, negative.
fn edge_dimension(rng: &mut Rng) -> &'static str {
    const EDGES: &[&str] = &[
        "0",
        "1",
        "3",
        "4294967296",
        "4294967295",
        "4611686018427387903",
        "(4611686018427387903 - 1)",
        "(-1)",
        "65536",
    ];
    EDGES[rng.below(EDGES.len())]
}

/// A tensor operation on shapes with edge dimensions.
pub fn extreme_shape(rng: &mut Rng) -> String {
    let rank = 1 + rng.below(4);
    let dims: Vec<&str> = (0..rank).map(|_| edge_dimension(rng)).collect();
    let shape = format!("[{}]", dims.join("; "));
    let t = format!("(Tensor.zeros {shape})");
    let n = edge_dimension(rng);
    let op = match rng.below(10) {
        0 => format!("Tensor.sum_axis 0 {t}"),
        1 => format!("Tensor.concat 0 [{t}; {t}]"),
        2 => format!("Tensor.get {t} [0]"),
        3 => format!("Tensor.row {t} {n}"),
        4 => format!("Tensor.reshape {t} [{n}]"),
        5 => format!("Tensor.ones {shape}"),
        6 => format!("Tensor.fill {shape} 1.0"),
        7 => format!("Tensor.sum {t}"),
        8 => format!("Tensor.shape {t}"),
        _ => t.clone(),
    };
    format!("let () = print ({op})")
}

/// A primitive asked to build a value of edge size.
pub fn huge_allocation(rng: &mut Rng) -> String {
    let n = edge_dimension(rng);
    let expr = match rng.below(7) {
        0 => format!("List.range 0 {n}"),
        1 => format!("List.init {n} (fun i -> i)"),
        2 => format!("String.make {n} 'a'"),
        3 => format!("Array.make {n} 0"),
        4 => format!("List.replicate {n} 0"),
        5 => format!("Array.init {n} (fun i -> i)"),
        _ => format!("String.concat \"\" (List.replicate {n} \"ab\")"),
    };
    format!("let v = {expr}\nlet () = print 0")
}

/// `shift` inside loops, recursion and other `shift` bodies.
pub fn nested_shift(rng: &mut Rng) -> String {
    let n = size(rng, 20_000);
    match rng.below(4) {
        0 => format!(
            "let rec l n = if n = 0 then () else shift k -> l (n - 1)\nlet () = reset (l {n})"
        ),
        1 => format!(
            "let rec l n = if n = 0 then () else shift k -> (k (); l (n - 1))\nlet () = reset (l {n})"
        ),
        2 => format!(
            "let xs = reset (for i = 1 to {n} do shift k -> i :: k () done; [])\nlet () = print (List.length xs)"
        ),
        _ => {
            let depth = size(rng, 200);
            let inner = (0..depth).fold("1".to_string(), |body, _| {
                format!("(shift k -> k (k {body}))")
            });
            format!("let () = print (reset {inner})")
        }
    }
}

/// The bytes of an `.npy` file whose header may be malformed: versions,
/// lengths, keys, shapes and data sizes at and past their limits.
pub fn npy_file(rng: &mut Rng) -> Vec<u8> {
    let descr = rng.pick(&["'<f8'", "'<f4'", "'<i8'", "'>f8'", "'|b1'", "'<f8"]);
    let rank = rng.below(70);
    let dims: Vec<&str> = (0..rank)
        .map(|_| *rng.pick(&["0", "1", "2", "4294967296", "9223372036854775807", "-1"]))
        .collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let order = rng.pick(&["False", "True", "0"]);
    let mut dict = format!("{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}");
    match rng.below(6) {
        0 => {
            dict.pop();
        }
        1 => dict = dict.replace("'shape'", "'descr': '<f8', 'shape'"),
        2 => dict.truncate(rng.below(dict.len() + 1)),
        _ => {}
    }
    dict.push('\n');
    let major = *rng.pick(&[1u8, 2, 3, 0, 9]);
    let mut out = b"\x93NUMPY".to_vec();
    out.push(major);
    out.push(0);
    let len = dict.len();
    let claimed = if rng.below(8) == 0 {
        rng.below(1 << 16)
    } else {
        len
    };
    if major == 1 {
        out.extend_from_slice(&(claimed as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(claimed as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    let data = rng.below(64);
    out.extend((0..data).map(|i| i as u8));
    out
}

/// The checker's wide shapes (parameters, nested `fun`s, match arms, tuple
/// patterns) in programs that call what they define, so a backend must
/// compile and run them, not only the checker accept them. Up to 400
/// wide, to keep the fuzz run short: [`wide_scopes`] has the widest.
pub fn wide_call(rng: &mut Rng) -> String {
    let n = 1 + size(rng, 400);
    match rng.below(5) {
        0 => {
            let params: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
            let args: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            format!(
                "let f {} = x0 + x{}\nlet () = print (f {})",
                params.join(" "),
                n - 1,
                args.join(" ")
            )
        }
        1 => {
            let funs: String = (0..n).map(|i| format!("fun x{i} -> ")).collect();
            let args: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            format!(
                "let f = {funs}x{}\nlet () = print (f {})",
                n / 2,
                args.join(" ")
            )
        }
        2 => {
            let arms: String = (0..2 * n).map(|i| format!("| {i} -> {} ", i * 3)).collect();
            format!(
                "let f x = match x with {arms}| _ -> 0\nlet () = print (f {}, f {}, f (-1))",
                rng.below(2 * n),
                2 * n
            )
        }
        3 => {
            let names: Vec<String> = (0..n).map(|i| format!("C{i}")).collect();
            let arms: String = (0..n).map(|i| format!("| C{i} -> {i} ")).collect();
            format!(
                "type t = {}\nlet f x = match x with {arms}\nlet () = print (f C{}, f C0)",
                names.join(" | "),
                rng.below(n)
            )
        }
        _ => {
            let names: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
            let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            format!(
                "let f ({}) = x0 + x{}\nlet () = print (f ({}))",
                names.join(", "),
                n - 1,
                values.join(", ")
            )
        }
    }
}

/// Programs `n` wide in each shape a backend must hold many values at
/// once for: a tuple built from computed components and matched, a
/// record, a constructor of an `n`-tuple with a component in the middle
/// that raises (caught: everything built before it is released), and a
/// function of string parameters called with as many arguments (at most
/// 800: the checker refuses functions of about 900 parameters with
/// E223). Each prints what it computed.
pub fn wide_scopes(n: usize) -> Vec<(&'static str, String)> {
    let names: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    let (first, last) = ("x0", format!("x{}", n - 1));
    let computed = |f: &str| -> Vec<String> { (0..n).map(|i| format!("{f} {i}")).collect() };
    let tuple = format!(
        "let g k = ({})\nlet () = match g 1 with ({}) -> print ({first} + {last})",
        computed("k +").join(", "),
        names.join(", ")
    );
    let fields: Vec<String> = (0..n).map(|i| format!("f{i} : int")).collect();
    let values: Vec<String> = (0..n).map(|i| format!("f{i} = k + {i}")).collect();
    let record = format!(
        "type r = {{ {} }}\nlet g k = {{ {} }}\nlet () = let r = g 1 in print (r.f0 + r.f{})",
        fields.join("; "),
        values.join("; "),
        n - 1
    );
    let variant = format!(
        "type v = C of {} | D\n\
         let c k i = if k = 0 && i = {} then failwith \"half way\" else k + i\n\
         let g k = C ({})\n\
         let () = match g 1 with C ({}) -> print ({first} + {last}) | D -> ()\n\
         let () = try ignore (g 0) with Failure m -> print m",
        vec!["int"; n].join(" * "),
        n / 2,
        computed("c k").join(", "),
        names.join(", ")
    );
    let m = n.min(800);
    let params: Vec<String> = (0..m).map(|i| format!("x{i}")).collect();
    let args: Vec<String> = (0..m).map(|i| format!("(string_of_int {i})")).collect();
    let call = format!(
        "let f {} = x0 ^ x{}\nlet () = print (f {})",
        params.join(" "),
        m - 1,
        args.join(" ")
    );
    vec![
        ("tuple", tuple),
        ("record", record),
        ("variant", variant),
        ("call", call),
    ]
}
