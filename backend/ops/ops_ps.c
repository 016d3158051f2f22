/*
 * The PowerShell each op is rendered as, and the reading back of it (for
 * the simulated hosts, which get the very text a Windows host gets).  A
 * script is three parts: a header line naming the op (so a simulated host
 * knows what it was sent), the argument block, and the op's body, which
 * calls the protocol helpers of a shared prelude.  Arguments are checked
 * first (ops_check), then written as single-quoted PowerShell strings, where
 * the only special characters are the quote marks (doubled here; the
 * typographic quotes PowerShell also accepts are refused by the check).
 */
#include "autoconf.h"
#include "backend/ops/ops_ps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PowerShell helpers every script shares: strict errors, no progress
 * records (they corrupt output over SSH), UTF-8 out, protocol writers.
 * Comments stay here in C, not in the PowerShell: every character of a
 * script costs almost three on the -EncodedCommand line, and the status
 * script must stay within cmd.exe's 8191 (sent directly, not on stdin).
 * A host whose console encoding cannot be set (no console) still runs, as
 * the stdin bootstrap does.  Esc takes other control characters (rare)
 * one at a time, with no script block standing in for a .NET delegate.
 * Emit with $d set writes a field as \= when it repeats the previous row
 * of its type and is longer than the marker (proto.h; the status reply).
 * WMI datetimes go out exactly as WMI gives them (DMTF, e.g.
 * 20070104100000.000000+000, or +*** from SMS): dpdoctor converts them,
 * honouring the offset.
 * Everything here and in the op bodies stays within PowerShell 2.0 on CLR
 * 2.0 (Server 2003 SP2 has at most that); backend/sim/simps2.c refuses what
 * is newer, as a 2.0 host would fail.  A foreach over a command's output
 * wraps it in @(): on 2.0, foreach over nothing runs once, with $null. */
static const char prelude[] =
	"$ErrorActionPreference = 'Stop'\n"
	"$ProgressPreference = 'SilentlyContinue'\n"
	"try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch {}\n"
	"function Esc($s) {\n"
	"  if ($null -eq $s) { return '' }\n"
	"  $s = ([string]$s).Replace('\\', '\\\\').Replace(\"`t\", '\\t').Replace(\"`n\", '\\n').Replace(\"`r\", '\\r')\n"
	"  if ($s -notmatch '[\\x00-\\x1f\\x7f]') { return $s }\n"
	"  $o = New-Object Text.StringBuilder\n"
	"  foreach ($c in $s.ToCharArray()) {\n"
	"    if ([int]$c -lt 32 -or [int]$c -eq 127) { [void]$o.Append(('\\x{0:X2}' -f [int]$c)) } else { [void]$o.Append($c) }\n"
	"  }\n"
	"  return $o.ToString()\n"
	"}\n"
	"$R = @{}\n"
	"function Emit([string]$t, [object[]]$v, $d) {\n"
	"  $q = $R[$t]; $e = @($v | ForEach-Object { Esc $_ }); $R[$t] = $e; $j = 0\n"
	"  [Console]::Out.Write($t + \"`t\" + (($e | ForEach-Object { if ($d -and $q -and $_.Length -gt 2 -and $_ -ceq $q[$j]) { '\\=' } else { $_ }; $j++ }) -join \"`t\") + \"`n\")\n"
	"}\n"
	"function Cols([string]$t, [string[]]$c) { Emit 'COLS' (@($t) + $c) }\n"
	"$Inv = [Globalization.CultureInfo]::InvariantCulture\n";


/* The status reply is most of what crosses the wire (half a million cell
 * rows on a large site), so it says nothing twice (proto.h): its rows are
 * emitted with $d set (\= for a repeated field); each DP's ServerNALPath and SiteCode go once, in a D
 * row declaring its index, the first time the DP appears, and cell rows
 * name the index.  WMI promises no order: rows that interleave only
 * repeat less.  The hashtable is .NET's (ordinal keys), not @{}, whose
 * keys ignore case.  WMI's datetimes are strings already (DMTF), so
 * Esc writes them as they are.  backend/sim/simops.c writes exactly this.  One
 * package only, when asked, and a delta (since: WQL compares DMTF times
 * as strings, SMS's in GMT): both validated before rendering; on the
 * host the ID is checked again and only the time's digits reach WQL.
 * Comments stay here, not in the script: it must fit one command line
 * (test_ops). */
static const char status_body[] =
	"$wmi = WmiArgs $A['provider']\n"
	"$wmi['Namespace'] = 'root\\SMS\\site_' + $A['site']\n"
	"[Console]::Out.Write(\"DPDOCTOR 2 status`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $w = @()\n"
	"  if ($A['package']) {\n"
	"    if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"    $w += \"PackageID = '\" + $A['package'] + \"'\"\n"
	"  }\n"
	"  $s = $A['since'] -replace '\\D'\n"
	"  function Wh($f) { $x = $w; if ($s) { $x += \"$f >= '$s.000000+000'\" }; if ($x) { ' WHERE ' + ($x -join ' AND ') } }\n"
	"  $pc = @('PackageID','Name','Manufacturer','Version','Language','PkgSourcePath',\n"
	"    'SourceVersion','StoredPkgVersion','StoredPkgPath','SourceSite','SourceDate')\n"
	"  Cols 'P' $pc\n"
	"  foreach ($p in @(Get-WmiObject @wmi -Query ('SELECT ' + ($pc -join ',') + ' FROM SMS_Package' + (Wh 'SourceDate')))) {\n"
	"    Emit 'P' @($pc | ForEach-Object { $p.$_ }) 1\n"
	"    $n++\n"
	"  }\n"
	"  Cols 'D' @('DP','ServerNALPath','SiteCode')\n"
	"  Cols 'C' @('PackageID','DP','State','SourceVersion','LastCopied','SummaryDate')\n"
	"  $dp = New-Object Collections.Hashtable\n"
	"  foreach ($c in @(Get-WmiObject @wmi -Query ('SELECT * FROM SMS_PackageStatusDistPointsSummarizer' + (Wh 'SummaryDate')))) {\n"
	"    $k = [string]$c.ServerNALPath; $i = $dp[$k]\n"
	"    if ($null -eq $i) { $i = $dp.Count; $dp[$k] = $i; Emit 'D' @($i, $k, $c.SiteCode) }\n"
	"    Emit 'C' @($c.PackageID, $i, $c.State, $c.SourceVersion, $c.LastCopied, $c.SummaryDate) 1\n"
	"    $n++\n"
	"  }\n"
	"  Cols 'T' @('Now')\n"
	"  Emit 'T' @((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Inv))\n"
	"  [Console]::Out.Write(\"END`tok`t$n`n\")\n"
	"} catch {\n"
	"  [Console]::Out.Write(\"END`terror`t\" + (Esc $_.Exception.Message) + \"`n\")\n"
	"  exit 1\n"
	"}\n";

/* Helpers of the read-only file ops (pathinfo, dirlist, loggrep): a
 * path's root (\\SERVER\share\ or E:\) is probed first so that an
 * unreachable server reads as such, not as a missing file. */
static const char fileprelude_ps[] =
	"function Iso($d) { return $d.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Inv) }\n"
	"function Root([string]$p) {\n"
	"  if ($p.StartsWith('\\\\')) { $x = $p.Substring(2).Split('\\'); return '\\\\' + $x[0] + '\\' + $x[1] + '\\' }\n"
	"  return $p.Substring(0, 3)\n"
	"}\n"
	"function Reach([string]$p) {\n"
	"  if ($DpdCred) { $why = NetUse $p; if ($why) { return $why } }\n"
	"  $r = Root $p\n"
	"  if (-not (Test-Path -LiteralPath $r)) { return \"cannot reach $r (the network path was not found or access is denied)\" }\n"
	"  return ''\n"
	"}\n"
	"function FileRow([string]$p, $i) {\n"
	"  if ($null -eq $i) { return @($p, 0, 0, '', '', '', '', '') }\n"
	"  $d = [int]$i.PSIsContainer\n"
	"  $sz = ''\n"
	"  if (-not $d) { $sz = $i.Length }\n"
	"  return @($p, 1, $d, $sz, (Iso $i.LastWriteTime), ([int]$i.Attributes -band 0x37), '', '')\n"
	"}\n"
	"function Done($n) { [Console]::Out.Write(\"END`tok`t$n`n\") }\n"
	"function Fail($e) { [Console]::Out.Write(\"END`terror`t\" + (Esc $e.Exception.Message) + \"`n\"); exit 1 }\n";

static const char pathinfo_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 pathinfo`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  Cols 'F' @('Path','Exists','IsDir','Size','MTime','Attrs','Version','Error')\n"
	"  foreach ($p in ($A['paths'] -split '\\|')) {\n"
	"    $why = Reach $p\n"
	"    if ($why) {\n"
	"      Emit 'F' @($p, '', '', '', '', '', '', $why)\n"
	"    } else {\n"
	"      # A PCK's version is inside its compressed header; PowerShell cannot\n"
	"      # tell it, so Version stays empty.\n"
	"      Emit 'F' (FileRow $p (Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue))\n"
	"    }\n"
	"    $n++\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char dirlist_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 dirlist`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $why = Reach $A['dir']\n"
	"  if ($why) { throw $why }\n"
	"  Cols 'F' @('Path','Exists','IsDir','Size','MTime','Attrs','Version','Error','Name','PackageID')\n"
	"  if (Test-Path -LiteralPath $A['dir'] -PathType Container) {\n"
	"    foreach ($i in @(Get-ChildItem -LiteralPath $A['dir'] -Filter $A['pattern'] -Force | Sort-Object Name)) {\n"
	"      # Replicated package files are binary; the package they name is not\n"
	"      # read here (PackageID stays empty).\n"
	"      Emit 'F' ((FileRow $i.FullName $i) + @($i.Name, ''))\n"
	"      $n++\n"
	"    }\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char loggrep_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 loggrep`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $why = Reach $A['log']\n"
	"  if ($why) { throw $why }\n"
	"  $max = 2000\n"
	"  if ($A['max']) { $max = [int]$A['max'] }\n"
	"  $keep = New-Object System.Collections.Queue\n"
	"  $enc = [Text.Encoding]::Default\n"
	"  $files = @(($A['log'] -replace '\\.log$', '.lo_'), $A['log'])\n"
	"  foreach ($f in $files) {\n"
	"    if (-not (Test-Path -LiteralPath $f -PathType Leaf)) { continue }\n"
	"    # distmgr holds the log open: share it for reading and writing.\n"
	"    $fs = New-Object IO.FileStream($f, 'Open', 'Read', 'ReadWrite')\n"
	"    # Read in blocks: Stream.CopyTo is .NET 4, and PowerShell 2.0 runs on CLR 2.\n"
	"    try {\n"
	"      $ms = New-Object IO.MemoryStream\n"
	"      $blk = New-Object byte[] 65536\n"
	"      while (($got = $fs.Read($blk, 0, $blk.Length)) -gt 0) { $ms.Write($blk, 0, $got) }\n"
	"      $b = $ms.ToArray()\n"
	"    } finally { $fs.Close() }\n"
	"    $at = 0\n"
	"    while ($at -lt $b.Length) {\n"
	"      $nl = [Array]::IndexOf($b, [byte]10, $at)\n"
	"      if ($nl -lt 0) { $nl = $b.Length }\n"
	"      $line = $enc.GetString($b, $at, $nl - $at).TrimEnd(\"`r\")\n"
	"      if ($line.IndexOf($A['needle'], [StringComparison]::OrdinalIgnoreCase) -ge 0) {\n"
	"        $keep.Enqueue(@($f, $at, $line))\n"
	"        if ($keep.Count -gt $max) { [void]$keep.Dequeue() }\n"
	"      }\n"
	"      $at = $nl + 1\n"
	"    }\n"
	"  }\n"
	"  Cols 'L' @('File','Offset','Line')\n"
	"  foreach ($r in $keep) { Emit 'L' $r; $n++ }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

/* statmsgs: the SMS 2003 SDK documents single-class queries with full
 * class names; a join with aliases is not confirmed for its provider
 * (sms-domain.md 8.2), so each class is asked on its own and the rows are
 * joined here by RecordID.  The package's record IDs come first, newest
 * first; then a window of `max` of them at a time: the messages, their
 * insertion strings and their DP attribute (404) in that RecordID range,
 * until `max` messages passed the dp filter or the IDs ran out. */
static const char statmsgs_ps[] =
	"$wmi = WmiArgs $A['provider']\n"
	"$wmi['Namespace'] = 'root\\SMS\\site_' + $A['site']\n"
	"[Console]::Out.Write(\"DPDOCTOR 2 statmsgs`n\")\n"
	"function Ask([string]$q) { return @(Get-WmiObject @wmi -Query $q) }\n"
	"try {\n"
	"  # Validated before rendering; checked again because it goes into WQL.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $max = 500\n"
	"  if ($A['max']) { $max = [int]$A['max'] }\n"
	"  # Messages about the package as a whole (no 404) count for a DP when the\n"
	"  # site server sent them: the provider's host, taken to be the site server.\n"
	"  $siteserver = $A['provider']\n"
	"  if (-not $siteserver) { $siteserver = $env:COMPUTERNAME }\n"
	"  $ids = @(Ask (\"SELECT RecordID FROM SMS_StatMsgAttributes WHERE AttributeID = 400 AND \" +\n"
	"               \"AttributeValue = '\" + $A['package'] + \"'\") | ForEach-Object { [int64]$_.RecordID } |\n"
	"          Sort-Object -Descending -Unique)\n"
	"  Cols 'M' @('RecordID','MessageID','Severity','Component','MachineName','Time','InsStrings','DP','Text')\n"
	"  $n = 0\n"
	"  $at = 0\n"
	"  while ($n -lt $max -and $at -lt $ids.Count) {\n"
	"    $win = @($ids[$at..([Math]::Min($at + $max, $ids.Count) - 1)])\n"
	"    $at += $win.Count\n"
	"    $range = ' WHERE RecordID >= ' + $win[$win.Count - 1] + ' AND RecordID <= ' + $win[0]\n"
	"    $want = @{}\n"
	"    foreach ($id in $win) { $want[[string]$id] = $true }\n"
	"    $stat = @{}; $ins = @{}; $dps = @{}\n"
	"    foreach ($s in @(Ask ('SELECT RecordID, MessageID, Severity, Component, MachineName, Time ' +\n"
	"                         'FROM SMS_StatusMessage' + $range))) {\n"
	"      $k = [string]$s.RecordID\n"
	"      if ($want.ContainsKey($k)) { $stat[$k] = $s; $ins[$k] = @{} }\n"
	"    }\n"
	"    foreach ($i in @(Ask ('SELECT RecordID, InsStrIndex, InsStrValue FROM SMS_StatMsgInsStrings' + $range))) {\n"
	"      $k = [string]$i.RecordID\n"
	"      if ($ins.ContainsKey($k) -and $null -ne $i.InsStrIndex) { $ins[$k][[int]$i.InsStrIndex] = [string]$i.InsStrValue }\n"
	"    }\n"
	"    foreach ($d in @(Ask ('SELECT RecordID, AttributeValue FROM SMS_StatMsgAttributes' + $range +\n"
	"                         ' AND AttributeID = 404'))) {\n"
	"      $k = [string]$d.RecordID\n"
	"      if ($stat.ContainsKey($k)) { $dps[$k] = [string]$d.AttributeValue }\n"
	"    }\n"
	"    foreach ($id in $win) {\n"
	"      $k = [string]$id\n"
	"      if (-not $stat.ContainsKey($k)) { continue }\n"
	"      $s = $stat[$k]\n"
	"      $dp = ''\n"
	"      if ($dps.ContainsKey($k)) { $dp = $dps[$k] }\n"
	"      if ($A['dp'] -and $s.MachineName -ne $A['dp'] -and\n"
	"          $dp.IndexOf('\\\\' + $A['dp'] + '\\', [StringComparison]::OrdinalIgnoreCase) -lt 0 -and\n"
	"          ($dp -ne '' -or $s.MachineName -ne $siteserver)) { continue }\n"
	"      $istr = @()\n"
	"      foreach ($x in @($ins[$k].Keys | Sort-Object)) { $istr += $ins[$k][$x].Replace('\\', '\\\\').Replace('|', '\\|') }\n"
	"      # The text needs the components' message DLLs: not formatted here.\n"
	"      Emit 'M' @($s.RecordID, $s.MessageID, $s.Severity, $s.Component, $s.MachineName,\n"
	"                $s.Time, ($istr -join '|'), $dp, '')\n"
	"      $n++\n"
	"      if ($n -ge $max) { break }\n"
	"    }\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

/* shareacl: the share folder's ACL read through .NET (Get-Acl's
 * -LiteralPath is PowerShell 3.0, and its -Path would read [ ] as
 * wildcards), its rules asked for by SID: Administrators is S-1-5-32-544
 * whatever the group is called on a localised Windows.  Names are looked
 * up only for the text a person reads. */
static const char shareacl_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 shareacl`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $wmiq = \"SELECT Path FROM Win32_Share WHERE Name = '\" + $A['share'].Replace(\"'\", \"''\") + \"'\"\n"
	"  $w = WmiArgs $A['server']\n"
	"  $sh = Get-WmiObject @w -Query $wmiq\n"
	"  if ($null -eq $sh) { throw ('no share ' + $A['share'] + ' on ' + $A['server']) }\n"
	"  $unc = '\\\\' + $A['server'] + '\\' + $A['share']\n"
	"  if ($DpdCred) { $why = NetUse $unc; if ($why) { throw $why } }\n"
	"  $acl = [IO.Directory]::GetAccessControl($unc, [Security.AccessControl.AccessControlSections]::Access)\n"
	"  $admins = 'S-1-5-32-544'\n"
	"  $nested = 'no'\n"
	"  $lines = @()\n"
	"  foreach ($r in $acl.GetAccessRules($true, $true, [Security.Principal.SecurityIdentifier])) {\n"
	"    $sid = $r.IdentityReference.Translate([Security.Principal.SecurityIdentifier])\n"
	"    if ($sid.Value -eq $admins -and $r.AccessControlType -eq 'Allow' -and\n"
	"        ($r.InheritanceFlags -band [Security.AccessControl.InheritanceFlags]::ContainerInherit) -and\n"
	"        -not ($r.PropagationFlags -band [Security.AccessControl.PropagationFlags]::NoPropagateInherit)) { $nested = 'yes' }\n"
	"    $who = $sid.Value\n"
	"    try { $who = $sid.Translate([Security.Principal.NTAccount]).Value } catch {}\n"
	"    $lines += ('{0}:{1}:{2}:{3}:{4}' -f $who, $r.AccessControlType, $r.FileSystemRights,\n"
	"               $r.InheritanceFlags, $r.PropagationFlags)\n"
	"  }\n"
	"  Cols 'A' @('Server','Share','Path','Nested','Acl')\n"
	"  Emit 'A' @($A['server'], $A['share'], $sh.Path, $nested, ($lines -join \"`n\"))\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";


/* readfile: one range of a file and its first bytes, as base64.  The file
 * is opened sharing reads and writes, as distmgr holds its log open. */
static const char readfile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 readfile`n\")\n"
	"function ReadAt($fs, [long]$at, [int]$n) {\n"
	"  $b = New-Object byte[] $n\n"
	"  $got = 0\n"
	"  if ($n -gt 0) { [void]$fs.Seek($at, [IO.SeekOrigin]::Begin) }\n"
	"  while ($got -lt $n) { $r = $fs.Read($b, $got, $n - $got); if ($r -le 0) { break }; $got += $r }\n"
	"  if ($got -lt $n) { $c = New-Object byte[] $got; [Array]::Copy($b, $c, $got); $b = $c }\n"
	"  return ,$b\n"
	"}\n"
	"try {\n"
	"  $i = Need $A['path']\n"
	"  $off = [long]$A['offset']\n"
	"  $fs = New-Object IO.FileStream($A['path'], 'Open', 'Read', 'ReadWrite')\n"
	"  try {\n"
	"    $size = $fs.Length\n"
	"    $head = ReadAt $fs 0 ([int][Math]::Min([long]64, $size))\n"
	"    $n = 0\n"
	"    if ($off -lt $size) { $n = [int][Math]::Min([long]$A['max'], $size - $off) }\n"
	"    $data = ReadAt $fs $off $n\n"
	"  } finally { $fs.Close() }\n"
	"  Cols 'B' @('Offset','Size','MTime','Head','Data')\n"
	"  Emit 'B' @($A['offset'], $size, (Iso $i.LastWriteTime), [Convert]::ToBase64String($head),\n"
	"            [Convert]::ToBase64String($data))\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

/* ---- the changing ops ------------------------------------------------------
 * Each refuses a folder where it wants a file and answers one record saying
 * what it did; nothing is changed when an argument or a reach check fails. */

static const char changeprelude_ps[] =
	"function Need([string]$p) {\n"
	"  $why = Reach $p\n"
	"  if ($why) { throw $why }\n"
	"  $i = Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -eq $i) { throw \"$p does not exist\" }\n"
	"  if ($i.PSIsContainer) { throw \"$p is a folder, not a file\" }\n"
	"  return $i\n"
	"}\n";

/* copyfile: a PCK is never read back over the WAN to compare it.  Size
 * and last write time (UTC) first: different, it is copied.  The same,
 * the contents are hashed only when both paths are local to the host
 * running this (a drive path, or \\<this computer>\...), with SHA-256;
 * the managed SHA-256 throws on a host that enforces FIPS, and then, as
 * for a remote path, size and time are the judgement.  Compared says
 * which: sha256, size-time or size-time-fips. */
static const char copyfile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 copyfile`n\")\n"
	"function IsLocal([string]$p) {\n"
	"  if (-not $p.StartsWith('\\\\')) { return $true }\n"
	"  return ($p.Substring(2).Split('\\')[0] -eq $env:COMPUTERNAME)\n"
	"}\n"
	"function Sha256Of($h, [string]$p) {\n"
	"  $fs = New-Object IO.FileStream($p, 'Open', 'Read', 'ReadWrite')\n"
	"  try { return [BitConverter]::ToString($h.ComputeHash($fs)) } finally { $fs.Close() }\n"
	"}\n"
	"try {\n"
	"  $n = 0\n"
	"  foreach ($p in @($A['src'], $A['dst'])) { $why = Reach $p; if ($why) { throw $why } }\n"
	"  $s = Get-Item -LiteralPath $A['src'] -Force\n"
	"  if ($s.PSIsContainer) { throw ($A['src'] + ' is a folder, not a file') }\n"
	"  $d = Get-Item -LiteralPath $A['dst'] -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -ne $d -and $d.PSIsContainer) { throw ($A['dst'] + ' is a folder, not a file') }\n"
	"  $res = 'copied'\n"
	"  $how = 'size-time'\n"
	"  if ($null -ne $d -and $d.Length -eq $s.Length -and $d.LastWriteTimeUtc -eq $s.LastWriteTimeUtc) {\n"
	"    $res = 'identical'\n"
	"    if ((IsLocal $A['src']) -and (IsLocal $A['dst'])) {\n"
	"      $h = $null\n"
	"      try { $h = [Security.Cryptography.SHA256]::Create() } catch { $how = 'size-time-fips' }\n"
	"      if ($null -ne $h) {\n"
	"        $how = 'sha256'\n"
	"        if ((Sha256Of $h $A['src']) -ne (Sha256Of $h $A['dst'])) { $res = 'copied' }\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"  if ($res -eq 'copied') {\n"
	"    # -Force replaces a read-only target, as an administrator's copy would.\n"
	"    Copy-Item -LiteralPath $A['src'] -Destination $A['dst'] -Force\n"
	"  }\n"
	"  $d = Get-Item -LiteralPath $A['dst'] -Force\n"
	"  Cols 'X' @('Source','Dest','Result','SrcSize','DstSize','Compared')\n"
	"  Emit 'X' @($A['src'], $A['dst'], $res, $s.Length, $d.Length, $how)\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char setattr_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 setattr`n\")\n"
	"try {\n"
	"  $i = Need $A['path']\n"
	"  $a = $i.Attributes\n"
	"  $bits = @{ 'readonly' = [IO.FileAttributes]::ReadOnly; 'archive' = [IO.FileAttributes]::Archive }\n"
	"  foreach ($k in @('readonly', 'archive')) {\n"
	"    if ($A[$k] -eq 'set') { $a = $a -bor $bits[$k] }\n"
	"    elseif ($A[$k] -eq 'clear') { $a = $a -band (-bnot $bits[$k]) }\n"
	"  }\n"
	"  if ([int]$a -eq 0) { $a = [IO.FileAttributes]::Normal }\n"
	"  [IO.File]::SetAttributes($A['path'], $a)\n"
	"  $i = Get-Item -LiteralPath $A['path'] -Force\n"
	"  Cols 'A' @('Path','Attrs')\n"
	"  Emit 'A' @($A['path'], ([int]$i.Attributes -band 0x37))\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

static const char deletefile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 deletefile`n\")\n"
	"try {\n"
	"  $why = Reach $A['path']\n"
	"  if ($why) { throw $why }\n"
	"  $res = 'absent'\n"
	"  $i = Get-Item -LiteralPath $A['path'] -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -ne $i) {\n"
	"    if ($i.PSIsContainer) { throw ($A['path'] + ' is a folder, not a file') }\n"
	"    # -Force removes a read-only file too.\n"
	"    Remove-Item -LiteralPath $A['path'] -Force\n"
	"    $res = 'deleted'\n"
	"  }\n"
	"  Cols 'D' @('Path','Result')\n"
	"  Emit 'D' @($A['path'], $res)\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

/* renamefile: .NET's File.Move once the checks pass (Rename-Item's
 * -LiteralPath is PowerShell 3.0, and its -Path reads [ ] as wildcards). */
static const char renamefile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 renamefile`n\")\n"
	"try {\n"
	"  $i = Need $A['path']\n"
	"  $to = [IO.Path]::Combine($i.DirectoryName, $A['newname'])\n"
	"  if (Test-Path -LiteralPath $to) { throw \"$to already exists\" }\n"
	"  [IO.File]::Move($A['path'], $to)\n"
	"  Cols 'N' @('Path','NewPath')\n"
	"  Emit 'N' @($A['path'], $to)\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

/* writefile: one chunk of a copy streamed through this machine, written
 * with .NET's FileStream (Create empties, Open appends at the end it
 * checks); SetLastWriteTimeUtc keeps the source's time, as Copy-Item
 * would.  A read-only file refuses, as Windows refuses any writer. */
static const char writefile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 writefile`n\")\n"
	"try {\n"
	"  $why = Reach $A['path']\n"
	"  if ($why) { throw $why }\n"
	"  $i = Get-Item -LiteralPath $A['path'] -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -ne $i -and $i.PSIsContainer) { throw ($A['path'] + ' is a folder, not a file') }\n"
	"  $off = [long]$A['offset']\n"
	"  $b = [Convert]::FromBase64String($A['data'])\n"
	"  $mode = [IO.FileMode]::Open\n"
	"  if ($off -eq 0) { $mode = [IO.FileMode]::Create }\n"
	"  $fs = New-Object IO.FileStream($A['path'], $mode, [IO.FileAccess]::Write, [IO.FileShare]::None)\n"
	"  try {\n"
	"    if ($fs.Length -ne $off) { throw ('offset ' + $off + ' is not the end of ' + $A['path'] + ' (' + $fs.Length + ' bytes)') }\n"
	"    [void]$fs.Seek($off, [IO.SeekOrigin]::Begin)\n"
	"    $fs.Write($b, 0, $b.Length)\n"
	"    $size = $fs.Length\n"
	"  } finally { $fs.Close() }\n"
	"  if ($A['mtime']) {\n"
	"    $t = [DateTime]::Parse($A['mtime'], $Inv, [Globalization.DateTimeStyles]::AdjustToUniversal)\n"
	"    [IO.File]::SetLastWriteTimeUtc($A['path'], $t)\n"
	"  }\n"
	"  Cols 'W' @('Path','Size')\n"
	"  Emit 'W' @($A['path'], $size)\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

/* preload: PreloadPkgOnSite.exe runs on the child's site server, never
 * through WinRM (Server 2003 has none).  via "local": this host is that
 * server (its own ssh transport) and runs the tool itself.  via "wmi": it
 * is started there with Win32_Process.Create over DCOM, its output sent
 * to two files in the server's SMS folder (cmd.exe's redirection: a
 * process started that way has no console to read), the process id
 * watched until it leaves Win32_Process (at most wait seconds), the files
 * read back over the admin share and removed.  The exe argument (the
 * server's preload_exe) is used as given; without it the tool is looked
 * for in the known folders, in order, read from the server's own registry,
 * and when none has it the op fails naming every place it looked rather
 * than running a guess. */
static const char preload_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 preload`n\")\n"
	"$Srv = $A['server']\n"
	"$Remote = $A['via'] -eq 'wmi'\n"
	"# A path as the server names it (E:\\SMS), as this host reaches it: itself,\n"
	"# or over the server's admin share (\\\\SERVER\\E$\\SMS).\n"
	"function OnServer([string]$p) {\n"
	"  if (-not $Remote) { return $p }\n"
	"  $u = '\\\\' + $Srv + '\\' + $p.Substring(0, 1) + '$' + $p.Substring(2)\n"
	"  if ($DpdCred) { $why = NetUse $u; if ($why) { throw $why } }\n"
	"  return $u\n"
	"}\n"
	"function RegValue($reg, [string]$key, [string]$name) {\n"
	"  $r = $reg.GetStringValue(2147483650, $key, $name)\n"
	"  if ($r.ReturnValue -eq 0) { return [string]$r.sValue }\n"
	"  return $null\n"
	"}\n"
	"# PreloadPkgOnSite.exe: the server's preload_exe when set, else the first\n"
	"# known folder that has it; when none has it, the error names them all.\n"
	"function FindExe() {\n"
	"  if ($A['exe']) {\n"
	"    if (-not (Test-Path -LiteralPath (OnServer $A['exe']) -PathType Leaf)) {\n"
	"      throw ($A['exe'] + ' not found on ' + $Srv + ' (the preload_exe set for this server)')\n"
	"    }\n"
	"    return $A['exe']\n"
	"  }\n"
	"  $reg = WmiClass $Srv 'root\\default' 'StdRegProv'\n"
	"  $look = @()\n"
	"  $sms = $A['smsdir']\n"
	"  foreach ($k in @('SOFTWARE\\Microsoft\\SMS\\Identification',\n"
	"                   'SOFTWARE\\Wow6432Node\\Microsoft\\SMS\\Identification')) {\n"
	"    if (-not $sms) { $sms = RegValue $reg $k 'Installation Directory' }\n"
	"  }\n"
	"  if ($sms) { $look += [IO.Path]::Combine($sms, 'bin\\i386') }\n"
	"  $said = @($look)\n"
	"  if (-not $sms) { $said += 'the SMS install folder (HKLM\\SOFTWARE\\Microsoft\\SMS\\Identification has no Installation Directory)' }\n"
	"  $pf = @()\n"
	"  foreach ($name in @('ProgramFilesDir', 'ProgramFilesDir (x86)')) {\n"
	"    $d = RegValue $reg 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion' $name\n"
	"    if ($d) { $pf += $d }\n"
	"  }\n"
	"  # UNCONFIRMED: the default install folders of the SMS 2003 Toolkit 2 and\n"
	"  # of the ConfigMgr 2007 Toolkit V2 (no published source found).\n"
	"  foreach ($t in @('SMS 2003 Toolkit 2', 'ConfigMgr 2007 Toolkit V2\\ServerTools')) {\n"
	"    foreach ($p in $pf) { $d = [IO.Path]::Combine($p, $t); $look += $d; $said += $d }\n"
	"  }\n"
	"  foreach ($d in $look) {\n"
	"    $c = [IO.Path]::Combine($d, 'PreloadPkgOnSite.exe')\n"
	"    if (Test-Path -LiteralPath (OnServer $c) -PathType Leaf) { return $c }\n"
	"  }\n"
	"  throw ('PreloadPkgOnSite.exe not found on ' + $Srv + '; looked in: ' + ($said -join '; ') + ' (set preload_exe for this server)')\n"
	"}\n"
	"# Win32_Process.Create's return values (Win32_Process documentation).\n"
	"$CreateWhy = @{ 2 = 'access denied'; 3 = 'insufficient privilege'; 8 = 'unknown failure';\n"
	"                9 = 'path not found'; 21 = 'invalid parameter' }\n"
	"function RunWmi([string]$exe) {\n"
	"  $dir = $A['smsdir']\n"
	"  if (-not $dir) { throw 'preload via wmi needs the server''s SMS folder (smsdir)' }\n"
	"  # cmd.exe expands % and (with /v:on) ! even inside quotes.\n"
	"  foreach ($p in @($exe, $dir)) {\n"
	"    if ($p.IndexOfAny([char[]]'%!') -ge 0) { throw ($p + ' holds % or !, which cmd.exe would expand') }\n"
	"  }\n"
	"  $tag = 'dpdoctor-preload-' + $A['package'] + '-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)\n"
	"  $out = [IO.Path]::Combine($dir, $tag + '.out')\n"
	"  $rcf = [IO.Path]::Combine($dir, $tag + '.rc')\n"
	"  $cmd = 'cmd.exe /v:on /c \"\"' + $exe + '\" ' + $A['package'] + ' > \"' + $out + '\" 2>&1 & echo !errorlevel! > \"' + $rcf + '\"\"'\n"
	"  $pc = WmiClass $Srv 'root\\cimv2' 'Win32_Process'\n"
	"  $r = $pc.Create($cmd, $dir, $null)\n"
	"  if ($r.ReturnValue -ne 0) {\n"
	"    $why = $CreateWhy[[int]$r.ReturnValue]\n"
	"    if (-not $why) { $why = 'Win32 error ' + $r.ReturnValue }\n"
	"    throw ('Win32_Process.Create on ' + $Srv + ' failed: ' + $why + ' (' + $r.ReturnValue + ')')\n"
	"  }\n"
	"  $procid = $r.ProcessId\n"
	"  $wait = 600\n"
	"  if ($A['wait']) { $wait = [int]$A['wait'] }\n"
	"  $w = WmiArgs $Srv\n"
	"  $t0 = Get-Date\n"
	"  while (@(Get-WmiObject @w -Class Win32_Process -Filter ('ProcessId = ' + $procid)).Count -gt 0) {\n"
	"    if (((Get-Date) - $t0).TotalSeconds -ge $wait) {\n"
	"      throw ('PreloadPkgOnSite.exe on ' + $Srv + ' (pid ' + $procid + ') still running after ' + $wait + ' s; its output will be in ' + $out)\n"
	"    }\n"
	"    Start-Sleep -Seconds 2\n"
	"  }\n"
	"  $oem = [Text.Encoding]::GetEncoding([Globalization.CultureInfo]::CurrentCulture.TextInfo.OEMCodePage)\n"
	"  $uo = OnServer $out\n"
	"  $ur = OnServer $rcf\n"
	"  if (-not (Test-Path -LiteralPath $ur -PathType Leaf)) { throw ('PreloadPkgOnSite.exe on ' + $Srv + ' ended without writing ' + $rcf) }\n"
	"  $text = ''\n"
	"  if (Test-Path -LiteralPath $uo -PathType Leaf) { $text = [IO.File]::ReadAllText($uo, $oem) }\n"
	"  $code = [int]([IO.File]::ReadAllText($ur).Trim())\n"
	"  Remove-Item -LiteralPath $uo -Force -ErrorAction SilentlyContinue\n"
	"  Remove-Item -LiteralPath $ur -Force -ErrorAction SilentlyContinue\n"
	"  return @{ Lines = @($text -split \"`r?`n\"); Code = $code;\n"
	"           Detail = 'Win32_Process.Create on ' + $Srv + ' from ' + $env:COMPUTERNAME + ', pid ' + $procid }\n"
	"}\n"
	"function RunLocal([string]$exe) {\n"
	"  # A native program's stderr through 2>&1 must not stop the script.\n"
	"  $ErrorActionPreference = 'Continue'\n"
	"  $lines = @(& $exe $A['package'] 2>&1 | ForEach-Object { [string]$_ })\n"
	"  return @{ Lines = $lines; Code = $LASTEXITCODE; Detail = 'run on ' + $env:COMPUTERNAME }\n"
	"}\n"
	"try {\n"
	"  # Validated before rendering; checked again because it goes on a command line.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $exe = FindExe\n"
	"  if ($Remote) { $r = RunWmi $exe } else { $r = RunLocal $exe }\n"
	"  Cols 'H' @('Via','Detail')\n"
	"  Emit 'H' @($A['via'], $r.Detail)\n"
	"  $n = 1\n"
	"  Cols 'O' @('Line')\n"
	"  $lines = @($r.Lines)\n"
	"  # The output's last line break leaves an empty last line: not a line.\n"
	"  $last = $lines.Count\n"
	"  while ($last -gt 0 -and [string]$lines[$last - 1] -eq '') { $last-- }\n"
	"  for ($i = 0; $i -lt $last; $i++) {\n"
	"    if ($null -eq $lines[$i]) { continue }\n"
	"    foreach ($x in ([string]$lines[$i] -split \"`r?`n\")) { Emit 'O' @($x); $n++ }\n"
	"  }\n"
	"  Cols 'X' @('ExitCode')\n"
	"  Emit 'X' @($r.Code)\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

/* The SMS provider leaves lazy properties null in query results, and
 * Put() on such an instance writes them back as null (SMS SDK, "Lazy
 * properties"): the instance is read again whole (Get(), which keeps the
 * connection's credential, as a [wmi] path would not) before it changes. */
static const char refreshnow_ps[] =
	"$wmi = WmiArgs $A['provider']\n"
	"$wmi['Namespace'] = 'root\\SMS\\site_' + $A['site']\n"
	"[Console]::Out.Write(\"DPDOCTOR 2 refreshnow`n\")\n"
	"try {\n"
	"  # Validated before rendering; checked again because they go into WQL.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  if ($A['dp'] -cnotmatch '^[A-Za-z0-9.-]+$') { throw 'bad server name' }\n"
	"  $q = \"SELECT * FROM SMS_DistributionPoint WHERE PackageID = '\" + $A['package'] +\n"
	"       \"' AND ServerNALPath LIKE '%\\\\\\\\\" + $A['dp'] + \"\\\\%'\"\n"
	"  Cols 'R' @('PackageID','ServerNALPath')\n"
	"  $n = 0\n"
	"  foreach ($found in @(Get-WmiObject @wmi -Query $q)) {\n"
	"    $dp = $found\n"
	"    $dp.Get()\n"
	"    $dp.RefreshNow = $true\n"
	"    [void]$dp.Put()\n"
	"    Emit 'R' @($dp.PackageID, $dp.ServerNALPath)\n"
	"    $n++\n"
	"  }\n"
	"  if ($n -eq 0) { throw ('package ' + $A['package'] + ' is not on distribution point ' + $A['dp']) }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char setsourcepath_ps[] =
	"$wmi = WmiArgs $A['provider']\n"
	"$wmi['Namespace'] = 'root\\SMS\\site_' + $A['site']\n"
	"[Console]::Out.Write(\"DPDOCTOR 2 setsourcepath`n\")\n"
	"try {\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $found = Get-WmiObject @wmi -Query (\"SELECT * FROM SMS_Package WHERE PackageID = '\" + $A['package'] + \"'\")\n"
	"  if ($null -eq $found) { throw ('no package ' + $A['package']) }\n"
	"  # The whole instance, lazy properties too, before Put() (see refreshnow).\n"
	"  $p = $found\n"
	"  $p.Get()\n"
	"  $old = $p.PkgSourcePath\n"
	"  $p.PkgSourcePath = $A['path']\n"
	"  [void]$p.Put()\n"
	"  Cols 'S' @('PackageID','OldPath','NewPath')\n"
	"  Emit 'S' @($A['package'], $old, $A['path'])\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

/* Every script may reach another server (a provider, a layout or preload
 * target): WmiArgs gives a WMI call -ComputerName and, when the credential
 * bootstrap set $DpdCred (winenc.h), -Credential, by splatting; never for
 * this host, since Windows refuses a credential on a local connection.
 * UNC paths on other servers are connected with the credential by NetUse,
 * which the credential bootstrap itself defines (winenc.c): only a script
 * run with a credential needs it, and this text is in every script.  Kept
 * short: see the prelude. */
static const char netprelude_ps[] =
	"function IsHere([string]$s) { return (-not $s -or $s -eq '.' -or $s -eq 'localhost' -or $s.Split('.')[0] -eq $env:COMPUTERNAME) }\n"
	"function WmiArgs([string]$s) {\n"
	"  $w = @{}\n"
	"  if (-not (IsHere $s)) { $w['ComputerName'] = $s; if ($DpdCred) { $w['Credential'] = $DpdCred } }\n"
	"  return $w\n"
	"}\n";

/* A WMI class on a server, for its static methods (StdRegProv,
 * Win32_Process): [wmiclass]"\\\\SERVER\\ns:class", or this host's own;
 * [wmiclass] cannot carry a credential, so with $DpdCred the class comes
 * from Get-WmiObject -List, which can. */
static const char wmiclass_ps[] =
	"function WmiClass([string]$s, [string]$ns, [string]$cls) {\n"
	"  if ((IsHere $s) -or -not $DpdCred) {\n"
	"    $at = ''\n"
	"    if (-not (IsHere $s)) { $at = '\\\\' + $s + '\\' }\n"
	"    return [wmiclass]($at + $ns + ':' + $cls)\n"
	"  }\n"
	"  $w = WmiArgs $s\n"
	"  $c = @(Get-WmiObject @w -Namespace $ns -List | Where-Object { $_.Name -eq $cls })\n"
	"  if ($c.Count -eq 0) { throw ('no WMI class ' + $cls + ' in ' + $ns + ' on ' + $s) }\n"
	"  return $c[0]\n"
	"}\n";

/* sites: every SMS_Site row the provider knows (this site, its child
 * sites), asked of the provider as status asks it. */
static const char sites_ps[] =
	"$wmi = WmiArgs $A['provider']\n"
	"$wmi['Namespace'] = 'root\\SMS\\site_' + $A['site']\n"
	"[Console]::Out.Write(\"DPDOCTOR 2 sites`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  Cols 'T' @('SiteCode','SiteName','ServerName','ReportingSiteCode','Type','InstallDir')\n"
	"  foreach ($s in @(Get-WmiObject @wmi -Class SMS_Site)) {\n"
	"    Emit 'T' @($s.SiteCode, $s.SiteName, $s.ServerName, $s.ReportingSiteCode, $s.Type, $s.InstallDir)\n"
	"    $n++\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

/* layout: where SMS lives on a server, from its registry (StdRegProv over
 * WMI: the remote registry without the Remote Registry service's named
 * pipe) and its shares (Win32_Share).  Local WMI when the server is this
 * host (Windows refuses a credential on a local connection). */
static const char layout_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 2 layout`n\")\n"
	"function RegString($reg, [string]$key, [string]$name) {\n"
	"  $r = $reg.GetStringValue(2147483650, $key, $name)\n"
	"  if ($r.ReturnValue -eq 0) { return [string]$r.sValue }\n"
	"  # 2 is ERROR_FILE_NOT_FOUND: no such key or value.\n"
	"  if ($r.ReturnValue -eq 2) { return $null }\n"
	"  throw ('StdRegProv.GetStringValue of HKLM\\' + $key + ' returned ' + $r.ReturnValue)\n"
	"}\n"
	"try {\n"
	"  $n = 0\n"
	"  $s = $A['server']\n"
	"  Cols 'Y' @('Source','Name','Value','Error')\n"
	"  # Each source on its own: one that cannot be read is a row saying why.\n"
	"  try {\n"
	"    $reg = WmiClass $s 'root\\default' 'StdRegProv'\n"
	"    $v = $null\n"
	"    foreach ($k in @('SOFTWARE\\Microsoft\\SMS\\Identification',\n"
	"                     'SOFTWARE\\Wow6432Node\\Microsoft\\SMS\\Identification')) {\n"
	"      if ($null -eq $v) { $v = RegString $reg $k 'Installation Directory' }\n"
	"    }\n"
	"    Emit 'Y' @('registry', 'Installation Directory', [string]$v, '')\n"
	"  } catch { Emit 'Y' @('registry', '', '', $_.Exception.Message) }\n"
	"  $n++\n"
	"  try {\n"
	"    $w = WmiArgs $s\n"
	"    foreach ($sh in @(Get-WmiObject @w -Class Win32_Share)) {\n"
	"      Emit 'Y' @('share', $sh.Name, $sh.Path, '')\n"
	"      $n++\n"
	"    }\n"
	"  } catch { Emit 'Y' @('share', '', '', $_.Exception.Message); $n++ }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const struct {
	const char *extra;   /* helpers after the prelude, or NULL */
	const char *more;    /* more helpers after those, or NULL */
	const char *body;
} op_scripts[] = {
	[OP_STATUS] = { NULL, NULL, status_body },
	[OP_PATHINFO] = { fileprelude_ps, NULL, pathinfo_ps },
	[OP_DIRLIST] = { fileprelude_ps, NULL, dirlist_ps },
	[OP_LOGGREP] = { fileprelude_ps, NULL, loggrep_ps },
	[OP_STATMSGS] = { fileprelude_ps, NULL, statmsgs_ps },
	[OP_SHAREACL] = { fileprelude_ps, NULL, shareacl_ps },
	/* Need (a file, not a folder, or why not) comes with the changing ops'
	 * helpers; readfile changes nothing. */
	[OP_READFILE] = { fileprelude_ps, changeprelude_ps, readfile_ps },
	[OP_COPYFILE] = { fileprelude_ps, changeprelude_ps, copyfile_ps },
	[OP_SETATTR] = { fileprelude_ps, changeprelude_ps, setattr_ps },
	[OP_DELETEFILE] = { fileprelude_ps, changeprelude_ps, deletefile_ps },
	[OP_RENAMEFILE] = { fileprelude_ps, changeprelude_ps, renamefile_ps },
	[OP_PRELOAD] = { fileprelude_ps, wmiclass_ps, preload_ps },
	[OP_REFRESHNOW] = { fileprelude_ps, NULL, refreshnow_ps },
	[OP_SETSOURCEPATH] = { fileprelude_ps, NULL, setsourcepath_ps },
	[OP_WRITEFILE] = { fileprelude_ps, changeprelude_ps, writefile_ps },
	[OP_SITES] = { fileprelude_ps, NULL, sites_ps },
	[OP_LAYOUT] = { fileprelude_ps, wmiclass_ps, layout_ps },
};

static const char header_fmt[] = "# dpdoctor op=%s v=1\n";

static void
render_quoted(struct buf *b, const char *v)
{
	buf_addc(b, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *v);
	}
	buf_addc(b, '\'');
}

char *
ops_render(const struct op *op, char **err)
{
	if (ops_check(op, err) != 0)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, header_fmt, op_name(op->kind));
	buf_adds(&b, "$A = @{}\n");
	const char *key;
	for (size_t i = 0; (key = op_arg_key(op->kind, i)) != NULL; i++) {
		const char *v = op_arg(op, key);
		buf_printf(&b, "$A['%s'] = ", key);
		render_quoted(&b, v ? v : "");
		buf_addc(&b, '\n');
	}
	buf_adds(&b, prelude);
	buf_adds(&b, netprelude_ps);
	if (op_scripts[op->kind].extra != NULL)
		buf_adds(&b, op_scripts[op->kind].extra);
	if (op_scripts[op->kind].more != NULL)
		buf_adds(&b, op_scripts[op->kind].more);
	buf_adds(&b, op_scripts[op->kind].body);
	return buf_detach(&b);
}

/* Read one `$A['key'] = '<value>'` line; returns the end of the line. */
static const char *
parse_arg_line(const char *s, char **key, char **value)
{
	const char *eol = s + strcspn(s, "\n");
	*key = *value = NULL;
	if (strncmp(s, "$A['", 4) != 0)
		return eol;
	const char *k = s + 4, *ke = strchr(k, '\'');
	if (ke == NULL || ke > eol || strncmp(ke, "'] = '", 6) != 0)
		return eol;
	struct buf v;
	buf_init(&v);
	const char *p = ke + 6;
	for (; p < eol; p++) {
		if (*p == '\'' && p + 1 < eol && p[1] == '\'') {
			buf_addc(&v, '\'');
			p++;
		} else if (*p == '\'') {
			break;
		} else {
			buf_addc(&v, *p);
		}
	}
	if (p >= eol || p + 1 != eol - (eol > p + 1 && eol[-1] == '\r')) {
		buf_free(&v);
		return eol;
	}
	*key = xstrndup(k, (size_t)(ke - k));
	*value = buf_detach(&v);
	return eol;
}

int
ops_parse(const char *script, struct op *op, char **storage, char **err)
{
	memset(op, 0, sizeof *op);
	*storage = NULL;
	char name[32];
	int end = 0;
	if (sscanf(script, "# dpdoctor op=%31s v=1%n", name, &end) != 1 || end == 0 ||
	    (script[end] != '\n' && script[end] != '\r')) {
		err_set(err, "not a dpdoctor script (no op header)");
		return -1;
	}
	int k = op_from_name(name);
	if (k < 0) {
		err_set(err, "unknown op \"%s\"", name);
		return -1;
	}
	op->kind = (enum op_kind)k;
	/* Keys and values are kept in one buffer of NUL-separated strings;
	 * offsets are turned into pointers once it stops growing. */
	struct buf st;
	buf_init(&st);
	size_t offs[OP_MAX_ARGS][2];
	for (const char *s = strchr(script, '\n'); s && *s; ) {
		s++;
		if (strncmp(s, "$A['", 4) != 0) {
			if (strncmp(s, "$A = @{}", 8) == 0) {
				s = strchr(s, '\n');
				continue;
			}
			break;
		}
		char *key, *value;
		s = parse_arg_line(s, &key, &value);
		if (key == NULL || op->nargs == OP_MAX_ARGS) {
			err_set(err, key == NULL ? "malformed argument line in script" :
			    "more than %d arguments in script", OP_MAX_ARGS);
			free(key);   /* found by tests/fuzz/fuzz_ops.c */
			free(value);
			buf_free(&st);
			return -1;
		}
		offs[op->nargs][0] = st.len;
		buf_add(&st, key, strlen(key) + 1);
		offs[op->nargs][1] = st.len;
		buf_add(&st, value, strlen(value) + 1);
		op->nargs++;
		free(key);
		free(value);
	}
	*storage = buf_detach(&st);
	for (size_t i = 0; i < op->nargs; i++)
		op->args[i] = (struct op_arg){ *storage + offs[i][0], *storage + offs[i][1] };
	return 0;
}
