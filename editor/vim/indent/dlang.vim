" Vim indent file for dlang (*.dl): basic block indentation.
"
" A line is indented one level past the previous one when that one opens
" something (`=`, `->`, `then`, `else`, `do`, `begin`, `with`, `function`,
" an open bracket at the end of the line); closers (`done`, `end`, `)`,
" `]`, `}`, `|]`) line up with the line that opened them; match arms line
" up with each other.

if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=DlangIndent()
setlocal indentkeys=0{,0},0),0],!^F,o,O,0=done,0=end,0=else,0=\|,0=\|]
setlocal nolisp autoindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< lisp< autoindent<'

if exists('*DlangIndent')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" Text of line `lnum` without a trailing `#` comment or `(* ... *)`.
function! s:Code(lnum) abort
  let line = getline(a:lnum)
  let line = substitute(line, '(\*.\{-}\*)', '', 'g')
  let line = substitute(line, '#[^"]*$', '', '')
  return substitute(line, '\s\+$', '', '')
endfunction

function! s:InCommentOrString(lnum, col) abort
  let name = synIDattr(synID(a:lnum, a:col, 0), 'name')
  return name =~# 'Comment\|String'
endfunction

" Indent of the line holding the opener that `closer` (at the start of
" line `lnum`) closes.
function! s:OpenerIndent(lnum, open, close) abort
  call cursor(a:lnum, 1)
  let skip = 's:InCommentOrString(line("."), col("."))'
  let found = searchpair(a:open, '', a:close, 'bW', skip)
  return found > 0 ? indent(found) : -1
endfunction

function! DlangIndent() abort
  let prev = prevnonblank(v:lnum - 1)
  if prev == 0
    return 0
  endif
  let line = getline(v:lnum)
  let code = s:Code(prev)
  let sw = shiftwidth()

  let closers = [
        \ ['^\s*done\>', '\<do\>', '\<done\>'],
        \ ['^\s*end\>', '\<begin\>', '\<end\>'],
        \ ['^\s*)', '(', ')'],
        \ ['^\s*\]', '\[', '\]'],
        \ ['^\s*}', '{', '}'],
        \ ['^\s*|\]', '\[|', '|\]'],
        \ ]
  for [pat, open, close] in closers
    if line =~# pat
      let opener = s:OpenerIndent(v:lnum, open, close)
      if opener >= 0
        return opener
      endif
    endif
  endfor

  if line =~# '^\s*else\>'
    let found = search('\<if\>', 'bnW')
    return found > 0 ? indent(found) : indent(prev) - sw
  endif

  if line =~# '^\s*|[^\]]'
    " Line up with the previous arm, or with the `match`/`function` line.
    let lnum = prev
    while lnum > 0
      let text = s:Code(lnum)
      if text =~# '^\s*|[^\]]'
        return indent(lnum)
      elseif text =~# '\<\%(with\|function\)$'
        return indent(lnum)
      elseif text =~# '^\s*type\>'
        return indent(lnum) + sw
      endif
      let lnum = prevnonblank(lnum - 1)
    endwhile
    return indent(prev)
  endif

  " Types and imports exist only at top level; a `let` is local only
  " where an expression may start (after `in`, `;`, an operator or an
  " opener), so anywhere else it starts a new top-level item.
  if line =~# '^\s*\%(type\|open\|import\)\>'
    return 0
  endif
  if line =~# '^\s*let\>' && code !~# '\%(\<in\|[-;=>(\[{|+*/%@^&:]\|\<then\|\<else\|\<do\|\<begin\|\<with\|\<function\)$'
    return 0
  endif

  if line =~# '^\s*in\>'
    return max([indent(prev) - sw, 0])
  endif

  if code =~# '\%(=\|->\|\<then\|\<else\|\<do\|\<begin\|\<with\|\<function\|(\|\[\|{\|\[|\)$'
    return indent(prev) + sw
  endif

  " `let x = 1 in` and plain expressions open nothing.
  return indent(prev)
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
