/**
 * Tree-sitter grammar for dlang, following grammar/dlang.lalrpop (the
 * compiler's grammar) closely enough for highlighting, folding and
 * structural selection. Nested block comments need counting, so they come
 * from the external scanner in src/scanner.c.
 */

/* eslint-disable no-undef */

// Loosest first, as in docs/language.md §3.
const PREC = {
  seq: 1,
  if: 2,
  assign: 3,
  tuple: 4,
  or: 5,
  and: 6,
  compare: 7,
  cons: 8,
  add: 9,
  multiply: 10,
  power: 11,
  unary: 12,
  apply: 13,
  postfix: 14,
};

const sep1 = (rule, separator) => seq(rule, repeat(seq(separator, rule)));

module.exports = grammar({
  name: 'dlang',

  extras: ($) => [/\s/, $.line_comment, $.block_comment],

  externals: ($) => [$.block_comment],

  word: ($) => $.identifier,

  supertypes: ($) => [$._expression, $._pattern, $._type],

  rules: {
    source_file: ($) => repeat(choice($._item, ';;')),

    _item: ($) =>
      choice($.let_definition, $.type_definition, $.open_item, $.import_item, $.exception_definition),

    // ------------------------------------------------------------ items

    let_definition: ($) =>
      prec.right(seq('let', optional(field('rec', 'rec')), sep1($.binding, 'and'))),

    binding: ($) =>
      choice(
        seq(
          field('pattern', $._pattern),
          optional(seq(':', field('type', $._type))),
          '=',
          field('body', $._expression),
        ),
        seq(
          field('name', $.identifier),
          repeat1(field('parameter', $._simple_pattern)),
          optional(seq(':', field('type', $._type))),
          '=',
          field('body', $._expression),
        ),
      ),

    type_definition: ($) => prec.right(seq('type', sep1($.type_binding, 'and'))),

    type_binding: ($) =>
      seq(
        optional(field('parameters', $._type_parameters)),
        field('name', $._type_name),
        '=',
        field('body', choice($.variant_declaration, $.record_declaration, $._type)),
      ),

    _type_parameters: ($) =>
      choice($.type_variable, seq('(', sep1($.type_variable, ','), ')')),

    variant_declaration: ($) =>
      prec.right(
        choice(
          seq('|', sep1($.constructor_declaration, '|')),
          seq($.constructor_declaration, repeat(seq('|', $.constructor_declaration))),
        ),
      ),

    constructor_declaration: ($) =>
      prec.right(seq(field('name', $._constructor_name), optional(seq('of', field('type', $._type))))),

    record_declaration: ($) =>
      seq('{', sep1($.field_declaration, ';'), optional(';'), '}'),

    field_declaration: ($) =>
      seq(optional('mutable'), field('name', $._field_name), ':', field('type', $._type)),

    exception_definition: ($) => seq('exception', $.constructor_declaration),

    open_item: ($) => seq('open', $.module_path),

    import_item: ($) => seq('import', $._module_name),

    module_path: ($) => sep1($._module_name, '.'),

    // ------------------------------------------------------ expressions

    _expression: ($) =>
      choice(
        $.sequence_expression,
        $.let_expression,
        $.fun_expression,
        $.function_expression,
        $.match_expression,
        $.try_expression,
        $.shift_expression,
        $.if_expression,
        $.assign_expression,
        $.index_set_expression,
        $.tuple_expression,
        $.binary_expression,
        $.unary_expression,
        $.application_expression,
        $.constructor_expression,
        $.ref_expression,
        $.reset_expression,
        $.assert_expression,
        $._simple_expression,
      ),

    sequence_expression: ($) =>
      prec.right(PREC.seq, seq(field('left', $._expression), ';', field('right', $._expression))),

    let_expression: ($) =>
      prec.right(
        seq(
          'let',
          optional(field('rec', 'rec')),
          sep1($.binding, 'and'),
          'in',
          field('body', $._expression),
        ),
      ),

    fun_expression: ($) =>
      prec.right(
        seq('fun', repeat1(field('parameter', $._simple_pattern)), '->', field('body', $._expression)),
      ),

    function_expression: ($) => prec.right(seq('function', $._match_arms)),

    match_expression: ($) =>
      prec.right(seq('match', field('scrutinee', $._expression), 'with', $._match_arms)),

    try_expression: ($) =>
      prec.right(seq('try', field('body', $._expression), 'with', $._match_arms)),

    _match_arms: ($) =>
      prec.right(seq(optional('|'), sep1($.match_arm, '|'))),

    match_arm: ($) =>
      prec.right(
        seq(
          field('pattern', $._pattern),
          optional(seq('when', field('guard', $._expression))),
          '->',
          field('body', $._expression),
        ),
      ),

    shift_expression: ($) =>
      prec.right(
        seq('shift', field('continuation', $.identifier), '->', field('body', $._expression)),
      ),

    if_expression: ($) =>
      prec.right(
        PREC.if,
        seq(
          'if',
          field('condition', $._expression),
          'then',
          field('then', $._expression),
          optional(seq('else', field('else', $._expression))),
        ),
      ),

    assign_expression: ($) =>
      prec.right(PREC.assign, seq(field('left', $._expression), ':=', field('right', $._expression))),

    index_set_expression: ($) =>
      prec.right(
        PREC.assign,
        seq(
          field('array', $._simple_unqualified),
          '.',
          '(',
          field('index', $._expression),
          ')',
          '<-',
          field('value', $._expression),
        ),
      ),

    tuple_expression: ($) =>
      prec.left(PREC.tuple, seq($._expression, repeat1(prec.left(PREC.tuple, seq(',', $._expression))))),

    binary_expression: ($) => {
      const table = [
        [prec.right, PREC.or, '||'],
        [prec.right, PREC.and, '&&'],
        [prec.left, PREC.compare, choice('=', '<>', '<', '>', '<=', '>=', $.compare_operator)],
        [prec.right, PREC.cons, choice('::', '++', '^', $.concat_operator)],
        [prec.left, PREC.add, choice('+', '-', $.add_operator)],
        [prec.left, PREC.multiply, choice('*', '/', '%', '@', 'mod', $.multiply_operator)],
        [prec.right, PREC.power, choice('**', $.power_operator)],
      ];
      return choice(
        ...table.map(([assoc, precedence, operator]) =>
          assoc(
            precedence,
            seq(
              field('left', $._expression),
              field('operator', operator),
              field('right', $._expression),
            ),
          ),
        ),
      );
    },

    unary_expression: ($) =>
      prec(PREC.unary, seq(field('operator', choice('-', 'not')), field('operand', $._expression))),

    application_expression: ($) =>
      prec.left(
        PREC.apply,
        seq(
          field('function', choice($.application_expression, $._simple_unqualified)),
          field('argument', $._simple_expression),
        ),
      ),

    constructor_expression: ($) =>
      prec.left(PREC.apply, seq($.constructor_path, field('argument', $._simple_expression))),

    ref_expression: ($) => prec(PREC.apply, seq('ref', $._simple_expression)),

    reset_expression: ($) => prec(PREC.apply, seq('reset', $._simple_expression)),

    assert_expression: ($) => prec(PREC.apply, seq('assert', $._simple_expression)),

    // A bare constructor takes no postfix: `M.x` is a path, not a field.
    _simple_expression: ($) => choice($.constructor_path, $._simple_unqualified),

    _simple_unqualified: ($) => choice($.field_expression, $.index_expression, $._prefixed),

    field_expression: ($) =>
      prec.left(
        PREC.postfix,
        seq(field('record', $._simple_unqualified), '.', field('field', $._field_name)),
      ),

    index_expression: ($) =>
      prec.left(
        PREC.postfix,
        seq(field('array', $._simple_unqualified), '.', '(', field('index', $._expression), ')'),
      ),

    // `!r.x` is `(!r).x`, as in OCaml.
    _prefixed: ($) => choice($.dereference_expression, $._atom),

    dereference_expression: ($) => seq('!', $._prefixed),

    _atom: ($) =>
      choice(
        $.value_path,
        $._literal,
        $.parenthesized_expression,
        $.typed_expression,
        $.begin_expression,
        $.list_expression,
        $.array_expression,
        $.record_expression,
        $.record_update_expression,
        $.for_expression,
        $.while_expression,
      ),

    value_path: ($) => seq(repeat(seq($._module_name, '.')), $.identifier),

    constructor_path: ($) => seq(repeat(seq($._module_name, '.')), $._constructor_name),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),

    // User-defined infix operators (§11), by the level of their first
    // character, as src/syntax/token.rs lexes them.
    power_operator: (_) => token(/\*\*[!$%&*+\-./:<=>?@^|~]+/),
    multiply_operator: (_) => token(prec(-1, /[*/%][!$%&*+\-./:<=>?@^|~]+/)),
    add_operator: (_) => token(prec(-1, /[+\-][!$%&*+\-./:<=>?@^|~]+/)),
    concat_operator: (_) => token(prec(-1, /[@^][!$%&*+\-./:<=>?@^|~]+/)),
    compare_operator: (_) => token(prec(-1, /[=<>|&$][!$%&*+\-./:<=>?@^|~]*/)),

    typed_expression: ($) => seq('(', $._expression, ':', field('type', $._type), ')'),

    begin_expression: ($) => seq('begin', optional($._expression), 'end'),

    list_expression: ($) => seq('[', optional($._elements), ']'),

    array_expression: ($) => seq('[|', optional($._elements), '|]'),

    // Elements are separated by `;`, so an element is never a sequence.
    _elements: ($) => seq(sep1($._element, ';'), optional(';')),

    _element: ($) => prec(PREC.seq + 1, $._expression),

    record_expression: ($) => seq('{', $._field_values, '}'),

    record_update_expression: ($) =>
      seq('{', field('record', $._simple_expression), 'with', $._field_values, '}'),

    _field_values: ($) => seq(sep1($.field_value, ';'), optional(';')),

    field_value: ($) =>
      seq(field('name', $._field_name), optional(seq('=', field('value', $._element)))),

    for_expression: ($) =>
      seq(
        'for',
        field('variable', $.identifier),
        '=',
        field('from', $._expression),
        choice('to', 'downto'),
        field('to', $._expression),
        'do',
        field('body', $._expression),
        'done',
      ),

    while_expression: ($) =>
      seq('while', field('condition', $._expression), 'do', field('body', $._expression), 'done'),

    // --------------------------------------------------------- patterns

    _pattern: ($) =>
      choice(
        $.alias_pattern,
        $.or_pattern,
        $.tuple_pattern,
        $.cons_pattern,
        $.constructor_pattern,
        $._simple_pattern,
      ),

    alias_pattern: ($) => prec.left(1, seq($._pattern, 'as', field('name', $.identifier))),

    or_pattern: ($) => prec.left(2, seq($._pattern, '|', $._pattern)),

    tuple_pattern: ($) => prec.left(3, seq($._pattern, repeat1(prec.left(3, seq(',', $._pattern))))),

    cons_pattern: ($) => prec.right(4, seq($._pattern, '::', $._pattern)),

    constructor_pattern: ($) => prec(5, seq($.constructor_path, $._simple_pattern)),

    _simple_pattern: ($) =>
      choice(
        $.wildcard_pattern,
        alias($.identifier, $.variable_pattern),
        $.constructor_path,
        $._literal,
        $.negative_literal,
        $.parenthesized_pattern,
        $.typed_pattern,
        $.list_pattern,
        $.record_pattern,
      ),

    wildcard_pattern: (_) => '_',

    negative_literal: ($) => seq('-', choice($.integer, $.float)),

    parenthesized_pattern: ($) => seq('(', $._pattern, ')'),

    typed_pattern: ($) => seq('(', $._pattern, ':', field('type', $._type), ')'),

    list_pattern: ($) => seq('[', optional(seq(sep1($._pattern, ';'), optional(';'))), ']'),

    record_pattern: ($) =>
      seq('{', sep1(choice($.field_pattern, $.wildcard_pattern), ';'), optional(';'), '}'),

    field_pattern: ($) =>
      seq(field('name', $._field_name), optional(seq('=', field('pattern', $._pattern)))),

    // ------------------------------------------------------------ types

    _type: ($) =>
      choice(
        $.function_type,
        $.tuple_type,
        $.type_application,
        $.type_variable,
        $.type_path,
        $.parenthesized_type,
      ),

    function_type: ($) => prec.right(1, seq($._type, '->', $._type)),

    tuple_type: ($) => prec.left(2, seq($._type, repeat1(prec.left(2, seq('*', $._type))))),

    type_application: ($) =>
      prec.left(
        3,
        seq(
          choice($._type, seq('(', $._type, repeat1(seq(',', $._type)), ')')),
          field('constructor', $.type_path),
        ),
      ),

    type_path: ($) => seq(repeat(seq($._module_name, '.')), $._type_name),

    parenthesized_type: ($) => seq('(', $._type, ')'),

    // --------------------------------------------------------- literals

    _literal: ($) => choice($.integer, $.float, $.string, $.boolean, $.unit),

    integer: (_) => /[0-9][0-9_]*/,

    float: (_) =>
      token(
        choice(
          /[0-9][0-9_]*\.[0-9_]*([eE][+-]?[0-9][0-9_]*)?/,
          /[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*/,
        ),
      ),

    string: ($) =>
      seq(
        '"',
        repeat(choice($.string_content, $.escape_sequence)),
        token.immediate('"'),
      ),

    string_content: (_) => token.immediate(prec(1, /[^"\\]+/)),

    escape_sequence: (_) =>
      token.immediate(
        seq('\\', choice(/[ntrb0\\"']/, /x[0-7][0-9A-Fa-f]/, /u\{[0-9A-Fa-f]{1,6}\}/, /\r?\n[ \t]*/)),
      ),

    boolean: (_) => choice('true', 'false'),

    // One token, so that highlighting sees `()` whole, not two brackets.
    unit: (_) => token(seq('(', /[ \t\r\n]*/, ')')),

    line_comment: (_) => token(seq('#', /[^\n]*/)),

    // ------------------------------------------------------------ names

    identifier: (_) => /[a-z_][A-Za-z0-9_']*/,

    _upper_identifier: (_) => /[A-Z][A-Za-z0-9_']*/,

    // Module and constructor names are one token (as in the lexer); the
    // parse decides which, by whether a `.` follows.
    _module_name: ($) => alias($._upper_identifier, $.module_name),

    _constructor_name: ($) => alias($._upper_identifier, $.constructor_name),

    _type_name: ($) => alias($.identifier, $.type_name),

    _field_name: ($) => alias($.identifier, $.field_name),

    type_variable: (_) => /'[a-z_][A-Za-z0-9_]*/,
  },
});
