" dlang source files; also scripts whose #! line runs dlang.
autocmd BufNewFile,BufRead *.dl setfiletype dlang
autocmd BufNewFile,BufRead * if getline(1) =~# '^#!.*\<dlang\>' | setfiletype dlang | endif
