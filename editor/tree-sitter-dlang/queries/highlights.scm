; Highlighting for dlang, with Neovim's capture names (Helix and Zed map
; the same names or close ones). Neovim lets later patterns win, Helix and
; the tree-sitter CLI earlier ones, so no node is captured by two patterns
; (the generic ones exclude the names the specific ones take).

; Comments and literals

(line_comment) @comment
(block_comment) @comment

(string) @string
(escape_sequence) @string.escape
(integer) @number
(float) @number.float
(boolean) @boolean
(unit) @constant.builtin

; Names

(type_variable) @type
((type_name) @type
  (#not-any-of? @type "int" "float" "bool" "string" "unit" "tensor" "list" "array" "option" "ref"))
((type_name) @type.builtin
  (#any-of? @type.builtin "int" "float" "bool" "string" "unit" "tensor" "list" "array" "option" "ref"))
(constructor_name) @constructor
(module_name) @module
(field_name) @property
(wildcard_pattern) @variable.builtin

(binding name: (identifier) @function)
(binding parameter: (variable_pattern) @variable.parameter)
(fun_expression parameter: (variable_pattern) @variable.parameter)
(shift_expression continuation: (identifier) @variable.parameter)

(application_expression
  function: (value_path (identifier) @function.call
    (#not-any-of? @function.call "grad" "value_and_grad" "jvp" "stop_gradient")))

; The differentiation operators are library functions, shown apart.
((value_path (identifier) @function.builtin)
  (#any-of? @function.builtin "grad" "value_and_grad" "jvp" "stop_gradient"))

; Keywords (exactly the lexer's KEYWORDS; tests/editor_keywords.rs checks)

["let" "rec" "and" "in" "as" "of" "type"] @keyword

["fun" "function"] @keyword.function

["if" "then" "else" "match" "with" "when"] @keyword.conditional

["for" "to" "downto" "while" "do" "done"] @keyword.repeat

["begin" "end" "ref"] @keyword

["open" "import"] @keyword.import

["not" "mod"] @keyword.operator

"mutable" @keyword.modifier

["exception" "try" "assert"] @keyword.exception

; shift/reset: delimited control, shown like exceptions (a non-local jump).
["shift" "reset"] @keyword.exception

["true" "false"] @boolean

; Operators and punctuation

[
  "=" "<>" "<" ">" "<=" ">="
  "+" "-" "*" "/" "%" "**" "@" "^"
  "::" "++" "||" "&&" ":=" "<-" "!" "->"
  (power_operator) (multiply_operator) (add_operator) (concat_operator) (compare_operator)
] @operator

["(" ")" "[" "]" "[|" "|]" "{" "}"] @punctuation.bracket

["," ";" ";;" ":" "." "|"] @punctuation.delimiter
