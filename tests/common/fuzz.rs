//! Deterministic generator of malformed dlang inputs, for robustness
//! tests: valid snippets mutated at the level of characters and tokens
//! (delete, insert, duplicate, swap, splice), including non-ASCII text.
//!
//! Reuse it from any integration test with
//! `#[path = "common/fuzz.rs"] mod fuzz;` and
//! `for input in fuzz::inputs(seed, count) { … }`.

#![allow(dead_code)]

use dlang::syntax::token::KEYWORDS;

/// A tiny deterministic PRNG (SplitMix64): the same seed always gives
/// the same inputs, so a failure can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Valid programs and expressions covering every syntactic form.
pub const CORPUS: &[&str] = &[
    "let x = 1",
    "let f x y = x + y * 2 - -3",
    "let rec even n = n = 0 || odd (n - 1)\nand odd n = n <> 0 && even (n - 1)",
    "type 'a tree = Leaf of 'a | Node of 'a tree * 'a tree",
    "type ('a, 'b) pair = { fst : 'a; snd : 'b }\nand t = int -> int list",
    "type point = { x : float; y : float }\nlet p = { x = 1.0; y = 2.0 }\nlet q = { p with x = 3.0 }",
    "open List\nimport Util\nlet () = print (f 1 2);;",
    "let () = if a then x := 1 else x := 2; print !x",
    "let g = fun (x, y) z -> match x with | Some v when v > 0 -> v | None -> 0 | _ -> z",
    "let h = function [] -> 0 | x :: xs -> x | [a; b] -> a + b",
    "let r = reset (1 + shift k -> k (k 10))",
    "let l = reset (let x = shift k -> k 1 ++ k 2 in [x * 10])",
    "let () = for i = 0 to 10 do a.(i) <- a.(i) * 2 done; while !n > 0 do n := !n - 1 done",
    "let s = \"a\\tb\\n\\\"\\\\\" ^ \"\\u{e9}\"  (* comment (* nested *) *)  # line",
    "let t = (1, 2.5e-3, 1e6, true, (), [| 1; 2 |], [1; 2; 3;])",
    "let { x; y = yy } = p\nlet (a, b) : int * int = (1, 2)",
    "let f (x : int) : int = let y = x ** 2 in y / 3 % 4 @ m",
    "let m = match t with Leaf x -> x | Node (l, r) as n -> M.size n | C { x; _ } -> 0 | -1 | 2 -> 3",
    "let k = begin print 1; print 2 end; Tensor.zeros [2; 3]",
    "let z = not (a && b) || c >= d && e <= f && g < h && i > j",
    "let v = p.x.y +  M.N.f x (Some (Node (l, r)))",
    "1 + 2",
    "let x = 1 in x",
    "#!/usr/bin/env dlang\nlet main () = ref 0",
    "let ( +! ) a b = a +. b *. 2.0 |> f @@ g\nlet s = List.fold_left ( * ) 1 l mod 3",
    "let o = let open List in M.(x + (+!) 1 2) ; for _ = 1 to 2 do () done",
];

/// Fragments inserted by token-level mutations, besides the lexer's
/// keywords (see [`token`]).
const SYMBOLS: &[&str] = &[
    "x",
    "Foo",
    "'a",
    "42",
    "9223372036854775808",
    "1.5e3",
    "\"s\"",
    "(",
    ")",
    "[",
    "]",
    "[|",
    "|]",
    "{",
    "}",
    ",",
    ";",
    ";;",
    ":",
    "::",
    ":=",
    "=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "@",
    "^",
    "++",
    "->",
    "<-",
    "|",
    "||",
    "&&",
    "!",
    ".",
    "_",
    "|>",
    "@@",
    "+.",
    "-.",
    "+!",
    "$",
    "( * )",
    "(+)",
    "M.(",
    "(*",
    "*)",
    "#",
    "\"",
    "\\",
    "é",
    "λ",
    "😀",
    "\u{0}",
    "\u{202e}",
    "\t",
    "\n",
];

/// A fragment for a token-level mutation: a keyword or one of [`SYMBOLS`].
fn token(rng: &mut Rng) -> &'static str {
    let i = rng.below(KEYWORDS.len() + SYMBOLS.len());
    match KEYWORDS.get(i) {
        Some(keyword) => keyword,
        None => SYMBOLS[i - KEYWORDS.len()],
    }
}

/// Characters inserted by character-level mutations.
const CHARS: &[char] = &[
    'a', 'Z', '0', '9', '_', '\'', '"', '\\', '(', ')', '*', '#', ';', '|', '.', '-', ' ', '\n',
    '\r', '\t', 'é', 'ß', '€', '𝛼', '😀', '\u{0}', '\u{7f}', '\u{feff}', '$', '?', '~', '`',
];

/// `count` inputs derived from [`CORPUS`] and `extra` (e.g. files read
/// from `stdlib/` and `examples/`), deterministically from `seed`.
pub fn inputs(seed: u64, count: usize, extra: &[String]) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut corpus: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    corpus.extend(extra.iter().cloned());
    (0..count)
        .map(|_| {
            let mut text = rng.pick(&corpus).clone();
            let rounds = 1 + rng.below(4);
            for _ in 0..rounds {
                text = mutate(&mut rng, &text, &corpus);
            }
            text
        })
        .collect()
}

/// One random mutation of `text`.
pub fn mutate(rng: &mut Rng, text: &str, corpus: &[String]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    match rng.below(8) {
        0 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below(len.min(8));
            chars.drain(at..(at + n).min(len));
        }
        1 => {
            let at = rng.below(len + 1);
            chars.insert(at, *rng.pick(CHARS));
        }
        2 => {
            let at = rng.below(len + 1);
            let token = format!(" {} ", token(rng));
            chars.splice(at..at, token.chars());
        }
        3 => return mutate_tokens(rng, text),
        4 if len > 1 => {
            let a = rng.below(len);
            let b = rng.below(len);
            chars.swap(a, b);
        }
        5 => {
            let other: Vec<char> = rng.pick(corpus).chars().collect();
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            chars.truncate(cut);
            chars.extend(&other[from..]);
        }
        6 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(16));
            let piece: Vec<char> = chars[at..at + n].to_vec();
            chars.splice(at..at, piece);
        }
        _ => {
            let cut = rng.below(len + 1);
            chars.truncate(cut);
        }
    }
    chars.into_iter().collect()
}

/// Deletes, duplicates or swaps whole whitespace-separated words.
fn mutate_tokens(rng: &mut Rng, text: &str) -> String {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return token(rng).to_string();
    }
    let i = rng.below(words.len());
    let j = rng.below(words.len());
    match rng.below(3) {
        0 => {
            words.remove(i);
        }
        1 => words.insert(j, words[i]),
        _ => words.swap(i, j),
    }
    words.join(" ")
}

/// The repository's own dlang sources (stdlib, examples and every golden
/// test), sorted so the seeds are the same on every machine: extra seeds
/// for the mutators.
pub fn repository_sources() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut texts = Vec::new();
    let mut dirs = vec![format!("{root}/stdlib"), format!("{root}/examples")];
    if let Ok(kinds) = std::fs::read_dir(format!("{root}/tests/golden")) {
        dirs.extend(kinds.flatten().map(|e| e.path().display().to_string()));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "dl") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
    }
    texts.sort();
    texts
}
