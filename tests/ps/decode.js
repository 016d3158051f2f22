#!/usr/bin/env node
// decode.js: reads what tests/fixtures/psrender wrote for each op (the
// exec line, and the stdin payload when the script did not fit on it) and
// decodes it the way the Windows host does, independently of dpdoctor's
// own decoder (backend/ops/winenc.c):
//
//   cmd.exe        takes the line as is when it is at most 8191 characters
//                  and holds none of its special characters (& | < > ^ " %
//                  and line breaks): the line is checked for exactly that;
//   powershell.exe splits it on spaces and runs -EncodedCommand's value
//                  through [Convert]::FromBase64String and
//                  [Text.Encoding]::Unicode.GetString (UTF-16LE);
//   the bootstrap  reads stdin to the end, [Convert]::FromBase64String
//                  (which skips white space such as the CRLF) and
//                  [Text.Encoding]::UTF8.GetString.
//
// .NET replaces malformed UTF-16 or UTF-8 silently (U+FFFD); here it is an
// error, since the host would run something else than we rendered.
//
//   node decode.js DIR
//
// For every DIR/STEM.cmd it writes, as UTF-8, DIR/STEM.win.ps1 (the
// script the line runs) or, when there is a DIR/STEM.stdin,
// DIR/STEM.stdin.win.ps1 (the script the bootstrap runs; the line itself
// must decode to the bootstrap, parsed once as bootstrap.win.ps1).  One
// unnumbered TAP line per command line: the decoded script must be the
// one rendered (DIR/STEM.ps1) and, for the stdin form, the line must
// decode to the bootstrap (DIR/bootstrap.ps1).  Exit status 0, or 1 when
// a check failed, 2 on a usage or I/O error.
'use strict';

const fs = require('fs');
const path = require('path');

const CMD_MAX = 8191;
const SWITCHES = ['powershell.exe', '-NoProfile', '-NonInteractive',
  '-ExecutionPolicy', 'Bypass', '-EncodedCommand'];

// [Convert]::FromBase64String: white space is skipped; the rest must be
// the base64 alphabet, a multiple of 4 long, '=' only as final padding.
function fromBase64(text) {
  const s = text.replace(/[ \t\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s))
    throw new Error('not valid base64 (as FromBase64String reads it)');
  return Buffer.from(s, 'base64');
}

function strictDecode(bytes, encoding) {
  // ignoreBOM: .NET's GetString keeps a leading BOM as U+FEFF.
  return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
}

// The script powershell.exe runs for an exec line, or an Error.
function decodeLine(line) {
  if (line.length > CMD_MAX)
    throw new Error(`${line.length} characters: cmd.exe takes at most ${CMD_MAX}`);
  const special = line.search(/[&|<>^"%\r\n]/);
  if (special >= 0)
    throw new Error(`cmd.exe would interpret ${JSON.stringify(line[special])} at ${special}`);
  const words = line.split(' ');
  if (words.length !== SWITCHES.length + 1 ||
      SWITCHES.some((w, i) => words[i] !== w))
    throw new Error('not the form ' + SWITCHES.join(' ') + ' BASE64');
  const bytes = fromBase64(words[SWITCHES.length]);
  if (bytes.length % 2 !== 0)
    throw new Error('an odd number of bytes is not UTF-16LE');
  return strictDecode(bytes, 'utf-16le');
}

// The script the bootstrap runs for a stdin payload.
function decodePayload(payload) {
  return strictDecode(fromBase64(payload), 'utf-8');
}

// Decode one STEM; returns the TAP description, throws an Error.
function decodeOne(dir, stem) {
  const read = (ext) => fs.readFileSync(path.join(dir, stem + ext), 'utf8');
  const line = read('.cmd');
  const ran = decodeLine(line);
  const rendered = read('.ps1');
  if (!fs.existsSync(path.join(dir, stem + '.stdin'))) {
    fs.writeFileSync(path.join(dir, stem + '.win.ps1'), ran);
    if (ran !== rendered)
      throw new Error('the line decodes to another script than the one rendered');
    return `${line.length}-character line decodes to the script rendered`;
  }
  if (ran !== fs.readFileSync(path.join(dir, 'bootstrap.ps1'), 'utf8'))
    throw new Error('the line for the stdin form does not decode to the bootstrap');
  const script = decodePayload(read('.stdin'));
  fs.writeFileSync(path.join(dir, stem + '.stdin.win.ps1'), script);
  if (script !== rendered)
    throw new Error('the stdin payload decodes to another script than the one rendered');
  return `${line.length}-character line decodes to the bootstrap, ` +
    'the stdin payload to the script rendered';
}

function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: node decode.js DIR');
    return 2;
  }
  let names;
  try {
    names = fs.readdirSync(argv[0]).filter((f) => f.endsWith('.cmd')).sort();
  } catch (e) {
    console.error('decode.js: ' + e.message);
    return 2;
  }
  let rc = 0;
  for (const name of names) {
    const stem = name.slice(0, -4);
    try {
      console.log(`ok - ${stem}: ${decodeOne(argv[0], stem)}`);
    } catch (e) {
      console.log(`not ok - ${stem}: ${e.message}`);
      rc = 1;
    }
  }
  return rc;
}

process.exitCode = main(process.argv.slice(2));
