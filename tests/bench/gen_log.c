/*
 * Benchmark input: writes a distmgr.log the way an SMS 2003 primary does
 * (raw "SMS Trace" lines ending in CRLF, GMT Standard/Daylight Time
 * stamps, STATMSG lines) for many packages and DPs, up to a given size, as
 * fast as the disk takes it.  Used by tests/bench/log.sh; not part of the
 * pass/fail suite.  Usage: gen_log FILE MEGABYTES [PACKAGES]
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
	static char out[1 << 20];
	setvbuf(f, NULL, _IOFBF, 1 << 22);
	unsigned long long i = 0;
	int ms = 0, sec = 0, min = 12, hour = 9, day = 4;
	while (done < want) {
		char pkg[16], dp[24], text[512];
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
