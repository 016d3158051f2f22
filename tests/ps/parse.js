#!/usr/bin/env node
// parse.js: parses PowerShell scripts with tree-sitter-powershell (a
// grammar nobody here wrote, loaded from its prebuilt .wasm by
// web-tree-sitter: no native build) and reports every ERROR and MISSING
// node with its line, column and the text around it.
//
//   node parse.js [--tap] [FILE...]      no FILE, or "-": standard input
//
// Exit status: 0 when every script parsed without an ERROR or MISSING
// node, 1 when one did not, 2 when a file or the parser could not be
// loaded.  With --tap, one unnumbered TAP line per script ("ok - FILE: 0
// ERROR, 0 MISSING"), the details as "#" comments after a failing one
// (tests/ps/grammar.sh numbers the lines).  Files are read as UTF-8, the
// way the decoded scripts are written (tests/ps/decode.js).
'use strict';

const fs = require('fs');
const path = require('path');

// V8 would recompile the grammar's large WebAssembly functions with its
// optimising compiler in the background, and node waits for that before
// it exits: 15-40 s for a parse that takes 0.1 s.  The baseline compiler
// alone parses these scripts in milliseconds.  Set before any WebAssembly
// is compiled; node 18 and 20 both know the flag.
require('v8').setFlagsFromString('--liftoff-only');

const MAX_SHOWN = 20;   // problems printed per script; the count is exact

// The grammar and the runtime, from tests/ps/node_modules (npm ci there).
async function loadParser() {
  let wts;
  try {
    wts = require('web-tree-sitter');
  } catch (e) {
    throw new Error('web-tree-sitter is not installed in ' + __dirname +
      ' (run ./quickstart check, or: cd tests/ps && npm ci --no-audit --no-fund)');
  }
  let wasm;
  try {
    wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
  } catch (e) {
    throw new Error('tree-sitter-powershell is not installed in ' + __dirname +
      ' (run ./quickstart check, or: cd tests/ps && npm ci --no-audit --no-fund)');
  }
  await wts.Parser.init();
  const lang = await wts.Language.load(wasm);
  const parser = new wts.Parser();
  parser.setLanguage(lang);
  return parser;
}

// A node property that is a getter in newer web-tree-sitter, a method in
// older ones.
function flag(node, name) {
  const v = node[name];
  return typeof v === 'function' ? v.call(node) : Boolean(v);
}

// Every ERROR and MISSING node, in document order.  Only subtrees that
// hold one are walked (hasError counts MISSING nodes too): a full walk of
// a clean 30 KB script takes seconds through the WASM boundary.
function problems(tree) {
  const out = [];
  const visit = (n) => {
    if (flag(n, 'isMissing'))
      out.push({ kind: 'MISSING', node: n });
    else if (flag(n, 'isError'))
      out.push({ kind: 'ERROR', node: n });
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (flag(c, 'hasError'))
        visit(c);
    }
  };
  if (flag(tree.rootNode, 'hasError'))
    visit(tree.rootNode);
  return out;
}

// One problem as "FILE:LINE:COL: KIND ..." and the line it is on with a
// caret under it (columns count characters, from 1).
function describe(name, lines, p) {
  const n = p.node;
  const row = n.startPosition.row;
  const line = lines[row] || '';
  // web-tree-sitter's columns count UTF-16 units; so do JS strings.
  const col = Math.min(n.startPosition.column, line.length);
  const from = Math.max(0, col - 60);
  const shown = line.slice(from, col + 60);
  const what = p.kind === 'MISSING'
    ? 'MISSING ' + JSON.stringify(n.type)
    : 'ERROR, unexpected ' + JSON.stringify(n.text.slice(0, 60)) +
      (n.text.length > 60 ? '...' : '');
  return [
    `${name}:${row + 1}:${col + 1}: ${what}`,
    `    | ${from > 0 ? '...' : ''}${shown}`,
    `    | ${from > 0 ? '   ' : ''}${' '.repeat(col - from)}^`,
  ];
}

function readInput(file) {
  return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
}

// Parse one script; returns [problem count, report lines].
function check(parser, name, text) {
  const tree = parser.parse(text);
  const found = problems(tree);
  const lines = text.split(/\r?\n/);
  const report = [];
  const errors = found.filter((p) => p.kind === 'ERROR').length;
  const summary = `${errors} ERROR, ${found.length - errors} MISSING`;
  for (const p of found.slice(0, MAX_SHOWN))
    report.push(...describe(name, lines, p));
  if (found.length > MAX_SHOWN)
    report.push(`${name}: ... and ${found.length - MAX_SHOWN} more`);
  // hasError without an ERROR or MISSING node would be a walker bug.
  const bad = found.length > 0 || flag(tree.rootNode, 'hasError');
  if (found.length === 0 && bad)
    report.push(`${name}: the tree has an error the walk did not find`);
  tree.delete();
  return { bad, summary, report };
}

async function main(argv) {
  const tap = argv[0] === '--tap';
  const files = tap ? argv.slice(1) : argv;
  if (files.length === 0)
    files.push('-');
  let parser;
  try {
    parser = await loadParser();
  } catch (e) {
    console.error('parse.js: ' + e.message);
    if (tap)
      console.log('not ok - the PowerShell grammar loads: ' + e.message);
    return 2;
  }
  let rc = 0;
  for (const file of files) {
    const name = file === '-' ? '(stdin)' : path.basename(file);
    let text;
    try {
      text = readInput(file);
    } catch (e) {
      console.error(`parse.js: ${file}: ${e.message}`);
      rc = 2;
      continue;
    }
    const r = check(parser, name, text);
    if (r.bad && rc === 0)
      rc = 1;
    if (tap) {
      console.log(`${r.bad ? 'not ok' : 'ok'} - ${name}: ${r.summary}`);
      for (const l of r.report)
        console.log('# ' + l);
    } else {
      for (const l of r.report)
        console.log(l);
    }
  }
  return rc;
}

main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; },
  (e) => { console.error('parse.js: ' + (e && e.stack || e)); process.exitCode = 2; });
