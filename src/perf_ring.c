/*
 * perf_ring.c - the output channel from BPF to user space: a BPF ring
 * buffer where the kernel has one (5.8), else per-CPU perf buffers.
 *
 * The BPF ring buffer is one buffer for all CPUs, in order, with a
 * wakeup only when the reader has caught up.  Its consumer page is
 * ours to write, the producer page and the data (mapped twice in a
 * row, so no record wraps) are read-only.  Records the programs could
 * not write are counted in s->countmap by the programs themselves.
 *
 * Asynchronous actions (print, printf, exit ...) travel from the BPF
 * programs to user space through bpf_perf_event_output() into a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY, s->outmap.  Each slot of that map
 * holds a PERF_COUNT_SW_BPF_OUTPUT event of one CPU, whose mmapped
 * ring we read here; run.c polls ring_fds() and calls ring_drain(),
 * which hands records to run.c's callback, at most a budget of them
 * at a time, so that signals are looked at in between.
 *
 * The kernel writes data_head and reads data_tail: we load the head
 * with acquire (the record bytes are visible once the head is) and
 * store the tail with release (we are done with the bytes before the
 * kernel may reuse them).  The same goes for the ring buffer's
 * producer and consumer positions.  A record that wraps the end of the ring is
 * copied to a scratch buffer, allocated once; nothing is allocated
 * per event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ply.h"

struct cpu_buf {
	int cpu;
	int fd;
	void *base;		/* the mmap: control page, then data */
	size_t mmap_size;
};

struct ring {
	struct cpu_buf *buf;
	int nbufs;
	int *fds;		/* for poll(): buf[i].fd */
	char *scratch;		/* wrapped records, up to a u16 size */

	uint64_t posmask;	/* positions wrap at the kernel's word */

	/* the BPF ring buffer, when the kernel has one */
	struct script *s;	/* its countmap */
	int rb_fd;
	void *cons;		/* consumer position, ours */
	const void *prod;	/* producer position, the kernel's */
	bool pos32;		/* they are 4 bytes (a 32-bit kernel) */
	const char *data;
	size_t rb_size;		/* data bytes, a power of 2 */
	uint64_t lost_seen;
};

#define RECORD_MAX	65536	/* perf_event_header.size is a u16 */

/*
 * A perf buffer's positions are u64 fields, a BPF ring buffer's are
 * the kernel's unsigned long: 4 bytes on a 32-bit kernel, where a
 * second word (pending_pos, since 6.1's "bpf: Fix overrunning
 * reservations in ringbuf") follows producer_pos on its page: read as
 * a u64, it was the position's high half, and ply spun forever on
 * 32-bit ARM and MIPS.  Either way a 32-bit kernel counts positions in
 * its word, so they wrap at 4 GB: arithmetic on them is modulo
 * posmask, and one is before another by their difference.  32-bit CPUs may have no 8-byte
 * atomics (armv5, mips32, ppc32: __atomic_load_8 would need
 * libatomic), so, as the kernel's tools/include/linux/ring_buffer.h
 * does: a plain read then an acquire fence; a release fence then a
 * store.  The kernel never changes a position we are storing, nor
 * tears the ones it publishes where it matters (we only need the
 * order).
 */
static uint64_t load_acquire(const void *p, bool w32)
{
	uint64_t v = w32 ? *(const volatile uint32_t *)p :
			   *(const volatile uint64_t *)p;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return v;
}

static void store_release(void *p, bool w32, uint64_t v)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (w32)
		*(volatile uint32_t *)p = (uint32_t)v;
	else
		*(volatile uint64_t *)p = v;
}

/* is position a before b?  (by their difference: they wrap) */
static bool pos_before(uint64_t a, uint64_t b, uint64_t mask)
{
	uint64_t d = (b - a) & mask;

	return d && d <= (mask >> 1);
}

#define RB_MAX_BYTES	(1U << 30)	/* the kernel takes < 4 GB */

uint32_t ring_bytes(int pages, int ncpus, long psz)
{
	uint64_t size = (uint64_t)psz;
	uint64_t want = (uint64_t)(pages > 0 ? pages : 1) *
		(uint64_t)(ncpus > 0 ? ncpus : 1) * (uint64_t)psz;

	while (size < want && size < RB_MAX_BYTES)
		size *= 2;
	return (uint32_t)size;
}

int ring_map_create(struct script *s)
{
	struct map *m = s->outmap;
	int cpus[1024], n, i, max;

	if (m->fd >= 0)
		return 0;

	/* indexed by CPU id, so it must reach the highest one */
	max = ncpus_possible();
	n = cpus_online(cpus, ARRAY_SIZE(cpus));
	if (max < 0)
		return max;
	if (s->k->ringbuf) {
		m->max_entries = ring_bytes(s->ring_pages, n,
					    getpagesize());
		dbg("output: a BPF ring buffer of %d bytes", m->max_entries);
		n = bpf_map_create(m, BPF_MAP_TYPE_RINGBUF, 0, 0,
				   m->max_entries);
		return n < 0 ? n : 0;
	}
	for (i = 0; i < n; i++)
		if (cpus[i] >= max)
			max = cpus[i] + 1;
	m->max_entries = max;
	dbg("output: a perf buffer of %d pages on each of %d CPUs",
	    s->ring_pages, n);
	n = bpf_map_create(m, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, max);
	return n < 0 ? n : 0;
}

/* one BPF_OUTPUT event on cpu, its ring mapped, its fd in the map */
static int buf_open(struct cpu_buf *b, int map_fd, int pages)
{
	struct perf_event_attr attr;
	uint32_t key = b->cpu;
	int err;

	perf_attr_init(&attr, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT);
	attr.sample_type = PERF_SAMPLE_RAW;

	b->fd = perf_event_open(&attr, -1, b->cpu, -1, 0);
	if (b->fd < 0)
		return b->fd;

	b->mmap_size = (size_t)(1 + pages) * getpagesize();
	b->base = mmap(NULL, b->mmap_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, b->fd, 0);
	if (b->base == MAP_FAILED) {
		b->base = NULL;
		return -errno;
	}

	err = bpf_map_update(map_fd, &key, &b->fd, BPF_ANY);
	if (err)
		return err;
	if (ioctl(b->fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -errno;
	return 0;
}

/* consumer page read-write; producer page and data (twice) read-only */
static struct ring *rb_open(struct script *s)
{
	struct ring *r = xcalloc(1, sizeof(*r));
	size_t psz = getpagesize();
	void *p;

	r->rb_fd = s->outmap->fd;
	r->s = s;
	r->rb_size = s->outmap->max_entries;
	r->pos32 = s->k->arch->word == 4;
	r->posmask = r->pos32 ? UINT32_MAX : UINT64_MAX;
	r->fds = &r->rb_fd;
	r->nbufs = 1;
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, r->rb_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->cons = p;
	p = mmap(NULL, psz + 2 * r->rb_size, PROT_READ, MAP_SHARED,
		 r->rb_fd, psz);
	if (p == MAP_FAILED)
		goto fail;
	r->prod = p;
	r->data = (const char *)p + psz;
	return r;
fail:
	ring_close(r);
	return NULL;
}

struct ring *ring_open(struct script *s, int pages)
{
	int cpus[1024], n, i, err;
	struct ring *r;

	if (pages <= 0 || (pages & (pages - 1))) {
		errno = EINVAL;
		return NULL;
	}
	s->ring_pages = pages;
	err = ring_map_create(s);
	if (!err && s->k->ringbuf)
		return rb_open(s);
	n = err ? err : cpus_online(cpus, ARRAY_SIZE(cpus));
	if (n < 0) {
		errno = -n;
		return NULL;
	}

	r = xcalloc(1, sizeof(*r));
	r->posmask = s->k->arch->word == 4 ? UINT32_MAX : UINT64_MAX;
	r->buf = xcalloc(n, sizeof(*r->buf));
	r->fds = xcalloc(n, sizeof(*r->fds));
	r->scratch = xcalloc(1, RECORD_MAX);
	for (i = 0; i < n; i++) {
		r->buf[i].cpu = cpus[i];
		r->buf[i].fd = -1;
	}
	r->nbufs = n;

	for (i = 0; i < n; i++) {
		err = buf_open(&r->buf[i], s->outmap->fd, pages);
		if (err) {
			ring_close(r);
			errno = -err;
			return NULL;
		}
		r->fds[i] = r->buf[i].fd;
	}
	return r;
}

void ring_close(struct ring *r)
{
	int i;

	if (!r)
		return;
	if (r->fds == &r->rb_fd) {
		size_t psz = getpagesize();

		if (r->cons)
			munmap(r->cons, psz);
		if (r->prod)
			munmap((void *)r->prod, psz + 2 * r->rb_size);
		xfree(r);
		return;
	}
	for (i = 0; i < r->nbufs; i++) {
		if (r->buf[i].base)
			munmap(r->buf[i].base, r->buf[i].mmap_size);
		if (r->buf[i].fd >= 0)
			close(r->buf[i].fd);
	}
	xfree(r->buf);
	xfree(r->fds);
	xfree(r->scratch);
	xfree(r);
}

int ring_fds(struct ring *r, int **fds)
{
	*fds = r->fds;
	return r->nbufs;
}

/* one record at tail: SAMPLE goes to cb, LOST is counted */
static uint64_t record(const struct perf_event_header *h,
		       void (*cb)(void *arg, const void *rec, int size),
		       void *arg)
{
	const char *p = (const char *)(h + 1);
	uint32_t size;
	uint64_t lost;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		/* PERF_SAMPLE_RAW: u32 size, then the bytes (padded) */
		memcpy(&size, p, sizeof(size));
		if (size + sizeof(size) + sizeof(*h) <= h->size)
			cb(arg, p + sizeof(size), size);
		return 0;
	case PERF_RECORD_LOST:
		/* u64 id, u64 lost */
		memcpy(&lost, p + 8, sizeof(lost));
		return lost;
	default:
		return 0;
	}
}

static uint64_t buf_drain(struct ring *r, struct cpu_buf *b,
			  void (*cb)(void *arg, const void *rec, int size),
			  void *arg, int *budget)
{
	struct perf_event_mmap_page *pg = b->base;
	size_t psz = getpagesize();
	uint64_t head, tail, lost = 0, off, size;
	const struct perf_event_header *h;
	char *data;

	/* kernels before 4.1 leave data_offset and data_size 0 */
	data = (char *)b->base + (pg->data_offset ? pg->data_offset : psz);
	size = pg->data_size ? pg->data_size : b->mmap_size - psz;

	head = load_acquire(&pg->data_head, false);
	tail = pg->data_tail;
	while (pos_before(tail, head, r->posmask) && *budget > 0) {
		/* records are 8-byte aligned, so a header never wraps */
		off = tail % size;
		h = (const void *)(data + off);
		if (h->size < sizeof(*h))
			break;		/* corrupt: drop the rest */
		if (off + h->size > size) {
			memcpy(r->scratch, data + off, size - off);
			memcpy(r->scratch + (size - off), data,
			       h->size - (size - off));
			h = (const void *)r->scratch;
		}
		lost += record(h, cb, arg);
		tail = (tail + h->size) & r->posmask;
		--*budget;
	}
	if (*budget > 0)	/* all of it, or a corrupt record's rest */
		tail = head;
	store_release(&pg->data_tail, false, tail);
	return lost;
}

uint64_t count_get(const struct script *s, int slot)
{
	static uint64_t *vals;	/* a value per CPU, the size never changes */
	int ncpus = ncpus_possible(), words, cpu;
	uint32_t zero = 0;
	uint64_t sum = 0;

	if (ncpus < 1 || !s->countmap || s->countmap->fd < 0)
		return 0;
	words = (s->countmap->vtype->size + 7) / 8;
	if (!vals)
		vals = perm_realloc(NULL, (size_t)ncpus * words * 8);
	if (bpf_map_lookup(s->countmap->fd, &zero, vals))
		return 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		sum += vals[(size_t)cpu * words + slot];
	return sum;
}

/* records the programs dropped since we last looked */
static uint64_t rb_lost(struct ring *r)
{
	uint64_t n = count_get(r->s, COUNT_LOST), d;

	d = n - r->lost_seen;
	r->lost_seen = n;
	return d;
}

static uint64_t rb_drain(struct ring *r,
			 void (*cb)(void *arg, const void *rec, int size),
			 void *arg, int *budget)
{
	uint64_t cons = load_acquire(r->cons, r->pos32), prod;
	const uint32_t *hdr;
	uint32_t len;

	prod = load_acquire(r->prod, r->pos32);
	while (pos_before(cons, prod, r->posmask) && *budget > 0) {
		hdr = (const uint32_t *)(r->data + (cons & (r->rb_size - 1)));
		len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break;		/* still being written */
		if (!(len & BPF_RINGBUF_DISCARD_BIT))
			cb(arg, (const char *)hdr + BPF_RINGBUF_HDR_SZ, len);
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons = (cons + ((len + BPF_RINGBUF_HDR_SZ + 7) & ~7U)) &
			r->posmask;
		store_release(r->cons, r->pos32, cons);
		--*budget;
	}
	return rb_lost(r);
}

uint64_t ring_drain(struct ring *r,
		    void (*cb)(void *arg, const void *rec, int size),
		    void *arg, int *budget)
{
	uint64_t lost = 0;
	bool more = false;
	int i, share;

	if (r->fds == &r->rb_fd)
		return rb_drain(r, cb, arg, budget);
	/* each CPU's buffer its share, so that one busy CPU can't starve
	 * the others' records; a perf buffer wakes poll() only on new
	 * records, so one that kept some must say so */
	for (i = 0; i < r->nbufs; i++) {
		share = *budget / (r->nbufs - i);
		*budget -= share;
		lost += buf_drain(r, &r->buf[i], cb, arg, &share);
		more |= share == 0;
		*budget += share;
	}
	if (more)
		*budget = 0;
	return lost;
}
