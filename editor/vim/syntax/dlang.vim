" Vim syntax file
" Language:    dlang (the differentiable ML-family language, *.dl)
" Maintainer:  the dlang project
"
" Kept in step with src/syntax/token.rs. Every group that holds lexer
" keywords is named dlang*Keyword and is filled with `syn keyword` only:
" tests/editor_keywords.rs checks that those groups hold exactly the
" lexer's KEYWORDS.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" Identifiers may contain ', so `x'` and `let'` are single words.
syn iskeyword @,48-57,_,192-255,'

syn case match

" Comments. Block comments nest, as in the lexer.
syn keyword dlangTodo contained TODO FIXME XXX NOTE
syn match   dlangLineComment "#.*$" contains=dlangTodo,@Spell
syn region  dlangBlockComment start="(\*" end="\*)" contains=dlangBlockComment,dlangTodo,@Spell

" Strings may span lines; only the escapes the lexer decodes are valid.
syn region  dlangString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=dlangEscape,dlangBadEscape,@Spell
syn match   dlangBadEscape contained "\\."
syn match   dlangEscape contained "\\\%([ntrb0\\"']\|x[0-7]\x\|u{\x\{1,6}}\|$\)"

" Numbers: the lexer's Int and Float; a float has a '.' or an exponent.
syn match   dlangInteger "\<\d[0-9_]*"
syn match   dlangFloat   "\<\d[0-9_]*\%(\.[0-9_]*\%([eE][+-]\=\d[0-9_]*\)\=\|[eE][+-]\=\d[0-9_]*\)"

" Keywords (see the header: only `syn keyword` in dlang*Keyword groups).
syn keyword dlangBindingKeyword     let rec and in
syn keyword dlangFunctionKeyword    fun function
syn keyword dlangConditionalKeyword if then else match with when
syn keyword dlangRepeatKeyword      for to downto while do done
syn keyword dlangBlockKeyword       begin end
syn keyword dlangTypeKeyword        type of as
syn keyword dlangImportKeyword      open import
syn keyword dlangOperatorKeyword    not mod
syn keyword dlangModifierKeyword    mutable
syn keyword dlangExceptionKeyword   exception try assert
syn keyword dlangEffectKeyword      shift reset
syn keyword dlangRefKeyword         ref
syn keyword dlangBooleanKeyword     true false

" The differentiation operators are ordinary names, shown apart.
syn keyword dlangAdFunction grad value_and_grad jvp stop_gradient

" Names: constructors, modules (a capitalised name before a dot or after
" open/import; defined later, so they win over constructors), type
" variables.
syn match   dlangConstructor "\<\u\k*"
syn match   dlangModule      "\<\u\k*\ze\s*\.\s*\a"
syn match   dlangModule      "\%(\<\%(open\|import\)\s\+\)\@<=\u\k*\%(\s*\.\s*\u\k*\)*"
syn match   dlangTypeVar     "\%(\k\)\@1<!'[a-z_][A-Za-z0-9_]*"
syn match   dlangUnit        "(\s*)"

" Operators, longest first so that e.g. `::` is never read as `:`.
syn match   dlangOperator "[-+*/%@^!<>=|&$]"
syn match   dlangOperator "\*\*\|++\|::\|:=\|<-\|->\|<>\|<=\|>=\|||\|&&"
" User-defined operators (§11): a run of operator characters (`|>`, `+.`).
syn match   dlangOperator "[-+*/%@^<>=|&$][-!$%&*+./:<=>?@^|~]\+"
syn match   dlangArrayBracket "\[|\||]"
" After the operators, so that a stray `*)` is not read as `*`.
syn match   dlangStrayCommentEnd "\*)"

" Types: after a lone `:` up to a closing bracket, `=`, `;` or `,`, and
" in `type` declarations up to the next item.
syn cluster dlangTypeItems contains=dlangBuiltinType,dlangTypeName,dlangTypeVar,dlangModule,dlangTypeParens,dlangTypeOperator,dlangBlockComment,dlangLineComment
syn keyword dlangBuiltinType contained int float bool string unit tensor list array option ref
syn match   dlangTypeName contained "\<[a-z_]\k*"
syn match   dlangTypeOperator contained "->\|\*"
syn region  dlangTypeParens contained matchgroup=dlangDelimiter start="(" end=")" contains=@dlangTypeItems
syn region  dlangTypeAnnot matchgroup=dlangTypeColon start=":\@1<!:[:=]\@!" end="\ze\%([)=;,\]}]\||]\|\<\%(in\|with\|then\|else\|do\|done\|end\|let\|and\|when\)\>\)" contains=@dlangTypeItems
syn region  dlangTypeDecl start="\%(\<type\)\@4<=\>" end="\ze\%(\<\%(let\|type\|open\|import\)\>\|;;\)" contains=@dlangTypeItems,dlangConstructor,dlangTypeKeyword,dlangBindingKeyword,dlangTypeRecord,dlangTypeDefEq,dlangBar
syn match   dlangTypeDefEq contained "="
syn match   dlangBar contained "|"
syn region  dlangTypeRecord contained matchgroup=dlangDelimiter start="{" end="}" contains=dlangFieldDecl,@dlangTypeItems
syn match   dlangFieldDecl contained "\<[a-z_]\k*\ze\s*:"

" Block comments and strings span lines and nest, so only parsing from
" the first line knows whether a line deep in a file is inside one (a
" window opened in the middle of a long comment would otherwise show it
" as code). Vim parses fast enough for files of any size dlang programs
" have.
syn sync fromstart

hi def link dlangTodo               Todo
hi def link dlangLineComment        Comment
hi def link dlangBlockComment       Comment
hi def link dlangStrayCommentEnd    Error
hi def link dlangString             String
hi def link dlangEscape             SpecialChar
hi def link dlangBadEscape          Error
hi def link dlangInteger            Number
hi def link dlangFloat              Float
hi def link dlangBindingKeyword     Keyword
hi def link dlangFunctionKeyword    Keyword
hi def link dlangConditionalKeyword Conditional
hi def link dlangRepeatKeyword      Repeat
hi def link dlangBlockKeyword       Keyword
hi def link dlangTypeKeyword        Keyword
hi def link dlangImportKeyword      Include
hi def link dlangOperatorKeyword    Operator
hi def link dlangEffectKeyword      Exception
hi def link dlangRefKeyword         Keyword
hi def link dlangBooleanKeyword     Boolean
hi def link dlangModifierKeyword    StorageClass
hi def link dlangExceptionKeyword   Exception
hi def link dlangAdFunction         Special
hi def link dlangModule             Include
hi def link dlangConstructor        Constant
hi def link dlangTypeVar            Type
hi def link dlangUnit               Constant
hi def link dlangOperator           Operator
hi def link dlangArrayBracket       Delimiter
hi def link dlangBuiltinType        Type
hi def link dlangTypeName           Type
hi def link dlangTypeOperator       Operator
hi def link dlangTypeColon          Operator
hi def link dlangTypeDefEq          Operator
hi def link dlangBar                Operator
hi def link dlangDelimiter          Delimiter
hi def link dlangFieldDecl          Identifier

let b:current_syntax = 'dlang'

let &cpo = s:cpo_save
unlet s:cpo_save
