" dlang source files; also scripts whose #! line runs dlang. `set` rather
" than `setfiletype` for *.dl, so that no other mapping of the extension wins.
autocmd BufNewFile,BufRead *.dl set filetype=dlang
autocmd BufNewFile,BufRead * if getline(1) =~# '^#!.*\<dlang\>' | setfiletype dlang | endif
