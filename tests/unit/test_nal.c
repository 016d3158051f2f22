/* Unit tests: NAL path parsing and name validation (sms-domain.md §4). */
#include "autoconf.h"
#include "backend/core/nal.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

struct nal_case {
	const char *text, *server, *share, *path, *site;
};

static const struct nal_case good[] = {
	{ "[\"Display=\\\\MOMDC\\\"]MSWNET:[\"SMS_SITE=BOT\"]\\\\MOMDC\\", "MOMDC", NULL, NULL, "BOT" },
	{ "[\"Display=\\\\CS1SRV\\\"]MSWNET:[\"SMS_SITE=CS1\"]\\\\CS1SRV\\", "CS1SRV", NULL, NULL, "CS1" },
	{ "[\"Display=\\\\sccmDP\\smssoftware$\\\"]MSWNET:[\"SMS_SITE=DK1\"]\\\\sccmDP\\smssoftware$\\", "sccmDP", "smssoftware$", NULL, "DK1" },
	{ "[\"Display=\\\\PS1DP1.CONTOSO.COM\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\PS1DP1.CONTOSO.COM\\", "PS1DP1.CONTOSO.COM", NULL, NULL, "PS1" },
	{ "MSWNET:[\"SMS_SITE=PS1\"]\\\\PS1DP1.CONTOSO.COM\\SMSPKGC$\\PS100001\\", "PS1DP1.CONTOSO.COM", "SMSPKGC$", "PS100001", "PS1" },
	{ "MSWNET:[\"SMS_SITE=ZZZ\"]\\\\ServerName\\SMS_PKGD", "ServerName", "SMS_PKGD", NULL, "ZZZ" },
	{ "\\\\DP07\\", "DP07", NULL, NULL, "" },
	{ "[\"Display=\\\\DP01\\\"]MSWNET:[\"SMS_SITE=009\"][\"Preferred\"]\\\\DP01", "DP01", NULL, NULL, "009" },
};

static const char *const bad[] = {
	"", "MSWNET", "MSWNET:\\\\", "[\"Display=\\\\DP01\\\"MSWNET:\\\\DP01\\",
	"MSWNET:[\"SMS_SITE=009\"]DP01", "MSWNET:\\\\DP 01\\", "MSWNET:\\\\DP;01\\",
	"MSWNET:\\\\-DP01\\", "MSWNET:[\"SMS_SITE=009\"",
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct nal n;
		char *err = NULL;
		int rc = nal_parse(good[i].text, &n, &err);
		ok(rc == 0, "parses %s", good[i].text);
		if (rc != 0) {
			printf("#   %s\n", err);
			free(err);
			continue;
		}
		is_str(n.server, good[i].server, "  server");
		ok((good[i].share == NULL && n.share == NULL) ||
		    (good[i].share && n.share && strcmp(n.share, good[i].share) == 0), "  share");
		ok((good[i].path == NULL && n.path == NULL) ||
		    (good[i].path && n.path && strcmp(n.path, good[i].path) == 0), "  path");
		is_str(n.site, good[i].site, "  site code");
		nal_free(&n);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct nal n;
		char *err = NULL;
		ok(nal_parse(bad[i], &n, &err) == -1 && err != NULL, "refuses \"%s\" (%s)",
		    bad[i], err ? err : "no message");
		free(err);
	}
}

static void
test_format(void)
{
	char *s = nal_format("DP01", NULL, "009");
	is_str(s, "[\"Display=\\\\DP01\\\"]MSWNET:[\"SMS_SITE=009\"]\\\\DP01\\", "canonical form");
	struct nal n;
	ok(nal_parse(s, &n, NULL) == 0 && strcmp(n.server, "DP01") == 0, "round trip");
	nal_free(&n);
	free(s);
	s = nal_format("DP01", "pkgs$", "009");
	ok(nal_parse(s, &n, NULL) == 0 && n.share && strcmp(n.share, "pkgs$") == 0, "share round trip");
	nal_free(&n);
	free(s);
}

static void
test_validate(void)
{
	ok(pkgid_valid("009000B7"), "009000B7 is a package ID");
	ok(pkgid_valid("CEN0000E"), "CEN0000E is a package ID");
	ok(!pkgid_valid("009000b7"), "lower-case hex refused");
	ok(!pkgid_valid("0090000"), "7 characters refused");
	ok(!pkgid_valid("00900G00"), "non-hex refused");
	ok(!pkgid_valid("009'; rm"), "quote refused");
	ok(!pkgid_valid(NULL), "NULL refused");
	ok(sitecode_valid("009") && sitecode_valid("CS1"), "site codes");
	ok(!sitecode_valid("cs1") && !sitecode_valid("0090"), "bad site codes");
	ok(servername_valid("DP01") && servername_valid("ps1dp1.contoso.com") &&
	    servername_valid("SMS_PRI"), "server names");
	const char *evil[] = { "DP01;calc", "DP$(x)", "DP`x`", "DP'01", "DP\"01",
	    "DP 01", "DP01\n", "-DP01", "DP01.", "a..b", "\\\\DP01", "DP\xc3\xa9" };
	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++)
		ok(!servername_valid(evil[i]), "server name %zu with special characters refused", i);
}

int
main(void)
{
	test_parse();
	test_format();
	test_validate();
	return done_testing();
}
