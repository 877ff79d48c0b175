/*
 * perf_ring.c - per-CPU output buffers and the records in them.
 *
 * Asynchronous actions (print, printf, exit ...) travel from the BPF
 * programs to user space through bpf_perf_event_output() into a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY, s->outmap.  Each slot of that map
 * holds a PERF_COUNT_SW_BPF_OUTPUT event of one CPU, whose mmapped
 * ring we read here; main.c polls ring_fds() and calls ring_drain(),
 * which hands every record to output.c.
 *
 * The kernel writes data_head and reads data_tail: we load the head
 * with acquire (the record bytes are visible once the head is) and
 * store the tail with release (we are done with the bytes before the
 * kernel may reuse them).  A record that wraps the end of the ring is
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
};

#define RECORD_MAX	65536	/* perf_event_header.size is a u16 */

int ring_map_create(struct script *s)
{
	struct map *m = s->outmap;
	int cpus[1024], n, i, max;

	if (m && m->fd >= 0)
		return 0;
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = "stdout";
		m->ktype = &ty_u32;
		m->vtype = &ty_u32;
		m->fd = -1;
		s->outmap = m;
	}

	/* indexed by CPU id, so it must reach the highest one */
	max = ncpus_possible();
	n = cpus_online(cpus, ARRAY_SIZE(cpus));
	if (max < 0)
		return max;
	for (i = 0; i < n; i++)
		if (cpus[i] >= max)
			max = cpus[i] + 1;
	m->max_entries = max;
	n = bpf_map_create(m, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, max);
	return n < 0 ? n : 0;
}

/* one BPF_OUTPUT event on cpu, its ring mapped, its fd in the map */
static int buf_open(struct cpu_buf *b, int map_fd, int pages)
{
	struct perf_event_attr attr;
	uint32_t key = b->cpu;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = 1;

	b->fd = perf_event_open(&attr, -1, b->cpu, -1, 0);
	if (b->fd < 0)
		return b->fd;

	b->mmap_size = (size_t)(1 + pages) * sysconf(_SC_PAGESIZE);
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

struct ring *ring_open(struct script *s, int pages)
{
	int cpus[1024], n, i, err;
	struct ring *r;

	if (pages <= 0 || (pages & (pages - 1))) {
		errno = EINVAL;
		return NULL;
	}
	err = ring_map_create(s);
	n = err ? err : cpus_online(cpus, ARRAY_SIZE(cpus));
	if (n < 0) {
		errno = -n;
		return NULL;
	}

	r = xcalloc(1, sizeof(*r));
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
	for (i = 0; i < r->nbufs; i++) {
		if (r->buf[i].base)
			munmap(r->buf[i].base, r->buf[i].mmap_size);
		if (r->buf[i].fd >= 0)
			close(r->buf[i].fd);
	}
	free(r->buf);
	free(r->fds);
	free(r->scratch);
	free(r);
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
			  void *arg)
{
	struct perf_event_mmap_page *pg = b->base;
	size_t psz = sysconf(_SC_PAGESIZE);
	uint64_t head, tail, lost = 0, off, size;
	const struct perf_event_header *h;
	char *data;

	/* kernels before 4.1 leave data_offset and data_size 0 */
	data = (char *)b->base + (pg->data_offset ? pg->data_offset : psz);
	size = pg->data_size ? pg->data_size : b->mmap_size - psz;

	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	tail = pg->data_tail;
	while (tail < head) {
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
		tail += h->size;
	}
	__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
	return lost;
}

uint64_t ring_drain(struct ring *r,
		    void (*cb)(void *arg, const void *rec, int size),
		    void *arg)
{
	uint64_t lost = 0;
	int i;

	for (i = 0; i < r->nbufs; i++)
		lost += buf_drain(r, &r->buf[i], cb, arg);
	return lost;
}
