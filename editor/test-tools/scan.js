// Tokenizes valid dlang programs with the TextMate grammar and fails on
// what a reader would see as broken highlighting: a scope marked
// `invalid`, or a file that ends inside a string, comment or annotation
// (one that ran on).
// Usage: node scan.js GRAMMAR FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const [grammarPath, ...files] = process.argv.slice(2);
const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;

async function main() {
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  const grammar = await registry.loadGrammar('source.dlang');
  const problems = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let state = vsctm.INITIAL;
    lines.forEach((line, i) => {
      const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
      for (const token of tokens) {
        const invalid = token.scopes.find((s) => s.startsWith('invalid'));
        if (invalid) {
          problems.push(`${file}:${i + 1}:${token.startIndex + 1}: ${invalid}: ${line.slice(token.startIndex, token.endIndex)}`);
        }
      }
      state = ruleStack;
    });
    // A following item must start afresh: nothing may still be open.
    const after = grammar.tokenizeLine('let end_of_file = 0', state).tokens[0].scopes;
    if (!after.includes('keyword.other.binding.dlang')) {
      problems.push(`${file}: ends inside ${after[after.length - 1]}`);
    }
  }
  for (const p of problems) console.log(p);
  const failed = new Set(problems.map((p) => p.split(':')[0])).size;
  console.log(`scan: ${files.length - failed} files clean, ${failed} with problems`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
