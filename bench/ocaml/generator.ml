(* The same work as bench/jit/generator.dl without shift/reset (OCaml 4
   has no delimited continuations): the generator is written in
   continuation-passing style by hand, one closure `unit -> gen` per
   yielded value, which is what the dlang program's `shift` captures. *)
type gen = Done | Next of int * (unit -> gen)

let size = 1000000

let rec from i n = if i = n then Done else Next (i, fun () -> from (i + 1) n)

let rec sum g acc =
  match g with
  | Done -> acc
  | Next (x, k) -> sum (k ()) (acc + x)

let () = print_int (sum (from 0 size) 0); print_newline ()
