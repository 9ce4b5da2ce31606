/* Bridge's io_uring shim: a flat, stable C ABI over liburing for the managed harness (Interop/UringNative.cs).
 * Every call returns 0 or a non-negative byte count on success and -errno on failure; nothing else is exported. */
#ifndef BRIDGE_URING_H
#define BRIDGE_URING_H

#include <stddef.h>
#include <stdint.h>

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

#endif
