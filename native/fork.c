/* fork() with stores in a child that stays alive, as tools/testing/selftests/mm/cow.c does around pinned buffers.
 *
 * The ABI: lets the managed harness (Interop/ForkNative.cs) fork a child that only copies memory and then waits — the
 * child of a .NET process must not run managed code, so everything it does happens here, between fork() and _exit(). */
#define _GNU_SOURCE /* pipe2 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct bridge_copy {
	void *dst;
	const void *src;
	size_t len;
};

/* Forks. The child performs the copies (writing into ITS view of dst: a COW copy for private memory, the shared
 * pages otherwise), reports that it is done, and stays alive — sharing the parent's COW pages, as
 * tools/testing/selftests/mm/cow.c's children do — until bridge_fork_release. The parent returns once the copies
 * are done: 0 with *child and *release set, or -errno. */
int bridge_fork_hold(const struct bridge_copy *copies, size_t count, int *child, int *release);

/* Lets the child exit and reaps it: 0, -errno, or -ECHILD when it did not exit with status 0. */
int bridge_fork_release(int child, int release);

static int reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int bridge_fork_hold(const struct bridge_copy *copies, size_t count, int *child, int *release)
{
	int ready[2], hold[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(hold, O_CLOEXEC) < 0) {
		int err = -errno;
		close(ready[0]);
		close(ready[1]);
		return err;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(ready[0]);
		close(ready[1]);
		close(hold[0]);
		close(hold[1]);
		return err;
	}
	if (pid == 0) {
		char byte = 1;
		/* Keep only the two pipe ends, as stdin/stdout: an inherited fd (another child's release end, an
		 * io_uring ring) must not outlive the parent's close of it. */
		if (dup2(hold[0], 0) < 0 || dup2(ready[1], 1) < 0)
			_exit(1);
		close_range(3, ~0U, 0);
		for (size_t i = 0; i < count; i++)
			memcpy(copies[i].dst, copies[i].src, copies[i].len);
		if (write(1, &byte, 1) != 1)
			_exit(1);
		/* Stay alive, sharing the parent's COW pages, until the parent closes its end. */
		while (read(0, &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	char byte;
	ssize_t n;
	while ((n = read(ready[0], &byte, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 1) {
		close(hold[1]);
		reap(pid);
		return -ECHILD;
	}
	*child = pid;
	*release = hold[1];
	return 0;
}

int bridge_fork_release(int child, int release)
{
	close(release);
	return reap(child);
}
