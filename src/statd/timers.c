/*
 * One-shot timers in a binary heap ordered by due time, so that tens of
 * thousands of pending retries cost O(log n) each and the loop sleeps
 * exactly until the next one.
 */
#include <stdlib.h>

#include "log.h"
#include "statd.h"
#include "timeutil.h"

static struct timer **heap;
static int	 nheap, heapcap;

static void
swap(int a, int b)
{
	struct timer *t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	heap[a]->slot = a;
	heap[b]->slot = b;
}

static void
sift_up(int i)
{
	while (i > 0 && heap[(i - 1) / 2]->due > heap[i]->due) {
		swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sift_down(int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < nheap && heap[l]->due < heap[m]->due)
			m = l;
		if (r < nheap && heap[r]->due < heap[m]->due)
			m = r;
		if (m == i)
			return;
		swap(i, m);
		i = m;
	}
}

void
timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg)
{
	t->due = 0;
	t->slot = -1;
	t->fn = fn;
	t->arg = arg;
}

int
timer_armed(const struct timer *t)
{
	return t->slot >= 0;
}

void
timer_cancel(struct timer *t)
{
	int i = t->slot;

	if (i < 0)
		return;
	t->slot = -1;
	if (i != --nheap) {
		heap[i] = heap[nheap];
		heap[i]->slot = i;
		sift_up(i);
		sift_down(heap[i]->slot);
	}
}

void
timer_set(struct timer *t, int64_t delay_ms)
{
	timer_cancel(t);
	if (nheap == heapcap) {
		int n = heapcap ? heapcap * 2 : 256;
		struct timer **h = reallocarray(heap, (size_t)n, sizeof(*h));

		if (h == NULL)
			fatal("timer heap");
		heap = h;
		heapcap = n;
	}
	t->due = mono_ms() + (delay_ms < 0 ? 0 : delay_ms);
	t->slot = nheap;
	heap[nheap++] = t;
	sift_up(t->slot);
}

int
timers_poll_timeout(void)
{
	int64_t d;

	if (nheap == 0)
		return -1;
	d = heap[0]->due - mono_ms();
	if (d < 0)
		return 0;
	return d > 60000 ? 60000 : (int)d;
}

/* Run what is due; a timer set again by its own function waits a turn. */
void
timers_run(void)
{
	int64_t now = mono_ms();
	int budget = nheap;

	while (nheap > 0 && heap[0]->due <= now && budget-- > 0) {
		struct timer *t = heap[0];

		timer_cancel(t);
		t->fn(t, t->arg);
	}
}

void
timers_free(void)
{
	free(heap);
	heap = NULL;
	nheap = heapcap = 0;
}
