" Vim filetype plugin for dlang (*.dl)

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

" `#` starts a line comment; `(* *)` block comments nest.
setlocal commentstring=#\ %s
setlocal comments=:#,s1:(*,mb:*,ex:*)
setlocal formatoptions-=t formatoptions+=croql

" Identifiers may contain ' (`x'`), so word motions and completion see
" them whole.
setlocal iskeyword=@,48-57,_,192-255,'
setlocal suffixesadd=.dl
setlocal expandtab shiftwidth=2 softtabstop=2

" `%` jumps between the block keywords too (needs the matchit plugin).
let b:match_words = '\<begin\>:\<end\>,\<do\>:\<done\>,(\*:\*),\[|:|\]'

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword< suffixesadd< expandtab< shiftwidth< softtabstop<'
      \ . ' | unlet! b:match_words'

let &cpo = s:cpo_save
unlet s:cpo_save
