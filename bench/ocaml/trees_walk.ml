(* The same program as bench/jit/trees_walk.dl: one tree of depth 20,
   walked `size` times (no allocation while walking). *)
type tree = Leaf | Node of tree * tree

let size = 8
let rec make d = if d = 0 then Leaf else Node (make (d - 1), make (d - 1))

let rec check t =
  match t with
  | Leaf -> 1
  | Node (l, r) -> 1 + check l + check r

let () =
  let t = make 20 in
  let total = ref 0 in
  for _ = 1 to size do
    total := !total + check t
  done;
  print_int !total; print_newline ()
