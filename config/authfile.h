/*
 * The password file a transport = smb server names with `authfile`: the
 * format of `smbclient -A FILE` (username = , password = , domain = ), so
 * an administrator who keeps one for smbclient points dpdoctor at the same
 * file.  It is read when the site is opened (the configuration only keeps
 * its path), and refused, as OpenSSH refuses a private key, when anyone but
 * its owner may read or change it.  The password lives in memory only, and
 * authfile_free wipes it; no message made here ever holds any of it.
 */
#ifndef DPD_AUTHFILE_H
#define DPD_AUTHFILE_H

struct authfile {
	char *user;            /* username =, without its DOMAIN\; NULL: not given */
	char *domain;          /* domain =, or username's DOMAIN\; NULL: not given */
	char *password;        /* password = (always given); wiped on free */
	int user_line;         /* where they are, for messages (0 = not given) */
	int domain_line;
};

/* Read and check path.  0, or -1 with *err = "PATH: why" or
 * "PATH:LINE: why" (malloc'd) and *a empty. */
int authfile_read(const char *path, struct authfile *a, char **err);
/* Wipe the password, free the rest; *a is empty after. */
void authfile_free(struct authfile *a);

/* The file and the configuration must name one account: -1 with *err
 * ("PATH:LINE: why", malloc'd) when the file's username or domain differs
 * (in any case) from user or domain (NULL = the section gives none). */
int authfile_agree(const struct authfile *a, const char *path, const char *user,
    const char *domain, char **err);

/* An SMB account as written, "DOMAIN\name" or "name": 0 with *name and
 * *domain (NULL when none) malloc'd, or -1 with *why (malloc'd) saying
 * what is wrong with it. */
int authfile_split_account(const char *v, char **name, char **domain, char **why);

#endif
