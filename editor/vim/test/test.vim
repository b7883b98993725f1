" Headless check of the dlang Vim plugin: filetype detection, options,
" syntax groups at chosen places in sample.dl, indentation, and real
" programs highlighted without errors.
" Run by editor/check.sh; writes failures to $DLANG_VIM_LOG and exits
" non-zero if there are any.

let s:failures = []
let s:checks = 0

function! s:Expect(what, actual, expected) abort
  let s:checks += 1
  if a:actual !=# a:expected
    call add(s:failures, a:what . ': expected ' . string(a:expected) . ', got ' . string(a:actual))
  endif
endfunction

" The syntax group of every character of `needle`, found at its
" `occurrence`-th place on the first line that contains `context`.
function! s:ExpectGroup(context, needle, occurrence, group) abort
  let lnum = search('\V' . escape(a:context, '\'), 'cnw')
  if lnum == 0
    call add(s:failures, 'sample.dl has no line containing ' . string(a:context))
    return
  endif
  let text = getline(lnum)
  let col = -1
  for _ in range(a:occurrence)
    let col = stridx(text, a:needle, col + 1)
  endfor
  if col < 0
    call add(s:failures, 'no ' . string(a:needle) . ' on line ' . lnum)
    return
  endif
  for i in range(len(a:needle))
    let name = synIDattr(synID(lnum, col + i + 1, 1), 'name')
    call s:Expect('line ' . lnum . ' ' . string(a:needle) . ' col ' . (col + i + 1), name, a:group)
  endfor
endfunction

let s:dir = expand('<sfile>:p:h')
execute 'edit ' . fnameescape(s:dir . '/sample.dl')
call s:Expect('filetype', &filetype, 'dlang')
call s:Expect('syntax', get(b:, 'current_syntax', ''), 'dlang')
call s:Expect('commentstring', &commentstring, '# %s')
call s:Expect('indentexpr', &indentexpr, 'DlangIndent()')

" [context (first line containing it), needle, occurrence, group]
let s:expectations = [
      \ ['#!/usr', '#!/usr/bin/env dlang', 1, 'dlangLineComment'],
      \ ["type 'a tree", 'type', 1, 'dlangTypeKeyword'],
      \ ["type 'a tree", "'a", 1, 'dlangTypeVar'],
      \ ["type 'a tree", 'tree', 1, 'dlangTypeName'],
      \ ["type 'a tree", 'Leaf', 1, 'dlangConstructor'],
      \ ["type 'a tree", 'of', 1, 'dlangTypeKeyword'],
      \ ["type 'a tree", '*', 1, 'dlangTypeOperator'],
      \ ['and point', 'and', 1, 'dlangBindingKeyword'],
      \ ['and point', 'x', 1, 'dlangFieldDecl'],
      \ ['and point', 'float', 1, 'dlangBuiltinType'],
      \ ['and point', 'ref', 1, 'dlangBuiltinType'],
      \ ['open List', 'open', 1, 'dlangImportKeyword'],
      \ ['open List', 'List', 1, 'dlangModule'],
      \ ['import Util', 'Util', 1, 'dlangModule'],
      \ ['let rec sum', 'let', 1, 'dlangBindingKeyword'],
      \ ['let rec sum', 'rec', 1, 'dlangBindingKeyword'],
      \ ['let rec sum', 'match', 1, 'dlangConditionalKeyword'],
      \ ['let rec sum', 'with', 1, 'dlangConditionalKeyword'],
      \ ['let rec sum', 'Node', 1, 'dlangConstructor'],
      \ ['let rec sum', '->', 1, 'dlangOperator'],
      \ ['and size', "'a", 1, 'dlangTypeVar'],
      \ ['and size', 'tree', 1, 'dlangTypeName'],
      \ ['and size', 'int', 1, 'dlangBuiltinType'],
      \ ['and size', '0', 1, 'dlangInteger'],
      \ ['let s =', 'tab', 1, 'dlangString'],
      \ ['let s =', '\t', 1, 'dlangEscape'],
      \ ['let s =', '\"', 1, 'dlangEscape'],
      \ ['let s =', '\u{e9}', 1, 'dlangEscape'],
      \ ['let s =', '\x41', 1, 'dlangEscape'],
      \ ['let s =', '\q', 1, 'dlangBadEscape'],
      \ ['let s =', '^', 1, 'dlangOperator'],
      \ ['let s =', 'not a comment', 1, 'dlangString'],
      \ ['let n =', '42', 1, 'dlangInteger'],
      \ ['let n =', '1_000', 1, 'dlangInteger'],
      \ ['let n =', 'x2', 1, ''],
      \ ['let n =', '2.5e-3', 1, 'dlangFloat'],
      \ ['let n =', '1e6', 1, 'dlangFloat'],
      \ ['let n =', '3.', 1, 'dlangFloat'],
      \ ['let k =', 'reset', 1, 'dlangEffectKeyword'],
      \ ['let k =', 'shift', 1, 'dlangEffectKeyword'],
      \ ['let d =', 'grad', 1, 'dlangAdFunction'],
      \ ['let d =', 'fun', 1, 'dlangFunctionKeyword'],
      \ ['let d =', 'stop_gradient', 1, 'dlangAdFunction'],
      \ ['let d =', '1.0', 1, 'dlangFloat'],
      \ ['let m =', 'List', 1, 'dlangModule'],
      \ ['let m =', 'Some', 1, 'dlangConstructor'],
      \ ['let m =', '@', 1, 'dlangOperator'],
      \ ['let m =', 'Tensor', 1, 'dlangModule'],
      \ ['let c =', '::', 1, 'dlangOperator'],
      \ ['let c =', 'ref', 1, 'dlangRefKeyword'],
      \ ['let c =', 'not', 1, 'dlangOperatorKeyword'],
      \ ['let c =', 'true', 1, 'dlangBooleanKeyword'],
      \ ['let () =', '()', 1, 'dlangUnit'],
      \ ['let () =', ':=', 1, 'dlangOperator'],
      \ ['let () =', '!', 1, 'dlangOperator'],
      \ ['let () =', 'if', 1, 'dlangConditionalKeyword'],
      \ ['let () =', "let'", 1, ''],
      \ ['(* outer', 'outer', 1, 'dlangBlockComment'],
      \ ['(* outer', 'nested let', 1, 'dlangBlockComment'],
      \ ['(* outer', 'still comment *)', 1, 'dlangBlockComment'],
      \ ['(* outer', 'let', 2, 'dlangBindingKeyword'],
      \ ['let z =', 'trailing let comment', 1, 'dlangLineComment'],
      \ ['let o =', '*)', 1, 'dlangStrayCommentEnd'],
      \ ]
for [s:context, s:needle, s:occurrence, s:group] in s:expectations
  call s:ExpectGroup(s:context, s:needle, s:occurrence, s:group)
endfor

" Every operator on the `let ops` lines (which tests/editor_keywords.rs
" checks hold every operator of the lexer) is an operator.
for s:lnum in range(1, line('$'))
  if getline(s:lnum) =~# '^let ops '
    " After the `=` of the `let`.
    let s:col = len('let ops =')
    for s:word in split(getline(s:lnum)[s:col :], ' ')
      let s:col = stridx(getline(s:lnum), ' ' . s:word, s:col) + 1
      if s:word =~# '^[-!$%&*+./:<=>?@^|~]\+$'
        call s:Expect('line ' . s:lnum . ' operator ' . s:word, synIDattr(synID(s:lnum, s:col + 1, 1), 'name'), 'dlangOperator')
      endif
    endfor
  endif
endfor

" Indentation: re-indent a flattened copy of indent.dl and compare.
execute 'edit ' . fnameescape(s:dir . '/indent.dl')
let s:expected = getline(1, '$')
silent %s/^\s\+//e
silent normal! gg=G
let s:actual = getline(1, '$')
for s:i in range(len(s:expected))
  call s:Expect('indent.dl line ' . (s:i + 1), get(s:actual, s:i, ''), s:expected[s:i])
endfor
set nomodified

" Highlighting syncs from the start of the file: a line deep inside a
" long block comment (or a string spanning lines), looked at first, is
" still comment (string), and the code after it is code.
enew
setlocal filetype=dlang
call setline(1, ['let a = 1', '(* a long comment (* nested *)'] + repeat(['   let x = "q" + 1'], 600) + ['*)', 'let s = "a string', 'over lines'] + repeat(['let y = 2'], 600) + ['"', 'let b = 2'])
call s:Expect('line 400, inside a long comment', synIDattr(synID(400, 4, 1), 'name'), 'dlangBlockComment')
call s:Expect('line 900, inside a long string', synIDattr(synID(900, 1, 1), 'name'), 'dlangString')
call s:Expect('the line after both', synIDattr(synID(line('$'), 1, 1), 'name'), 'dlangBindingKeyword')
set nomodified
bwipeout!

" Real programs ($DLANG_VIM_PROGRAMS, one path a line) are valid: no
" error groups, and nothing still open at the end (a line appended to the
" buffer starts afresh).
for s:program in split($DLANG_VIM_PROGRAMS, "\n")
  execute 'edit ' . fnameescape(s:program)
  for s:lnum in range(1, line('$'))
    let s:text = getline(s:lnum)
    for s:col in range(1, len(s:text))
      let s:id = synID(s:lnum, s:col, 1)
      if synIDattr(synIDtrans(s:id), 'name') ==# 'Error'
        call s:Expect(s:program . ':' . s:lnum . ':' . s:col, synIDattr(s:id, 'name'), 'no error group')
        break
      endif
    endfor
  endfor
  call append('$', 'let end_of_file = 0')
  call s:Expect(s:program . ' at its end', synIDattr(synID(line('$'), 1, 1), 'name'), 'dlangBindingKeyword')
  set nomodified
endfor

let s:log = empty($DLANG_VIM_LOG) ? '/dev/stdout' : $DLANG_VIM_LOG
call writefile(s:failures + [printf('vim: %d passed, %d failed', s:checks - len(s:failures), len(s:failures))], s:log)
if empty(s:failures)
  qall!
else
  cquit!
endif
