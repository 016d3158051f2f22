/*
 * The monitoring formats of `dpdoctor status`: a Nagios/Icinga plugin line
 * (Monitoring Plugins guidelines: status text, perfdata, exit 0-3, threshold
 * ranges) and the Prometheus text exposition format for node exporter's
 * textfile collector.  Both print the counts of one snapshot to stdout.
 */
#ifndef DPD_CLI_MONITOR_H
#define DPD_CLI_MONITOR_H

#include <stdbool.h>

#include "backend/core/model.h"

/* The plugin exit codes the guidelines define. */
enum nagios_code {
	NAGIOS_OK = 0, NAGIOS_WARNING = 1, NAGIOS_CRITICAL = 2, NAGIOS_UNKNOWN = 3,
};

/* A threshold range as the guidelines write it: "10", "10:", "~:10",
 * "10:20", "@10:20".  The text is kept for the perfdata field. */
struct nagios_range {
	const char *text;   /* as given; NULL when no threshold is set */
	double lo, hi;
	bool lo_inf, hi_inf;
	bool inside;        /* '@': alert inside the range, not outside */
};

/* Parse text into r: 0, or -1 when it is not a range. */
int nagios_range_parse(const char *text, struct nagios_range *r);
/* Whether v raises the alert the range stands for (false when unset). */
bool nagios_range_alert(const struct nagios_range *r, double v);
/* Print the plugin line for the snapshot; returns the plugin exit code. */
int monitor_nagios(const struct snapshot *s, const struct nagios_range *warn,
    const struct nagios_range *crit);
/* Print "DPDOCTOR UNKNOWN: why" and return NAGIOS_UNKNOWN. */
int monitor_nagios_unknown(const char *why);
/* Print the snapshot as Prometheus gauges. */
void monitor_prometheus(const struct snapshot *s);

#endif
