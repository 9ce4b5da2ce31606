/* io_uring for Bridge, over liburing: ring lifetime, buffer registration (the long-term pin path), and single
 * fixed / non-fixed reads and writes whose completion is waited for with a timeout so a hung I/O becomes a result.
 *
 * The ABI: Bridge's io_uring shim: a flat, stable C ABI over liburing for the managed harness (Interop/UringNative.cs).
 * Every call returns 0 or a non-negative byte count on success and -errno on failure; nothing else is exported. */

// link: -luring
#include <errno.h>
#include <liburing.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>

typedef struct bridge_ring bridge_ring;

/* Creates a ring with `entries` submission entries; *out is set on success. */
int bridge_uring_create(unsigned entries, bridge_ring **out);
void bridge_uring_destroy(bridge_ring *ring);

/* io_uring_register_buffers with one buffer (index 0) over [addr, addr+len): the long-term pin
 * (FOLL_WRITE | FOLL_LONGTERM). Returns 0, or what the kernel refused it with (-EFAULT, -EOPNOTSUPP, ...). */
int bridge_uring_register(bridge_ring *ring, void *addr, size_t len);
int bridge_uring_unregister(bridge_ring *ring);

/* One I/O submitted and waited for (up to timeout_ms; -ETIME when it did not complete in time).
 * *_fixed use registered buffer 0, the others a plain iovec (short-term pin for the I/O). */
int64_t bridge_uring_read_fixed(bridge_ring *ring, int fd, void *buf, uint32_t len, int64_t offset, int timeout_ms);
int64_t bridge_uring_write_fixed(bridge_ring *ring, int fd, const void *buf, uint32_t len, int64_t offset,
				 int timeout_ms);
int64_t bridge_uring_readv(bridge_ring *ring, int fd, void *buf, uint32_t len, int64_t offset, int timeout_ms);
int64_t bridge_uring_writev(bridge_ring *ring, int fd, const void *buf, uint32_t len, int64_t offset, int timeout_ms);

struct bridge_ring {
	struct io_uring ring;
	struct iovec registered;
	int has_registration;
	uint64_t sequence; /* user_data of the last submission: completions of timed-out I/O are skipped */
};

int bridge_uring_create(unsigned entries, bridge_ring **out)
{
	bridge_ring *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	int ret = io_uring_queue_init(entries, &r->ring, 0);
	if (ret < 0) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void bridge_uring_destroy(bridge_ring *ring)
{
	if (!ring)
		return;
	/* Exiting the ring drops its registered buffers, and with them their pins. */
	io_uring_queue_exit(&ring->ring);
	free(ring);
}

int bridge_uring_register(bridge_ring *ring, void *addr, size_t len)
{
	if (ring->has_registration)
		return -EBUSY;
	ring->registered.iov_base = addr;
	ring->registered.iov_len = len;
	int ret = io_uring_register_buffers(&ring->ring, &ring->registered, 1);
	if (ret == 0)
		ring->has_registration = 1;
	return ret;
}

int bridge_uring_unregister(bridge_ring *ring)
{
	if (!ring->has_registration)
		return -ENXIO;
	int ret = io_uring_unregister_buffers(&ring->ring);
	if (ret == 0)
		ring->has_registration = 0;
	return ret;
}

/* Submits the prepared entry and waits for its own completion; a completion left over from an I/O that timed out
 * earlier carries an older sequence number and is discarded. */
static int64_t submit_and_wait(bridge_ring *ring, struct io_uring_sqe *sqe, int timeout_ms)
{
	io_uring_sqe_set_data64(sqe, ++ring->sequence);
	int ret = io_uring_submit(&ring->ring);
	if (ret < 0)
		return ret;
	struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000,
				       .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
	for (;;) {
		struct io_uring_cqe *cqe;
		ret = io_uring_wait_cqe_timeout(&ring->ring, &cqe, &ts);
		if (ret < 0)
			return ret;
		uint64_t data = io_uring_cqe_get_data64(cqe);
		int64_t res = cqe->res;
		io_uring_cqe_seen(&ring->ring, cqe);
		if (data == ring->sequence)
			return res;
	}
}

static struct io_uring_sqe *next_sqe(bridge_ring *ring)
{
	return io_uring_get_sqe(&ring->ring);
}

int64_t bridge_uring_read_fixed(bridge_ring *ring, int fd, void *buf, uint32_t len, int64_t offset, int timeout_ms)
{
	struct io_uring_sqe *sqe = next_sqe(ring);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_read_fixed(sqe, fd, buf, len, (uint64_t)offset, 0);
	return submit_and_wait(ring, sqe, timeout_ms);
}

int64_t bridge_uring_write_fixed(bridge_ring *ring, int fd, const void *buf, uint32_t len, int64_t offset,
				 int timeout_ms)
{
	struct io_uring_sqe *sqe = next_sqe(ring);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_write_fixed(sqe, fd, buf, len, (uint64_t)offset, 0);
	return submit_and_wait(ring, sqe, timeout_ms);
}

int64_t bridge_uring_readv(bridge_ring *ring, int fd, void *buf, uint32_t len, int64_t offset, int timeout_ms)
{
	struct io_uring_sqe *sqe = next_sqe(ring);
	if (!sqe)
		return -EBUSY;
	/* liburing keeps a pointer to the iovec until submission, which happens before we return. */
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	io_uring_prep_readv(sqe, fd, &iov, 1, (uint64_t)offset);
	return submit_and_wait(ring, sqe, timeout_ms);
}

int64_t bridge_uring_writev(bridge_ring *ring, int fd, const void *buf, uint32_t len, int64_t offset, int timeout_ms)
{
	struct io_uring_sqe *sqe = next_sqe(ring);
	if (!sqe)
		return -EBUSY;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	io_uring_prep_writev(sqe, fd, &iov, 1, (uint64_t)offset);
	return submit_and_wait(ring, sqe, timeout_ms);
}
