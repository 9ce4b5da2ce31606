/* The data file's other writers, for the calls libc bindings lack (Tmds.LibC has no copy_file_range, no
 * FICLONERANGE and no FALLOC_FL_ZERO_RANGE, COLLAPSE_RANGE or INSERT_RANGE): copy_file_range(2),
 * ioctl(FICLONERANGE), fallocate(ZERO_RANGE) and fallocate(COLLAPSE_RANGE / INSERT_RANGE).
 *
 * The ABI (Interop/FileWriteNative.cs): every function returns 0 or -errno; offsets and lengths are bytes. */
#define _GNU_SOURCE /* copy_file_range, fallocate */

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* copy_file_range from src_fd at src_off to dst_fd at dst_off, len bytes, looping over short copies; a copy that
 * stops early (0 returned before len) is -ENODATA: the source ended. */
int bridge_copy_range(int src_fd, int64_t src_off, int dst_fd, int64_t dst_off, uint64_t len);

/* ioctl(dst_fd, FICLONERANGE) of len bytes from src_fd at src_off to dst_off (btrfs, xfs; -EOPNOTSUPP where the
 * filesystem has no remap_file_range, -EXDEV across superblocks). */
int bridge_clone_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len);

/* fallocate(FALLOC_FL_ZERO_RANGE) over [off, off + len): the range reads as zeros, the file grows past EOF. */
int bridge_zero_range(int fd, int64_t off, int64_t len);

/* fallocate(FALLOC_FL_INSERT_RANGE) when insert is nonzero, else fallocate(FALLOC_FL_COLLAPSE_RANGE), over
 * [off, off + len): the data from off on moves up by len (a hole opens at off) or the range is removed and the data
 * after it moves down. -EOPNOTSUPP where the filesystem has no such mode, -EINVAL when the range is not aligned to
 * the filesystem block, a collapse reaches EOF or an insert starts at or past it. */
int bridge_shift_range(int fd, int insert, int64_t off, int64_t len);

int bridge_copy_range(int src_fd, int64_t src_off, int dst_fd, int64_t dst_off, uint64_t len)
{
	off64_t in = src_off, out = dst_off;
	while (len > 0) {
		ssize_t n = copy_file_range(src_fd, &in, dst_fd, &out, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		len -= (uint64_t)n;
	}
	return 0;
}

int bridge_clone_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len)
{
	struct file_clone_range range = {
	    .src_fd = src_fd,
	    .src_offset = src_off,
	    .src_length = len,
	    .dest_offset = dst_off,
	};
	return ioctl(dst_fd, FICLONERANGE, &range) < 0 ? -errno : 0;
}

int bridge_zero_range(int fd, int64_t off, int64_t len)
{
	return fallocate(fd, FALLOC_FL_ZERO_RANGE, off, len) < 0 ? -errno : 0;
}

int bridge_shift_range(int fd, int insert, int64_t off, int64_t len)
{
	int mode = insert ? FALLOC_FL_INSERT_RANGE : FALLOC_FL_COLLAPSE_RANGE;
	return fallocate(fd, mode, off, len) < 0 ? -errno : 0;
}
