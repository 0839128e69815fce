/*
 * corolib: corosync's client libraries, loaded at run time (issue 7).
 *
 * hostmon's programs are not linked against libcorosync_common, libcmap,
 * libquorum and libcpg: a host without corosync need not have them, and a
 * program linked against them would not even start there.  libhmcluster
 * opens them by soname with dlopen(RTLD_NOW | RTLD_LOCAL) and looks the
 * functions it calls up into one table of pointers.  corosync's headers
 * still give the types, the constants, and the prototypes the table's
 * entries follow (checked by the compiler through __typeof__).
 *
 * libcorosync_common, libcmap and libquorum are needed.  libcpg is not:
 * without it libhmcluster works as when corosync refuses the CPG
 * connection (every member that goes away counts as failed).
 *
 * corolib_load() opens what is not open yet.  What opened stays open for
 * the process's life (never dlclose()d: libqb, which they pull in, is not
 * made to be unloaded), so once all are there a call costs nothing, and a
 * failed one costs a few failed opens.  The caller may try again, as
 * libhmcluster does with its reconnect about once a second, so corosync
 * installed meanwhile is found.  Not thread-safe: call it from one thread.
 */
#ifndef HM_CLUSTER_COROLIB_H
#define HM_CLUSTER_COROLIB_H

#include <corosync/corotypes.h>
#include <corosync/cmap.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>

#define COROLIB_COMMON	"libcorosync_common.so.4"
#define COROLIB_CMAP	"libcmap.so.4"
#define COROLIB_QUORUM	"libquorum.so.5"
#define COROLIB_CPG	"libcpg.so.4"

struct corolib {
	/* libcorosync_common */
	__typeof__(cs_strerror)			*cs_strerror;
	/* libcmap */
	__typeof__(cmap_initialize)		*cmap_initialize;
	__typeof__(cmap_finalize)		*cmap_finalize;
	__typeof__(cmap_get_uint32)		*cmap_get_uint32;
	__typeof__(cmap_get_string)		*cmap_get_string;
	/* libquorum */
	__typeof__(quorum_model_initialize)	*quorum_model_initialize;
	__typeof__(quorum_finalize)		*quorum_finalize;
	__typeof__(quorum_fd_get)		*quorum_fd_get;
	__typeof__(quorum_dispatch)		*quorum_dispatch;
	__typeof__(quorum_trackstart)		*quorum_trackstart;
	__typeof__(quorum_context_get)		*quorum_context_get;
	/* libcpg: set only when cpg_error is NULL */
	const char				*cpg_error;
	__typeof__(cpg_model_initialize)	*cpg_model_initialize;
	__typeof__(cpg_finalize)		*cpg_finalize;
	__typeof__(cpg_fd_get)			*cpg_fd_get;
	__typeof__(cpg_dispatch)		*cpg_dispatch;
	__typeof__(cpg_join)			*cpg_join;
	__typeof__(cpg_context_get)		*cpg_context_get;
	__typeof__(cpg_local_get)		*cpg_local_get;
};

/*
 * The table once the needed libraries are loaded (cpg_error says why
 * libcpg is not, NULL when it is).  Otherwise NULL, and *why says which
 * failed and why, e.g. "libcmap.so.4, libquorum.so.5: cannot open shared
 * object file: No such file or directory" (valid until the next call).
 */
const struct corolib *corolib_load(const char **why);

#endif
