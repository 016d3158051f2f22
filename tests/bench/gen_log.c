/*
 * Benchmark input: writes a distmgr.log the way an SMS 2003 primary does
 * (raw "SMS Trace" lines ending in CRLF, GMT Standard/Daylight Time
 * stamps, STATMSG lines) for many packages and DPs, up to a given size, as
 * fast as the disk takes it.  Used by tests/bench/log.sh; not part of the
 * pass/fail suite.  Usage: gen_log FILE MEGABYTES [PACKAGES [statmsg]]
 * With "statmsg", every third line is a long STATMSG line as SMS 2003's
 * distribution manager writes them (ten ISTRs, NAL paths, two attributes):
 * the shape that costs a parser the most per byte.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const templates[] = {
	"~Processing incoming file E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\%s.PKG.",
	"Start adding package %s to server [\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%s\\...",
	"~Package %s uses the compressed copy of the source directory.",
	"Package %s requires a newer version (3) of source files and the new compressed files haven't arrived yet, current version is 1, skip E:\\SMS\\inboxes\\distmgr.box\\INCOMING\\%s.PKG",
	"~Cannot update the package server [\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%s\\ for package %s, error = 3",
	"STATMSG: ID=2330 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=SMS009PRI SITE=009 PID=2160 TID=4616 GMTDATE=Thu Jan 04 09:12:03.417 2007 ISTR0=\"%s\" ISTR1=\"%s\" ISTR2=\"\" NUMATTRS=1 AID0=400 AVAL0=\"%s\"",
	"~Currently using 3 out of 3 allowed package processing threads.",
};

/* Long STATMSG lines: 2300 (processing begins: ISTR0 the package name,
 * ISTR1 its ID), 2330 and 2342 (a DP: ISTR1 its NAL path, AID 404), 2301
 * (processed).  Every one takes the package ID, name, DP, DP, package ID. */
static const char *const statmsgs[] = {
	"STATMSG: ID=2300 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=SMS009PRI SITE=009 PID=2160 TID=4616 GMTDATE=Thu Jan 04 09:12:03.417 2007 ISTR0=\"%2$s\" ISTR1=\"%1$s\" ISTR2=\"\" ISTR3=\"\" ISTR4=\"\" ISTR5=\"\" ISTR6=\"\" ISTR7=\"\" ISTR8=\"\" ISTR9=\"\" NUMATTRS=1 AID0=400 AVAL0=\"%5$s\"",
	"STATMSG: ID=2330 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=SMS009PRI SITE=009 PID=2160 TID=4616 GMTDATE=Thu Jan 04 09:12:03.417 2007 ISTR0=\"%1$s\" ISTR1=\"[\"Display=\\\\%3$s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%4$s\\SMSPKGE$\\\" ISTR2=\"\" ISTR3=\"\" ISTR4=\"\" ISTR5=\"\" ISTR6=\"\" ISTR7=\"\" ISTR8=\"\" ISTR9=\"\" NUMATTRS=2 AID0=400 AVAL0=\"%5$s\" AID1=404 AVAL1=\"[\"Display=\\\\%3$s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%4$s\\SMSPKGE$\\\"",
	"STATMSG: ID=2342 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=SMS009PRI SITE=009 PID=2160 TID=5212 GMTDATE=Thu Jan 04 09:12:04.102 2007 ISTR0=\"%2$s\" ISTR1=\"[\"Display=\\\\%3$s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%4$s\\\" ISTR2=\"\" ISTR3=\"\" ISTR4=\"\" ISTR5=\"\" ISTR6=\"\" ISTR7=\"\" ISTR8=\"\" ISTR9=\"\" NUMATTRS=2 AID0=400 AVAL0=\"%5$s\" AID1=404 AVAL1=\"[\"Display=\\\\%3$s\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\%4$s\\\"",
	"STATMSG: ID=2301 SEV=I LEV=M SOURCE=\"SMS Server\" COMP=\"SMS_DISTRIBUTION_MANAGER\" SYS=SMS009PRI SITE=009 PID=2160 TID=4616 GMTDATE=Thu Jan 04 09:12:05.880 2007 ISTR0=\"%2$s\" ISTR1=\"%1$s\" ISTR2=\"\" ISTR3=\"\" ISTR4=\"\" ISTR5=\"\" ISTR6=\"\" ISTR7=\"\" ISTR8=\"\" ISTR9=\"\" NUMATTRS=1 AID0=400 AVAL0=\"%5$s\"",
};

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gen_log FILE MEGABYTES [PACKAGES]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "wb");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	unsigned long long want = strtoull(argv[2], NULL, 10) << 20, done = 0;
	unsigned npkg = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1000;
	if (npkg == 0)
		npkg = 1;
	int heavy = argc > 4 && strcmp(argv[4], "statmsg") == 0;
	static char out[1 << 20];
	setvbuf(f, NULL, _IOFBF, 1 << 22);
	unsigned long long i = 0;
	int ms = 0, sec = 0, min = 12, hour = 9, day = 4;
	while (done < want) {
		char pkg[16], dp[24], name[48], text[1024];
		unsigned r = (unsigned)(i * 2654435761u);
		snprintf(pkg, sizeof pkg, "009%05X", (r >> 8) % npkg & 0xFFFFFu);
		snprintf(dp, sizeof dp, "DP%02u", (r >> 4) % 50);
		unsigned t = (unsigned)(i % (sizeof templates / sizeof templates[0]));
		const char *a = pkg, *b = dp, *c = dp;
		if (t == 4) { a = dp; b = dp; c = pkg; }
		if (t == 5) { a = pkg; b = dp; c = pkg; }
		if (t == 3) b = pkg;
		/* the templates are ours and all take three strings */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(text, sizeof text, templates[t], a, b, c);
		if (heavy && i % 3 == 0) {
			snprintf(name, sizeof name, "Office 2003 SP%u - %s", r % 4, pkg);
			snprintf(text, sizeof text, statmsgs[(i / 3) % (sizeof statmsgs / sizeof statmsgs[0])],
			    pkg, name, dp, dp, pkg);
		}
#pragma GCC diagnostic pop
		int n = snprintf(out, sizeof out,
		    "%s  $$<SMS_DISTRIBUTION_MANAGER><Thu Jan %02d %d:%02d:%02d.%03d 2007 GMT Standard Time><thread=%u (0x%X)>\r\n",
		    text, day, hour, min, sec, ms, 2000 + r % 300, 2000 + r % 300);
		if (fwrite(out, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[1]);
			return 2;
		}
		done += (unsigned long long)n;
		i++;
		if ((ms += 37) >= 1000) {
			ms -= 1000;
			if (++sec == 60) {
				sec = 0;
				if (++min == 60) {
					min = 0;
					if (++hour == 24) {
						hour = 0;
						day = day % 28 + 1;
					}
				}
			}
		}
	}
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	return 0;
}
