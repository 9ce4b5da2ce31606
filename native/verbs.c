/* RDMA for Bridge, over libibverbs: a soft-RoCE device, a self-connected RC QP, memory regions over the caller's
 * mapping, and single RDMA WRITE / READ operations whose completion is polled with a timeout.
 *
 * The ABI: Bridge's RDMA shim: a flat, stable C ABI over libibverbs (rdma-core) for the managed harness
 * (Interop/VerbsNative.cs). The "device" is an RC queue pair connected to itself on a soft-RoCE (rdma_rxe) port: RDMA
 * WRITE from a bounce buffer into a registered region plays a NIC writing the pinned pages; RDMA READ plays it reading
 * them. Every call returns 0 or -errno; a work completion error is -EIO with its ibv_wc_status in *wc_status. */

// link: -libverbs
#include <errno.h>
#include <infiniband/verbs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ibv_wc_status_str: the name of a work completion status, for the step's detail. */
const char *bridge_rdma_wc_status_str(int wc_status);

struct bridge_rdma {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	void *bounce;
	size_t bounce_len;
	struct ibv_mr *bounce_mr;
	uint64_t sequence;
	int gid_index;
};

struct bridge_mr {
	struct ibv_mr *mr;
};

static int err_or(int fallback)
{
	return errno ? -errno : fallback;
}

/* RESET -> INIT -> RTR -> RTS with the QP as its own remote: its own QPN and the port's GID at gid_index. */
static int connect_to_self(struct bridge_rdma *r, int gid_index)
{
	struct ibv_port_attr port;
	union ibv_gid gid;
	if (ibv_query_port(r->ctx, 1, &port) || ibv_query_gid(r->ctx, 1, gid_index, &gid))
		return err_or(-EIO);

	struct ibv_qp_attr attr = {
	    .qp_state = IBV_QPS_INIT,
	    .pkey_index = 0,
	    .port_num = 1,
	    .qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ,
	};
	if (ibv_modify_qp(r->qp, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return err_or(-EIO);

	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IBV_QPS_RTR;
	attr.path_mtu = port.active_mtu;
	attr.dest_qp_num = r->qp->qp_num;
	attr.rq_psn = 0;
	attr.max_dest_rd_atomic = 1;
	attr.min_rnr_timer = 12;
	attr.ah_attr.is_global = 1;
	attr.ah_attr.grh.dgid = gid;
	attr.ah_attr.grh.sgid_index = (uint8_t)gid_index;
	attr.ah_attr.grh.hop_limit = 1;
	attr.ah_attr.port_num = 1;
	if (ibv_modify_qp(r->qp, &attr,
			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			      IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return err_or(-EIO);

	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IBV_QPS_RTS;
	attr.timeout = 14;
	attr.retry_cnt = 7;
	attr.rnr_retry = 7;
	attr.sq_psn = 0;
	attr.max_rd_atomic = 1;
	if (ibv_modify_qp(r->qp, &attr,
			  IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			      IBV_QP_MAX_QP_RD_ATOMIC))
		return err_or(-EIO);
	return 0;
}

int bridge_rdma_open(const char *device, int gid_index, size_t bounce_len, bridge_rdma **out, char *name,
		     size_t name_len)
{
	int count = 0;
	struct ibv_device **list = ibv_get_device_list(&count);
	if (!list)
		return err_or(-ENODEV);
	struct ibv_device *chosen = NULL;
	for (int i = 0; i < count && !chosen; i++) {
		if (!device || strcmp(ibv_get_device_name(list[i]), device) == 0)
			chosen = list[i];
	}
	if (!chosen) {
		ibv_free_device_list(list);
		return -ENODEV;
	}

	struct bridge_rdma *r = calloc(1, sizeof(*r));
	int ret = -ENOMEM;
	if (!r)
		goto out_list;
	r->ctx = ibv_open_device(chosen);
	if (!r->ctx) {
		ret = err_or(-ENODEV);
		goto fail;
	}
	snprintf(name, name_len, "%s", ibv_get_device_name(chosen));
	r->pd = ibv_alloc_pd(r->ctx);
	r->cq = r->pd ? ibv_create_cq(r->ctx, 16, NULL, NULL, 0) : NULL;
	if (!r->cq) {
		ret = err_or(-ENOMEM);
		goto fail;
	}
	struct ibv_qp_init_attr init = {
	    .send_cq = r->cq,
	    .recv_cq = r->cq,
	    .qp_type = IBV_QPT_RC,
	    .cap = {.max_send_wr = 4, .max_recv_wr = 1, .max_send_sge = 1, .max_recv_sge = 1},
	    .sq_sig_all = 1,
	};
	r->qp = ibv_create_qp(r->pd, &init);
	if (!r->qp) {
		ret = err_or(-ENOMEM);
		goto fail;
	}
	r->bounce_len = bounce_len;
	if (posix_memalign(&r->bounce, 4096, bounce_len)) {
		ret = -ENOMEM;
		goto fail;
	}
	memset(r->bounce, 0, bounce_len);
	r->bounce_mr = ibv_reg_mr(r->pd, r->bounce, bounce_len, IBV_ACCESS_LOCAL_WRITE);
	if (!r->bounce_mr) {
		ret = err_or(-ENOMEM);
		goto fail;
	}
	r->gid_index = gid_index;
	ret = connect_to_self(r, gid_index);
	if (ret)
		goto fail;
	*out = r;
	ibv_free_device_list(list);
	return 0;
fail:
	bridge_rdma_close(r);
out_list:
	ibv_free_device_list(list);
	return ret;
}

void bridge_rdma_close(bridge_rdma *r)
{
	if (!r)
		return;
	if (r->qp)
		ibv_destroy_qp(r->qp);
	if (r->bounce_mr)
		ibv_dereg_mr(r->bounce_mr);
	free(r->bounce);
	if (r->cq)
		ibv_destroy_cq(r->cq);
	if (r->pd)
		ibv_dealloc_pd(r->pd);
	if (r->ctx)
		ibv_close_device(r->ctx);
	free(r);
}

void *bridge_rdma_bounce(bridge_rdma *r)
{
	return r->bounce;
}

int bridge_rdma_reg_mr(bridge_rdma *r, void *addr, size_t len, int access, bridge_mr **out)
{
	struct bridge_mr *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	errno = 0;
	m->mr = ibv_reg_mr(r->pd, addr, len, access);
	if (!m->mr) {
		int ret = err_or(-EINVAL);
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

int bridge_rdma_dereg_mr(bridge_mr *m)
{
	int ret = ibv_dereg_mr(m->mr);
	free(m);
	return ret ? -ret : 0;
}

/* After a failed completion the QP is in the error state: an RC requester that gets a NAK (an MR without the access
 * the operation needs: remote access error) or times out moves the QP to ERROR, and every later work request on it
 * completes with IBV_WC_WR_FLUSH_ERR (rdma_rxe: rxe_comp.c COMPST_ERROR -> rxe_qp_error; rxe_req.c flushes while
 * req.state is QP_STATE_ERROR). Each Bridge device operation stands alone, as a device that retries over a fresh
 * connection does: the QP is taken back through RESET and connected to itself again, which also drops any work
 * request still outstanding. */
static int recover(bridge_rdma *r)
{
	struct ibv_qp_attr attr = {.qp_state = IBV_QPS_RESET};
	if (ibv_modify_qp(r->qp, &attr, IBV_QP_STATE))
		return err_or(-EIO);
	struct ibv_wc stale;
	while (ibv_poll_cq(r->cq, 1, &stale) > 0)
		; /* flushed completions of the failed request */
	return connect_to_self(r, r->gid_index);
}

/* Posts one RDMA operation and polls its completion; a failed or timed-out one leaves the QP usable again. */
static int transfer(bridge_rdma *r, enum ibv_wr_opcode opcode, size_t bounce_offset, bridge_mr *m, void *addr,
		    uint32_t len, int timeout_ms, int *wc_status)
{
	*wc_status = IBV_WC_SUCCESS;
	if (bounce_offset + len > r->bounce_len)
		return -EINVAL;
	struct ibv_sge sge = {
	    .addr = (uintptr_t)r->bounce + bounce_offset,
	    .length = len,
	    .lkey = r->bounce_mr->lkey,
	};
	struct ibv_send_wr wr = {
	    .wr_id = ++r->sequence,
	    .sg_list = &sge,
	    .num_sge = 1,
	    .opcode = opcode,
	    .wr.rdma = {.remote_addr = (uintptr_t)addr, .rkey = m->mr->rkey},
	};
	struct ibv_send_wr *bad;
	int ret = ibv_post_send(r->qp, &wr, &bad);
	if (ret)
		return -ret;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct ibv_wc wc;
		int n = ibv_poll_cq(r->cq, 1, &wc);
		if (n < 0)
			return -EIO;
		if (n == 1 && wc.wr_id == r->sequence) {
			*wc_status = wc.status;
			if (wc.status == IBV_WC_SUCCESS)
				return 0;
			recover(r); /* the operation's own error is the result, whatever the recovery gives */
			return -EIO;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > timeout_ms) {
			recover(r);
			return -ETIME;
		}
	}
}

int bridge_rdma_write(bridge_rdma *r, size_t bounce_offset, bridge_mr *m, void *addr, uint32_t len, int timeout_ms,
		      int *wc_status)
{
	return transfer(r, IBV_WR_RDMA_WRITE, bounce_offset, m, addr, len, timeout_ms, wc_status);
}

int bridge_rdma_read(bridge_rdma *r, size_t bounce_offset, bridge_mr *m, void *addr, uint32_t len, int timeout_ms,
		     int *wc_status)
{
	return transfer(r, IBV_WR_RDMA_READ, bounce_offset, m, addr, len, timeout_ms, wc_status);
}

const char *bridge_rdma_wc_status_str(int wc_status)
{
	return ibv_wc_status_str((enum ibv_wc_status)wc_status);
}
