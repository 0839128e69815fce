/*
 * proxy.c: a GET sent on to a cluster member's smsd for
 * /v1/members/NAME/RESOURCE, its answer handed back unchanged.
 */
#ifndef SMSD_PROXY_H
#define SMSD_PROXY_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct member;
struct proxy;

/*
 * The member's answer (any status, its Content-Type) or a JSON error
 * naming the member: 502 (unreachable, a bad answer), 504 (no answer in
 * time).  body may be NULL when out of memory; the proxy frees it after.
 */
typedef void (*proxy_done_fn)(void *arg, int code, const char *ctype,
    struct evbuffer *body);

/* Ask member m for target ("/v1/system?..."); NULL when out of memory.
   done is called once, from the loop, unless proxy_cancel() comes first. */
struct proxy *proxy_start(struct event_base *, const struct member *m,
	    const char *target, int timeout_ms, size_t max_body,
	    proxy_done_fn done, void *arg);
void	proxy_cancel(struct proxy *);

#endif
