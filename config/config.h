/*
 * Configuration: what site dpdoctor looks at, how it reaches each server and
 * how the UI behaves.  Loaded from an INI file with inih; every error names
 * the file and the true line number, and a file with any error is rejected
 * whole (nothing half-loaded is ever used).
 */
#ifndef DPD_CONFIG_H
#define DPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_transport {
	CONFIG_TRANSPORT_SIM,    /* the simulated site in sim_dir */
	CONFIG_TRANSPORT_SSH,
	CONFIG_TRANSPORT_SMB,
	CONFIG_TRANSPORT_LOCAL,
};

/* transport = smb: the lowest dialect a server may speak. */
enum config_smb_protocol { CONFIG_SMB_NT1, CONFIG_SMB_SMB2, CONFIG_SMB_SMB3 };

/* ssh: what the server's log-in lacks.  ASK: its log-in (a key log-in on
 * Windows OpenSSH) carries no network credentials, so dpdoctor asks for a
 * password once and hands it to the remote calls over standard input. */
enum config_credential { CONFIG_CREDENTIAL_NO, CONFIG_CREDENTIAL_ASK };

enum config_glyphs { CONFIG_GLYPHS_AUTO, CONFIG_GLYPHS_UTF8, CONFIG_GLYPHS_ASCII };
enum config_theme { CONFIG_THEME_DARK, CONFIG_THEME_LIGHT, CONFIG_THEME_MONO };

struct config_server {
	char *name;               /* [server NAME]: validated server name */
	int line;                 /* where the section starts, for messages */
	enum config_transport transport;
	char *host;               /* address to connect to (default: name) */
	int port;                 /* 0 = transport default */
	char *user;               /* ssh: as written (Windows OpenSSH takes
	                           * DOMAIN\user itself); smb: the name alone,
	                           * its DOMAIN\ moved to domain */
	char *identity;           /* key file */
	char *known_hosts;
	char *sms_path;           /* the server's SMS install folder, e.g.
	                           * D:\SMS; NULL = learned (layout discovery) */
	char *pck_path;           /* the folder of its PCKs, e.g. D:\SMSPKG;
	                           * NULL = learned */
	enum config_credential credential; /* ssh: pass a credential to the
	                           * remote calls this server makes */
	int credential_line;      /* where credential = is set (0 = not set) */
	char *preload_exe;        /* PreloadPkgOnSite.exe on this server; NULL =
	                           * looked for in the known install folders */
	int connect_timeout;      /* seconds */
	bool sftp;                /* ssh: file queries over SFTP (default yes) */
	bool compression;         /* ssh: offer zlib compression (default yes) */
	int sftp_port;            /* ssh: SFTP's port; 0 = the same as port */
	char *domain;             /* smb: the account's domain; NULL = none */
	char *authfile;           /* smb: smbclient -A file with the password,
	                           * read when the site is opened, not here */
	enum config_smb_protocol protocol;  /* smb: lowest dialect (default SMB2) */
	bool kerberos;            /* smb: log in with the Kerberos ticket cache */
	int transport_line;       /* where transport = and authfile = are set, */
	int authfile_line;        /* for messages (0 = not set) */
};

struct config {
	char *path;               /* the file it came from */
	/* [site CODE] */
	char site_code[4];
	char *generation;         /* sms2003 (default), cm2007, cb */
	char *provider;           /* server that runs the WMI queries */
	char *site_server;        /* primary site server */
	char *wmi_host;           /* server whose PowerShell runs the WMI queries
	                           * (default: provider, else site_server) */
	char *sim_dir;            /* for transport = sim: the simulated site */
	int max_parallel;
	/* [server NAME] ... */
	struct config_server *servers;
	size_t nservers;
	/* [ui] */
	int refresh_seconds;      /* 1..3600, default 30 */
	int full_refresh_every;   /* every Nth refresh reads everything (the others
	                           * only what changed); 0 or 1: all; default 20 */
	enum config_theme theme;
	enum config_glyphs glyphs;
	bool mouse;
	bool read_only;
};

/* Defaults for every key (also what --demo uses). */
void config_defaults(struct config *c);
/* Load a file.  0 on success; -1 with *err = "FILE:LINE: message". */
int config_load(const char *path, struct config *c, char **err);
void config_free(struct config *c);
/* -c FILE, else $DPDOCTOR_CONFIG, else $XDG_CONFIG_HOME/dpdoctor/dpdoctor.ini
 * (~/.config when unset).  Returns a malloc'd path, or NULL when none of
 * them names an existing file (then *tried lists what was looked at). */
char *config_find(const char *cli_path, char **tried);
/* How the configuration spells a transport ("ssh"); "?" for none. */
const char *config_transport_name(enum config_transport t);
const struct config_server *config_server(const struct config *c, const char *name);

#endif
