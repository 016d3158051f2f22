/*
 * The data the scenarios are made of: 2007-era software packages and the
 * branch offices that host distribution points.
 */
#ifndef DPD_SIM_CATALOGUE_H
#define DPD_SIM_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

struct cat_entry {
	const char *manufacturer;
	const char *name;
	const char *version;
	const char *dir;          /* under \\<filesrv>\Packages\ */
	uint16_t mb_lo, mb_hi;    /* compressed size range, MB */
};

struct cat_language {
	const char *name;         /* SMS_Package.Language */
	const char *code;         /* source sub-folder */
};

enum cat_region { CAT_UK, CAT_EUROPE, CAT_AMERICAS, CAT_ASIA, CAT_REGIONS };

struct cat_city {
	const char *name;         /* at most 11 characters: NAME + "DP" + 2 digits */
	const char *zone;         /* Windows time zone (standard name) */
	enum cat_region region;
};

extern const struct cat_entry cat_entries[];
extern const size_t cat_nentries;
extern const struct cat_language cat_languages[];
extern const size_t cat_nlanguages;
extern const char *const cat_variants[];
extern const size_t cat_nvariants;
extern const struct cat_city cat_cities[];
extern const size_t cat_ncities;

#endif
