(* The same program as bench/interp/float_loop.dl. *)
let size = 10000000

(* Python's repr and dlang's `print`: the shortest digits that read back. *)
let show_float x =
  let rec go p =
    let s = Printf.sprintf "%.*g" p x in
    if p >= 17 || float_of_string s = x then s else go (p + 1)
  in
  go 1

let () =
  let x = ref 0.0 in
  let i = ref 0 in
  while !i < size do
    x := !x +. sin (float_of_int !i) *. 0.5;
    i := !i + 1
  done;
  print_endline (show_float !x)
