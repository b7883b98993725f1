#!/usr/bin/env bash
# Tests of the editor support that need more than cargo: the TextMate
# grammar's assertion suite (vscode-tmgrammar-test, on Node), a scan of the
# stdlib and examples for broken highlighting, the tree-sitter grammar's
# tests (only where a tree-sitter CLI is installed), and a headless Vim
# run of the Vim plugin. Called by .ci/run; safe on a clean machine
# (installs what it needs; never reads standard input).
# The keyword lists themselves are checked by `cargo test --test editor_keywords`.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive

apt_updated=no
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "editor/check.sh: $* missing and not root to install it" >&2
    exit 1
  fi
  if [ "$apt_updated" = no ]; then
    apt-get update -qq </dev/null
    apt_updated=yes
  fi
  apt-get install -y -qq "$@" </dev/null >/dev/null
}

# --- VS Code: TextMate grammar assertions -------------------------------
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
echo "editor: installing vscode-tmgrammar-test (npm ci in editor/test-tools)"
(cd test-tools && npm ci --no-audit --no-fund --prefer-offline --loglevel=error </dev/null >/dev/null)
echo "editor: TextMate grammar tests"
test-tools/node_modules/.bin/vscode-tmgrammar-test --config vscode/package.json 'vscode/test/*.test.dl' </dev/null
echo "editor: TextMate grammar over the stdlib and examples"
root=$(cd .. && pwd)
mapfile -t programs < <(find "$root/stdlib" "$root/examples" -name '*.dl' 2>/dev/null | sort)
if [ "${#programs[@]}" -gt 0 ]; then
  node test-tools/scan.js vscode/syntaxes/dlang.tmLanguage.json "${programs[@]}" </dev/null
fi

# --- tree-sitter: corpus and highlight tests, where a CLI is installed ---
# The CLI is not installed here: npm's tree-sitter-cli downloads a binary
# at install time, which this project's machines cannot, and building it
# with cargo takes longer than this whole script should.
ts=$(command -v tree-sitter || true)
if [ -z "$ts" ] && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/tree-sitter" ]; then
  ts="${CARGO_HOME:-$HOME/.cargo}/bin/tree-sitter"
fi
if [ -n "$ts" ]; then
  echo "editor: tree-sitter grammar tests ($("$ts" --version))"
  (
    cd tree-sitter-dlang
    "$ts" generate
    "$ts" test
    if [ "${#programs[@]}" -gt 0 ]; then
      # Every stdlib and example program parses without an error node.
      "$ts" parse --quiet "${programs[@]}" 2>/dev/null ||
        { "$ts" parse "${programs[@]}" 2>/dev/null | grep -n 'ERROR\|MISSING'; exit 1; }
      echo "tree-sitter: ${#programs[@]} programs parse without errors"
    fi
  ) </dev/null
else
  echo "editor: tree-sitter grammar tests skipped (no tree-sitter CLI; cargo install --locked tree-sitter-cli)"
fi

# --- Vim: filetype, syntax groups, indentation --------------------------
# A Vim without +syntax or +eval (vim-tiny) cannot run the check.
full_vim() {
  local version
  version=$("$1" --version 2>/dev/null) && [[ $version == *+syntax* && $version == *+eval* ]]
}
vim=vim
if ! full_vim "$vim"; then
  vim=vim.nox
  full_vim "$vim" || apt_install vim-nox
fi
version=$("$vim" --version)
echo "editor: headless Vim check (${version%%$'\n'*})"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
DLANG_VIM_PROGRAMS="$(printf '%s\n' "${programs[@]}")" DLANG_VIM_LOG="$log" timeout 120 "$vim" -N -u NONE -i NONE -n -es \
  --cmd "set rtp^=$PWD/vim" --cmd 'filetype plugin indent on' --cmd 'syntax on' \
  -S vim/test/test.vim </dev/null || status=$?
if [ -s "$log" ]; then
  cat "$log"
else
  echo "editor: Vim wrote no report (exit status $status)" >&2
  status=1
fi
exit "$status"
