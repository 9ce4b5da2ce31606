/* Bridge's RDMA shim: a flat, stable C ABI over libibverbs (rdma-core) for the managed harness
 * (Interop/VerbsNative.cs). The "device" is an RC queue pair connected to itself on a soft-RoCE (rdma_rxe) port: RDMA
 * WRITE from a bounce buffer into a registered region plays a NIC writing the pinned pages; RDMA READ plays it reading
 * them. Every call returns 0 or -errno; a work completion error is -EIO with its ibv_wc_status in *wc_status. */
#ifndef BRIDGE_VERBS_H
#define BRIDGE_VERBS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bridge_rdma bridge_rdma;
typedef struct bridge_mr bridge_mr;

/* Opens the first RDMA device (or the one named), a PD, a CQ, a self-connected RC QP over GID `gid_index`, and a
 * registered bounce buffer of `bounce_len` bytes. -ENODEV when there is no device. On success *name receives the
 * device name (up to name_len bytes, NUL-terminated). */
int bridge_rdma_open(const char *device, int gid_index, size_t bounce_len, bridge_rdma **out, char *name,
		     size_t name_len);
void bridge_rdma_close(bridge_rdma *rdma);

/* The bounce buffer: the device's side of every transfer. */
void *bridge_rdma_bounce(bridge_rdma *rdma);

/* ibv_reg_mr over [addr, addr+len) with IBV_ACCESS_* flags: the long-term pin (ib_umem_get). What the kernel refuses
 * it with (-EFAULT for a writable file-backed mapping on 6.5+) is the result. */
int bridge_rdma_reg_mr(bridge_rdma *rdma, void *addr, size_t len, int access, bridge_mr **out);
/* ibv_dereg_mr: unpins (ib_umem_release, dirtying the pages if the region was writable). */
int bridge_rdma_dereg_mr(bridge_mr *mr);

/* RDMA WRITE of len bytes from bounce+bounce_offset into the region at addr, or RDMA READ of len bytes at addr into
 * bounce+bounce_offset; waits for the completion up to timeout_ms (-ETIME). */
int bridge_rdma_write(bridge_rdma *rdma, size_t bounce_offset, bridge_mr *mr, void *addr, uint32_t len, int timeout_ms,
		      int *wc_status);
int bridge_rdma_read(bridge_rdma *rdma, size_t bounce_offset, bridge_mr *mr, void *addr, uint32_t len, int timeout_ms,
		     int *wc_status);

#endif
