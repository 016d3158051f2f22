/*
 * The file ops answered from a file system a transport reaches itself
 * (SFTP on a Windows OpenSSH host, SMB on any Windows server) instead of
 * by a script: pathinfo, dirlist, loggrep, readfile, setattr, deletefile,
 * renamefile, and, where the file system can, copyfile and shareacl.  The
 * answers are the very records the PowerShell of ops_ps.c gives, with every
 * path as it was asked, so nothing above can tell how a file was reached.
 * A file system is a table of calls (struct files_fs); this module does the
 * rest once: the ops' logic, Reach() and Need() as the PowerShell words
 * them, the log cache, the records.
 */
#ifndef DPD_FILES_H
#define DPD_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/transport/transport.h"

struct files_stat {
	bool exists;
	bool is_dir;
	bool readonly;             /* FILE_ATTRIBUTE_READONLY */
	bool archive;              /* FILE_ATTRIBUTE_ARCHIVE (only when fs->archive) */
	uint64_t size;
	int64_t mtime;             /* Unix seconds, UTC */
};
struct files_dirent {
	char *name;
	struct files_stat st;
};
struct files_dir {
	struct files_dirent *v;
	size_t n;
};
void files_dir_free(struct files_dir *d);

/* One access control entry of a folder's DACL, as the server stores it. */
enum files_ace_type { FILES_ACE_ALLOW, FILES_ACE_DENY, FILES_ACE_OTHER };
#define FILES_ACE_OI 0x01u     /* OBJECT_INHERIT_ACE */
#define FILES_ACE_CI 0x02u     /* CONTAINER_INHERIT_ACE */
#define FILES_ACE_NP 0x04u     /* NO_PROPAGATE_INHERIT_ACE */
#define FILES_ACE_IO 0x08u     /* INHERIT_ONLY_ACE */
#define FILES_ACE_ID 0x10u     /* INHERITED_ACE */
struct files_ace {
	char *sid;                 /* "S-1-5-32-544" */
	enum files_ace_type type;
	unsigned flags;            /* FILES_ACE_* as on the wire */
	uint32_t mask;             /* access mask (0x1f01ff full control) */
};
struct files_acl {
	struct files_ace *v;
	size_t n;
};
void files_acl_free(struct files_acl *a);

/* What every call of a file system returns. */
enum {
	FILES_OK = 0,
	FILES_REFUSED = 1,         /* the server refused it for this file: *msg says why,
	                            * as the op's END error */
	FILES_FAILED = -1,         /* the connection failed: *msg names the server and what */
	FILES_ABSENT = -2,         /* the service is not there (a host without SFTP):
	                            * nothing was done, the op may go another way */
};

/*
 * A file system.  Paths given to the calls are the fs's own (what own()
 * made of an asked path).  Every call blocks (job threads only), keeps to
 * dl, and on failure sets *msg (malloc'd).  A missing file is not an error
 * for stat (st->exists false).
 */
struct files_fs {
	const char *name;          /* "SFTP", "SMB": for messages */
	bool archive;              /* stat reads and setattr sets the archive bit */
	/* The fs's path for an asked path (E:\..., \\NAME\share\...) that is
	 * this server's, or NULL. */
	char *(*own)(void *fs, const char *asked);
	/* The root Reach() looks at for an own path ("E:\", "\\NAME\share\"),
	 * once per op and root. */
	char *(*root)(void *fs, const char *own);
	int (*stat)(void *fs, const char *p, struct files_stat *st, const struct deadline *dl,
	    char **msg);
	/* Append bytes [off, off+len) (fewer at the end; UINT64_MAX: to the end). */
	int (*read)(void *fs, const char *p, uint64_t off, uint64_t len, struct buf *out,
	    const struct deadline *dl, char **msg);
	/* Entries matching pattern (Windows * and ?, any case; NULL all),
	 * without . and .. */
	int (*list)(void *fs, const char *dir, const char *pattern, struct files_dir *out,
	    const struct deadline *dl, char **msg);
	/* readonly, archive: 1 set, 0 clear, -1 keep. */
	int (*setattr)(void *fs, const char *p, int readonly, int archive,
	    const struct deadline *dl, char **msg);
	int (*unlink)(void *fs, const char *p, const struct deadline *dl, char **msg);
	int (*rename)(void *fs, const char *from, const char *to, const struct deadline *dl,
	    char **msg);
	/* Server-side copy of a file onto to (replaced); NULL: the fs cannot. */
	int (*copy)(void *fs, const char *from, const char *to, const struct deadline *dl,
	    char **msg);
	/* The DACL of a folder; NULL: the fs cannot read one. */
	int (*acl)(void *fs, const char *p, struct files_acl *out, const struct deadline *dl,
	    char **msg);
	/* Write n bytes at off (0: the file is created or emptied first);
	 * mtime, when not 0, becomes its last write time.  NULL: the fs
	 * cannot write (writefile goes the other way). */
	int (*write)(void *fs, const char *p, uint64_t off, const void *data, size_t n,
	    int64_t mtime, const struct deadline *dl, char **msg);
};

struct files;

/* The ops over fs (fs_arg is given to each call; borrowed).  host names
 * the server in messages. */
struct files *files_new(const struct files_fs *fs, void *fs_arg, const char *host);
void files_free(struct files *f);

/* The op kinds this fs can answer at all (TRANSPORT_OP bits). */
uint32_t files_answers(const struct files *f);

/* Paths of other servers in a pathinfo, and ops this fs cannot do
 * (setattr of the archive bit without fs->archive): asked of `other` when
 * given (the transport's script), else refused. */
struct files_other {
	struct transport *t;
	transport_call_fn call;
};

/*
 * Answer an op (checked already: transport_call).  0 answered (records to
 * fn, or the op's END error as TRANSPORT_EREPLY with *err "remote error:
 * ..."), TRANSPORT_EFAIL the connection failed (*err), 1 not answered
 * here: not this server's path, a kind or argument the fs cannot do, or
 * the fs absent (FILES_ABSENT; then it is not tried for five minutes).
 */
int files_answer(struct files *f, const struct files_other *other, const struct op *op,
    proto_record_fn fn, void *arg, const struct deadline *dl, char **err);

#endif
