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
 * records (they corrupt output over SSH), UTF-8 out, protocol writers. */
static const char prelude[] =
	"$ErrorActionPreference = 'Stop'\n"
	"$ProgressPreference = 'SilentlyContinue'\n"
	"[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false\n"
	"function Esc($s) {\n"
	"  if ($null -eq $s) { return '' }\n"
	"  $s = ([string]$s).Replace('\\', '\\\\').Replace(\"`t\", '\\t').Replace(\"`n\", '\\n').Replace(\"`r\", '\\r')\n"
	"  return [regex]::Replace($s, '[\\x00-\\x1f\\x7f]', { param($m) '\\x{0:X2}' -f [int][char]$m.Value })\n"
	"}\n"
	"function Emit([string]$t, [object[]]$v) {\n"
	"  [Console]::Out.Write($t + \"`t\" + ((@($v) | ForEach-Object { Esc $_ }) -join \"`t\") + \"`n\")\n"
	"}\n"
	"function Cols([string]$t, [string[]]$c) { Emit 'COLS' (@($t) + $c) }\n"
	"$Inv = [Globalization.CultureInfo]::InvariantCulture\n"
	"function WmiTime($w) {\n"
	"  if (-not $w) { return '' }\n"
	"  return [Management.ManagementDateTimeConverter]::ToDateTime($w).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $Inv)\n"
	"}\n";

static const char status_body[] =
	"$wmi = @{ Namespace = 'root\\SMS\\site_' + $A['site'] }\n"
	"if ($A['provider']) { $wmi['ComputerName'] = $A['provider'] }\n"
	"[Console]::Out.Write(\"DPDOCTOR 1 status`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  # One package only, when asked: validated before rendering, checked\n"
	"  # again because it goes into WQL.\n"
	"  $where = ''\n"
	"  if ($A['package']) {\n"
	"    if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"    $where = \" WHERE PackageID = '\" + $A['package'] + \"'\"\n"
	"  }\n"
	"  $pc = @('PackageID','Name','Manufacturer','Version','Language','PkgSourcePath',\n"
	"          'SourceVersion','StoredPkgVersion','StoredPkgPath','SourceSite','SourceDate')\n"
	"  Cols 'P' $pc\n"
	"  foreach ($p in Get-WmiObject @wmi -Query ('SELECT ' + ($pc -join ',') + ' FROM SMS_Package' + $where)) {\n"
	"    Emit 'P' @($p.PackageID, $p.Name, $p.Manufacturer, $p.Version, $p.Language, $p.PkgSourcePath,\n"
	"              $p.SourceVersion, $p.StoredPkgVersion, $p.StoredPkgPath, $p.SourceSite, (WmiTime $p.SourceDate))\n"
	"    $n++\n"
	"  }\n"
	"  Cols 'C' @('PackageID','ServerNALPath','SiteCode','State','SourceVersion','LastCopied','SummaryDate')\n"
	"  foreach ($c in Get-WmiObject @wmi -Query ('SELECT * FROM SMS_PackageStatusDistPointsSummarizer' + $where)) {\n"
	"    Emit 'C' @($c.PackageID, $c.ServerNALPath, $c.SiteCode, $c.State, $c.SourceVersion,\n"
	"              (WmiTime $c.LastCopied), (WmiTime $c.SummaryDate))\n"
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
	"[Console]::Out.Write(\"DPDOCTOR 1 pathinfo`n\")\n"
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
	"[Console]::Out.Write(\"DPDOCTOR 1 dirlist`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $why = Reach $A['dir']\n"
	"  if ($why) { throw $why }\n"
	"  Cols 'F' @('Path','Exists','IsDir','Size','MTime','Attrs','Version','Error','Name','PackageID')\n"
	"  if (Test-Path -LiteralPath $A['dir'] -PathType Container) {\n"
	"    foreach ($i in Get-ChildItem -LiteralPath $A['dir'] -Filter $A['pattern'] -Force | Sort-Object Name) {\n"
	"      # Replicated package files are binary; the package they name is not\n"
	"      # read here (PackageID stays empty).\n"
	"      Emit 'F' ((FileRow $i.FullName $i) + @($i.Name, ''))\n"
	"      $n++\n"
	"    }\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char loggrep_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 loggrep`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $why = Reach $A['log']\n"
	"  if ($why) { throw $why }\n"
	"  $max = 2000\n"
	"  if ($A['max']) { $max = [int]$A['max'] }\n"
	"  $keep = New-Object 'System.Collections.Generic.Queue[object]'\n"
	"  $enc = [Text.Encoding]::Default\n"
	"  $files = @(($A['log'] -replace '\\.log$', '.lo_'), $A['log'])\n"
	"  foreach ($f in $files) {\n"
	"    if (-not (Test-Path -LiteralPath $f -PathType Leaf)) { continue }\n"
	"    # distmgr holds the log open: share it for reading and writing.\n"
	"    $fs = New-Object IO.FileStream($f, 'Open', 'Read', 'ReadWrite')\n"
	"    try { $ms = New-Object IO.MemoryStream; $fs.CopyTo($ms); $b = $ms.ToArray() } finally { $fs.Close() }\n"
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

static const char statmsgs_ps[] =
	"$wmi = @{ Namespace = 'root\\SMS\\site_' + $A['site'] }\n"
	"if ($A['provider']) { $wmi['ComputerName'] = $A['provider'] }\n"
	"[Console]::Out.Write(\"DPDOCTOR 1 statmsgs`n\")\n"
	"try {\n"
	"  # Validated before rendering; checked again because it goes into WQL.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $max = 500\n"
	"  if ($A['max']) { $max = [int]$A['max'] }\n"
	"  $q = \"SELECT stat.RecordID, stat.MessageID, stat.Severity, stat.Component, stat.MachineName, \" +\n"
	"       \"stat.Time, ins.InsStrIndex, ins.InsStrValue FROM SMS_StatusMessage AS stat \" +\n"
	"       \"LEFT JOIN SMS_StatMsgInsStrings AS ins ON stat.RecordID = ins.RecordID \" +\n"
	"       \"JOIN SMS_StatMsgAttributes AS att ON stat.RecordID = att.RecordID \" +\n"
	"       \"WHERE att.AttributeID = 400 AND att.AttributeValue = '\" + $A['package'] + \"' \" +\n"
	"       \"ORDER BY stat.RecordID DESC\"\n"
	"  $msgs = @{}\n"
	"  foreach ($r in Get-WmiObject @wmi -Query $q) {\n"
	"    $id = [string]$r.stat.RecordID\n"
	"    if (-not $msgs.ContainsKey($id)) {\n"
	"      $msgs[$id] = @{ S = $r.stat; I = @{}; DP = '' }\n"
	"    }\n"
	"    if ($null -ne $r.ins -and $null -ne $r.ins.InsStrIndex) { $msgs[$id].I[[int]$r.ins.InsStrIndex] = [string]$r.ins.InsStrValue }\n"
	"  }\n"
	"  $q = \"SELECT dp.RecordID, dp.AttributeValue FROM SMS_StatMsgAttributes AS dp \" +\n"
	"       \"JOIN SMS_StatMsgAttributes AS att ON dp.RecordID = att.RecordID \" +\n"
	"       \"WHERE dp.AttributeID = 404 AND att.AttributeID = 400 AND att.AttributeValue = '\" + $A['package'] + \"'\"\n"
	"  foreach ($r in Get-WmiObject @wmi -Query $q) {\n"
	"    $id = [string]$r.dp.RecordID\n"
	"    if ($msgs.ContainsKey($id)) { $msgs[$id].DP = [string]$r.dp.AttributeValue }\n"
	"  }\n"
	"  Cols 'M' @('RecordID','MessageID','Severity','Component','MachineName','Time','InsStrings','DP','Text')\n"
	"  $n = 0\n"
	"  foreach ($m in ($msgs.Values | Sort-Object { [int64]$_.S.RecordID } -Descending)) {\n"
	"    $s = $m.S\n"
	"    if ($A['dp'] -and $s.MachineName -ne $A['dp'] -and\n"
	"        $m.DP.IndexOf('\\\\' + $A['dp'] + '\\', [StringComparison]::OrdinalIgnoreCase) -lt 0) { continue }\n"
	"    $ins = @()\n"
	"    foreach ($k in ($m.I.Keys | Sort-Object)) { $ins += $m.I[$k].Replace('\\', '\\\\').Replace('|', '\\|') }\n"
	"    # The text needs the components' message DLLs: not formatted here.\n"
	"    Emit 'M' @($s.RecordID, $s.MessageID, $s.Severity, $s.Component, $s.MachineName,\n"
	"              (WmiTime $s.Time), ($ins -join '|'), $m.DP, '')\n"
	"    $n++\n"
	"    if ($n -ge $max) { break }\n"
	"  }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char shareacl_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 shareacl`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  $wmiq = \"SELECT Path FROM Win32_Share WHERE Name = '\" + $A['share'].Replace(\"'\", \"''\") + \"'\"\n"
	"  $sh = Get-WmiObject -ComputerName $A['server'] -Query $wmiq\n"
	"  if ($null -eq $sh) { throw ('no share ' + $A['share'] + ' on ' + $A['server']) }\n"
	"  $unc = '\\\\' + $A['server'] + '\\' + $A['share']\n"
	"  $acl = Get-Acl -LiteralPath $unc\n"
	"  $admin = 'BUILTIN\\Administrators'\n"
	"  $nested = 'no'\n"
	"  foreach ($r in $acl.Access) {\n"
	"    if ($r.IdentityReference.Value -eq $admin -and $r.AccessControlType -eq 'Allow' -and\n"
	"        ($r.InheritanceFlags -band [Security.AccessControl.InheritanceFlags]::ContainerInherit) -and\n"
	"        -not ($r.PropagationFlags -band [Security.AccessControl.PropagationFlags]::NoPropagateInherit)) { $nested = 'yes' }\n"
	"  }\n"
	"  $text = ($acl.Access | ForEach-Object { '{0}:{1}:{2}:{3}:{4}' -f $_.IdentityReference, $_.AccessControlType,\n"
	"           $_.FileSystemRights, $_.InheritanceFlags, $_.PropagationFlags }) -join \"`n\"\n"
	"  Cols 'A' @('Server','Share','Path','Nested','Acl')\n"
	"  Emit 'A' @($A['server'], $A['share'], $sh.Path, $nested, $text)\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";


/* readfile: one range of a file and its first bytes, as base64.  The file
 * is opened sharing reads and writes, as distmgr holds its log open. */
static const char readfile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 readfile`n\")\n"
	"function ReadAt($fs, [long]$at, [int]$n) {\n"
	"  $b = New-Object byte[] $n\n"
	"  $got = 0\n"
	"  if ($n -gt 0) { [void]$fs.Seek($at, [IO.SeekOrigin]::Begin) }\n"
	"  while ($got -lt $n) { $r = $fs.Read($b, $got, $n - $got); if ($r -le 0) { break }; $got += $r }\n"
	"  if ($got -lt $n) { [Array]::Resize([ref]$b, $got) }\n"
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
	"function Digest([string]$p) {\n"
	"  $md5 = [Security.Cryptography.MD5]::Create()\n"
	"  $fs = New-Object IO.FileStream($p, 'Open', 'Read', 'ReadWrite')\n"
	"  try { return [BitConverter]::ToString($md5.ComputeHash($fs)) } finally { $fs.Close() }\n"
	"}\n"
	"function Need([string]$p) {\n"
	"  $why = Reach $p\n"
	"  if ($why) { throw $why }\n"
	"  $i = Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -eq $i) { throw \"$p does not exist\" }\n"
	"  if ($i.PSIsContainer) { throw \"$p is a folder, not a file\" }\n"
	"  return $i\n"
	"}\n";

static const char copyfile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 copyfile`n\")\n"
	"try {\n"
	"  $n = 0\n"
	"  foreach ($p in @($A['src'], $A['dst'])) { $why = Reach $p; if ($why) { throw $why } }\n"
	"  $s = Get-Item -LiteralPath $A['src'] -Force\n"
	"  if ($s.PSIsContainer) { throw ($A['src'] + ' is a folder, not a file') }\n"
	"  $d = Get-Item -LiteralPath $A['dst'] -Force -ErrorAction SilentlyContinue\n"
	"  if ($null -ne $d -and $d.PSIsContainer) { throw ($A['dst'] + ' is a folder, not a file') }\n"
	"  $res = 'copied'\n"
	"  if ($null -ne $d -and $d.Length -eq $s.Length -and (Digest $A['src']) -eq (Digest $A['dst'])) {\n"
	"    $res = 'identical'\n"
	"  } else {\n"
	"    # -Force replaces a read-only target, as an administrator's copy would.\n"
	"    Copy-Item -LiteralPath $A['src'] -Destination $A['dst'] -Force\n"
	"  }\n"
	"  $d = Get-Item -LiteralPath $A['dst'] -Force\n"
	"  Cols 'X' @('Source','Dest','Result','SrcSize','DstSize')\n"
	"  Emit 'X' @($A['src'], $A['dst'], $res, $s.Length, $d.Length)\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char setattr_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 setattr`n\")\n"
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
	"[Console]::Out.Write(\"DPDOCTOR 1 deletefile`n\")\n"
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

static const char renamefile_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 renamefile`n\")\n"
	"try {\n"
	"  $i = Need $A['path']\n"
	"  $to = Join-Path $i.DirectoryName $A['newname']\n"
	"  if (Test-Path -LiteralPath $to) { throw \"$to already exists\" }\n"
	"  Rename-Item -LiteralPath $A['path'] -NewName $A['newname'] -Force\n"
	"  Cols 'N' @('Path','NewPath')\n"
	"  Emit 'N' @($A['path'], $to)\n"
	"  Done 1\n"
	"} catch { Fail $_ }\n";

static const char preload_ps[] =
	"[Console]::Out.Write(\"DPDOCTOR 1 preload`n\")\n"
	"try {\n"
	"  # Validated before rendering; checked again because it goes on a command line.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $r = Invoke-Command -ComputerName $A['server'] -ArgumentList $A['package'], $A['exe'] -ScriptBlock {\n"
	"    param($id, $exe)\n"
	"    if (-not $exe) {\n"
	"      $k = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\SMS\\Identification'\n"
	"      $exe = Join-Path $k.'Installation Directory' 'bin\\i386\\PreloadPkgOnSite.exe'\n"
	"    }\n"
	"    if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { throw \"$exe not found (install the SMS 2003 Toolkit 2)\" }\n"
	"    $out = @(& $exe $id 2>&1 | ForEach-Object { [string]$_ })\n"
	"    return @{ Lines = $out; Code = $LASTEXITCODE }\n"
	"  }\n"
	"  Cols 'O' @('Line')\n"
	"  $n = 0\n"
	"  foreach ($l in $r.Lines) { foreach ($x in ([string]$l -split \"`r?`n\")) { Emit 'O' @($x); $n++ } }\n"
	"  Cols 'X' @('ExitCode')\n"
	"  Emit 'X' @($r.Code)\n"
	"  $n++\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char refreshnow_ps[] =
	"$wmi = @{ Namespace = 'root\\SMS\\site_' + $A['site'] }\n"
	"if ($A['provider']) { $wmi['ComputerName'] = $A['provider'] }\n"
	"[Console]::Out.Write(\"DPDOCTOR 1 refreshnow`n\")\n"
	"try {\n"
	"  # Validated before rendering; checked again because they go into WQL.\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  if ($A['dp'] -cnotmatch '^[A-Za-z0-9.-]+$') { throw 'bad server name' }\n"
	"  $q = \"SELECT * FROM SMS_DistributionPoint WHERE PackageID = '\" + $A['package'] +\n"
	"       \"' AND ServerNALPath LIKE '%\\\\\\\\\" + $A['dp'] + \"\\\\%'\"\n"
	"  Cols 'R' @('PackageID','ServerNALPath')\n"
	"  $n = 0\n"
	"  foreach ($dp in @(Get-WmiObject @wmi -Query $q)) {\n"
	"    $dp.RefreshNow = $true\n"
	"    [void]$dp.Put()\n"
	"    Emit 'R' @($dp.PackageID, $dp.ServerNALPath)\n"
	"    $n++\n"
	"  }\n"
	"  if ($n -eq 0) { throw ('package ' + $A['package'] + ' is not on distribution point ' + $A['dp']) }\n"
	"  Done $n\n"
	"} catch { Fail $_ }\n";

static const char setsourcepath_ps[] =
	"$wmi = @{ Namespace = 'root\\SMS\\site_' + $A['site'] }\n"
	"if ($A['provider']) { $wmi['ComputerName'] = $A['provider'] }\n"
	"[Console]::Out.Write(\"DPDOCTOR 1 setsourcepath`n\")\n"
	"try {\n"
	"  if ($A['package'] -cnotmatch '^[0-9A-Z]{8}$') { throw 'bad package ID' }\n"
	"  $p = Get-WmiObject @wmi -Query (\"SELECT * FROM SMS_Package WHERE PackageID = '\" + $A['package'] + \"'\")\n"
	"  if ($null -eq $p) { throw ('no package ' + $A['package']) }\n"
	"  $old = $p.PkgSourcePath\n"
	"  $p.PkgSourcePath = $A['path']\n"
	"  [void]$p.Put()\n"
	"  Cols 'S' @('PackageID','OldPath','NewPath')\n"
	"  Emit 'S' @($A['package'], $old, $A['path'])\n"
	"  Done 1\n"
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
	[OP_PRELOAD] = { fileprelude_ps, NULL, preload_ps },
	[OP_REFRESHNOW] = { fileprelude_ps, NULL, refreshnow_ps },
	[OP_SETSOURCEPATH] = { fileprelude_ps, NULL, setsourcepath_ps },
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
