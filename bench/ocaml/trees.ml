(* The same program as bench/interp/trees.dl: `size` rounds of building
   a tree of depth 18 and walking it. *)
type tree = Leaf | Node of tree * tree

let size = 8
let rec make d = if d = 0 then Leaf else Node (make (d - 1), make (d - 1))

let rec check t =
  match t with
  | Leaf -> 1
  | Node (l, r) -> 1 + check l + check r

let () =
  let total = ref 0 in
  for _ = 1 to size do
    total := !total + check (make 18)
  done;
  print_int !total; print_newline ()
