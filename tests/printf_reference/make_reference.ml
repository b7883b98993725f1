(* The expected table of tests/printf_reference.rs: each format applied
   to each value by OCaml's own Printf, one `kind<TAB>format<TAB>value<TAB>
   output` line per case. Run with `ocaml make_reference.ml > reference.tsv`
   (made with OCaml 4.13.1); the test does not run it. Ints stay within
   63 bits, OCaml's int. *)
let ints = ["0"; "1"; "-1"; "7"; "42"; "-42"; "123456"; "4611686018427387903"; "-4611686018427387904"]
let int_formats = ["%d"; "%i"; "%5d"; "%-5d"; "%05d"; "%+d"; "% d"; "%.3d"; "%8.3d"; "%-8.3d"; "%08.3d"; "%+05d"; "%.0d"; "%-+6d"; "%+ d"; "%1d"; "%-05d"; "%.3i"; "[%3d]"]
let floats = ["0.0"; "-0.0"; "1.0"; "-1.5"; "3.14159265358979"; "0.5"; "1.5"; "2.5"; "0.125"; "0.375"; "1e-05"; "123456789.0"; "1e21"; "1e-300"; "5e-324"; "123.456"; "0.1"; "0.6666666666666666"; "1e100"; "9.9999996"; "0.000123456"; "99999.5"; "999999.5"; "-0.0001"; "1.7976931348623157e308"; "nan"; "-nan"; "inf"; "-inf"]
let float_formats = ["%f"; "%.0f"; "%.1f"; "%.2f"; "%.3f"; "%10.3f"; "%-10.3f"; "%010.3f"; "%+f"; "% f"; "%+.2f"; "%e"; "%.0e"; "%.2e"; "%12.4e"; "%-12.4e"; "%012.4e"; "%+e"; "%g"; "%.0g"; "%.1g"; "%.2g"; "%.3g"; "%10g"; "%-10g"; "%010g"; "%+g"; "%.10g"; "%.17g"; "%5.1f"; "%.20f"; "%8.2e"; "% g"; "%.4f"]
let strings = [""; "ab"; "hello world"]
let string_formats = ["%s"; "%5s"; "%-5s"; "%.2s"; "%05s"; "<%s>"; "%.5s"; "%3.5s"; "%-.4s"; "%-8s|"]
let bools = ["true"; "false"]
let bool_formats = ["%b"; "%6b"; "%-6b"; "%.6b"]
let () =
  List.iter (fun f -> List.iter (fun v ->
    let s = Printf.sprintf (Scanf.format_from_string f "%d") (int_of_string v) in
    Printf.printf "int\t%s\t%s\t%s\n" f v s) ints) int_formats;
  List.iter (fun f -> List.iter (fun v ->
    let s = Printf.sprintf (Scanf.format_from_string f "%f") (float_of_string v) in
    Printf.printf "float\t%s\t%s\t%s\n" f v s) floats) float_formats;
  List.iter (fun f -> List.iter (fun v ->
    let s = Printf.sprintf (Scanf.format_from_string f "%s") v in
    Printf.printf "string\t%s\t%s\t%s\n" f v s) strings) string_formats;
  List.iter (fun f -> List.iter (fun v ->
    let s = Printf.sprintf (Scanf.format_from_string f "%b") (bool_of_string v) in
    Printf.printf "bool\t%s\t%s\t%s\n" f v s) bools) bool_formats
