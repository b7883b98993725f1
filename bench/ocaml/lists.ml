(* The same program as bench/interp/lists.dl: `size` rounds of map,
   filter and fold_left over 10^6 elements (OCaml's List.map and
   List.filter, like dlang's, are not tail-recursive: bench/jit.sh runs
   this with an unlimited stack). *)
let size = 1

let () =
  let total = ref 0 in
  for _ = 1 to size do
    let l = List.init 1000000 (fun i -> i) in
    let doubled = List.map (fun x -> x * 2) l in
    let kept = List.filter (fun x -> x mod 3 = 0) doubled in
    total := !total + List.fold_left (fun acc x -> acc + x) 0 kept
  done;
  print_int !total; print_newline ()
