/*
 * The simulated SMS 2003 site: the Windows side of dpdoctor's world, kept on
 * disk so the demo, the tests and (later) the sshd/smbd test hosts all see
 * one site.  A site directory holds a site database and one file tree per
 * server and drive (<d>:/SMS/inboxes/..., <d>:/SMSPKG/<id>.PCK and
 * <d>:/SMS/Logs/distmgr.log on site servers, <x>:/SMSPKG<x>$ on every DP).
 * Time advances only when the site is accessed; DPDOCTOR_SIM_TIME freezes
 * the clock for tests.  Everything is deterministic from the scenario seed.
 */
#ifndef DPD_SIM_H
#define DPD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/transport/script.h"
#include "backend/core/util.h"

/* Scenarios: "default" (site 009, a primary and 12 DPs, ~120 packages,
 * ~50 failing pairs), "large" (5,000 packages x 500 DPs), "wide" (40
 * packages on 100 DPs), "small" (a few packages and DPs for unit tests).
 * Each is a hierarchy: primary SMS009PRI (SMS on E:), plain DPs of site 009
 * (a dist share only; the primary copies to them and logs their problems),
 * and child sites with their own codes whose site servers are the remote
 * DPs (own SMS install on D:, E: or F:, own distmgr.log, inboxes and PCK
 * store), some with plain DPs of their own served by that site server.
 *
 * Clock: with DPDOCTOR_SIM_TIME=2007-01-04T10:00:00Z set, the site stands
 * still at that instant (and never runs backwards); unset or empty, it runs
 * 60 times faster than the wall clock from 2007-01-04T09:00:00Z (or from
 * where a frozen site stood), simulating at most one day per access.  From
 * 10:00 on, the primary of a default (large) site updates the DPs of a
 * package with no problems every 10-20 (15-30) minutes, so an open demo
 * keeps moving; failing pairs are never touched.
 *
 * Every call locks DIR/site.lock for its whole duration, so processes and
 * threads may share a site.  The status op must be sent to the primary
 * (sim_info()->primary) or name it as the provider. */
struct sim_info {
	char site_code[4];
	char *primary;      /* the primary site server's name */
	char *scenario;
	uint32_t seed;
	dpd_time now;       /* the site's clock at the time of the call */
};

/* Create the site in dir from the scenario when it does not exist yet (or
 * always, when reset).  Refuses to reset a directory that is not a
 * simulated site.  scenario NULL means "default".  An existing site is
 * kept as it is, whatever its scenario and seed, unless reset; reset
 * deletes only what the simulator made (site.db, servers/). */
int sim_ensure(const char *dir, const char *scenario, uint32_t seed,
    bool reset, char **err);
int sim_info(const char *dir, struct sim_info *out, char **err);
void sim_info_free(struct sim_info *i);

/* Run a script rendered by ops_render() as host `host` would run it:
 * advance the clock, carry out the op, write our protocol to res->out and
 * set res->exit_code.  -1 only when the site itself cannot be used. */
int sim_run_script(const char *dir, const char *host, const char *script,
    struct script_result *res, char **err);

/* The same for a script that came with a credential (the credential
 * bootstrap, winenc.h): the simulated host then presents it on its remote
 * calls, so even a key log-in's host (DPDOCTOR_SIM_NO_UNC=1) reaches the
 * other servers' shares and WMI.  With DPDOCTOR_SIM_PASSWORD set, any other
 * password makes every remote call fail as Windows' logon failure does.
 * user and password may be NULL (as sim_run_script). */
int sim_run_script_as(const char *dir, const char *host, const char *script,
    const char *user, const char *password, struct script_result *res, char **err);

/* The in-process transport over sim_run_script(). */
struct transport *transport_sim_new(const char *dir, const char *host);

/* A fix an administrator makes by hand on Windows, outside SMS (dpdoctor
 * only asks for it), so the demo's failing pairs can heal:
 *   "source-dir"  restore package pkgid's source folder on the file server
 *                 (server is ignored);
 *   "share-acl"   make the Administrators' rights on server's SMSPKGE$
 *                 share inherit to nested folders (pkgid is ignored).
 * SMS logs nothing and acts at its next retry (a re-push makes it sooner).
 * -1 with *err for an unknown fix, package or server, or an unusable site. */
int sim_hand_fix(const char *dir, const char *what, const char *pkgid,
    const char *server, char **err);

/* Where a Windows path on a simulated server lives on disk:
 * ("DIR", "SMS009PRI", "E:\\SMS\\Logs\\distmgr.log") ->
 * "DIR/servers/SMS009PRI/E:/SMS/Logs/distmgr.log".  NULL when winpath is
 * not "X:\\..." or holds a ".." component. */
char *sim_server_path(const char *dir, const char *server, const char *winpath);

#endif
