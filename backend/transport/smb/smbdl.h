/*
 * libsmbclient, loaded when the SMB engine first starts rather than at every
 * start of dpdoctor: it brings some eighty Samba libraries whose loading and
 * relocation cost every run tens of milliseconds (the first paint, `log`,
 * `--version`), though most runs never speak SMB.  The functions the engine
 * calls are looked up once into one table; the macros below make each
 * smbc_*() call in the engine a call through it, so the engine's code reads
 * as libsmbclient's own documentation does.  Only the engine includes this.
 */
#ifndef DPD_SMBDL_H
#define DPD_SMBDL_H

#include <libsmbclient.h>

#define SMBDL_FUNCTIONS(X) \
	X(smbc_new_context) \
	X(smbc_free_context) \
	X(smbc_init_context) \
	X(smbc_setLogCallback) \
	X(smbc_setDebug) \
	X(smbc_setTimeout) \
	X(smbc_setPort) \
	X(smbc_setUser) \
	X(smbc_setWorkgroup) \
	X(smbc_setConfiguration) \
	X(smbc_getOptionUserData) \
	X(smbc_setOptionUserData) \
	X(smbc_setOptionUseKerberos) \
	X(smbc_setOptionUseCCache) \
	X(smbc_setOptionUrlEncodeReaddirEntries) \
	X(smbc_setOptionProtocols) \
	X(smbc_setOptionOneSharePerServer) \
	X(smbc_setOptionNoAutoAnonymousLogin) \
	X(smbc_setOptionFullTimeNames) \
	X(smbc_setOptionFallbackAfterKerberos) \
	X(smbc_setOptionCaseSensitive) \
	X(smbc_setFunctionAuthDataWithContext) \
	X(smbc_setFunctionGetCachedServer) \
	X(smbc_setFunctionAddCachedServer) \
	X(smbc_setFunctionRemoveCachedServer) \
	X(smbc_getFunctionGetCachedServer) \
	X(smbc_getFunctionAddCachedServer) \
	X(smbc_getFunctionRemoveCachedServer) \
	X(smbc_getFunctionOpen) \
	X(smbc_getFunctionClose) \
	X(smbc_getFunctionRead) \
	X(smbc_getFunctionWrite) \
	X(smbc_getFunctionLseek) \
	X(smbc_getFunctionStat) \
	X(smbc_getFunctionFstat) \
	X(smbc_getFunctionFtruncate) \
	X(smbc_getFunctionUtimes) \
	X(smbc_getFunctionChmod) \
	X(smbc_getFunctionUnlink) \
	X(smbc_getFunctionRename) \
	X(smbc_getFunctionSplice) \
	X(smbc_getFunctionOpendir) \
	X(smbc_getFunctionReaddir) \
	X(smbc_getFunctionReaddirPlus2) \
	X(smbc_getFunctionClosedir) \
	X(smbc_getFunctionGetxattr) \

struct smbdl_table {
#define SMBDL_MEMBER(f) __typeof__(f) *f;
	SMBDL_FUNCTIONS(SMBDL_MEMBER)
#undef SMBDL_MEMBER
};
extern struct smbdl_table smbdl;

/* Load the library and every function of the table, once: 0, or -1 with
 * *err naming the library and what is missing (the SMB transport cannot
 * run; nothing else is affected). */
int smbdl_load(char **err);

#ifndef SMBDL_TABLE_ONLY
#define smbc_new_context (*smbdl.smbc_new_context)
#define smbc_free_context (*smbdl.smbc_free_context)
#define smbc_init_context (*smbdl.smbc_init_context)
#define smbc_setLogCallback (*smbdl.smbc_setLogCallback)
#define smbc_setDebug (*smbdl.smbc_setDebug)
#define smbc_setTimeout (*smbdl.smbc_setTimeout)
#define smbc_setPort (*smbdl.smbc_setPort)
#define smbc_setUser (*smbdl.smbc_setUser)
#define smbc_setWorkgroup (*smbdl.smbc_setWorkgroup)
#define smbc_setConfiguration (*smbdl.smbc_setConfiguration)
#define smbc_getOptionUserData (*smbdl.smbc_getOptionUserData)
#define smbc_setOptionUserData (*smbdl.smbc_setOptionUserData)
#define smbc_setOptionUseKerberos (*smbdl.smbc_setOptionUseKerberos)
#define smbc_setOptionUseCCache (*smbdl.smbc_setOptionUseCCache)
#define smbc_setOptionUrlEncodeReaddirEntries (*smbdl.smbc_setOptionUrlEncodeReaddirEntries)
#define smbc_setOptionProtocols (*smbdl.smbc_setOptionProtocols)
#define smbc_setOptionOneSharePerServer (*smbdl.smbc_setOptionOneSharePerServer)
#define smbc_setOptionNoAutoAnonymousLogin (*smbdl.smbc_setOptionNoAutoAnonymousLogin)
#define smbc_setOptionFullTimeNames (*smbdl.smbc_setOptionFullTimeNames)
#define smbc_setOptionFallbackAfterKerberos (*smbdl.smbc_setOptionFallbackAfterKerberos)
#define smbc_setOptionCaseSensitive (*smbdl.smbc_setOptionCaseSensitive)
#define smbc_setFunctionAuthDataWithContext (*smbdl.smbc_setFunctionAuthDataWithContext)
#define smbc_setFunctionGetCachedServer (*smbdl.smbc_setFunctionGetCachedServer)
#define smbc_setFunctionAddCachedServer (*smbdl.smbc_setFunctionAddCachedServer)
#define smbc_setFunctionRemoveCachedServer (*smbdl.smbc_setFunctionRemoveCachedServer)
#define smbc_getFunctionGetCachedServer (*smbdl.smbc_getFunctionGetCachedServer)
#define smbc_getFunctionAddCachedServer (*smbdl.smbc_getFunctionAddCachedServer)
#define smbc_getFunctionRemoveCachedServer (*smbdl.smbc_getFunctionRemoveCachedServer)
#define smbc_getFunctionOpen (*smbdl.smbc_getFunctionOpen)
#define smbc_getFunctionClose (*smbdl.smbc_getFunctionClose)
#define smbc_getFunctionRead (*smbdl.smbc_getFunctionRead)
#define smbc_getFunctionWrite (*smbdl.smbc_getFunctionWrite)
#define smbc_getFunctionLseek (*smbdl.smbc_getFunctionLseek)
#define smbc_getFunctionStat (*smbdl.smbc_getFunctionStat)
#define smbc_getFunctionFstat (*smbdl.smbc_getFunctionFstat)
#define smbc_getFunctionFtruncate (*smbdl.smbc_getFunctionFtruncate)
#define smbc_getFunctionUtimes (*smbdl.smbc_getFunctionUtimes)
#define smbc_getFunctionChmod (*smbdl.smbc_getFunctionChmod)
#define smbc_getFunctionUnlink (*smbdl.smbc_getFunctionUnlink)
#define smbc_getFunctionRename (*smbdl.smbc_getFunctionRename)
#define smbc_getFunctionSplice (*smbdl.smbc_getFunctionSplice)
#define smbc_getFunctionOpendir (*smbdl.smbc_getFunctionOpendir)
#define smbc_getFunctionReaddir (*smbdl.smbc_getFunctionReaddir)
#define smbc_getFunctionReaddirPlus2 (*smbdl.smbc_getFunctionReaddirPlus2)
#define smbc_getFunctionClosedir (*smbdl.smbc_getFunctionClosedir)
#define smbc_getFunctionGetxattr (*smbdl.smbc_getFunctionGetxattr)
#endif

#endif
