/* fork() with stores in the child, as tools/testing/selftests/mm/cow.c does around pinned buffers. */
#include "fork.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int bridge_fork_copy(const struct bridge_copy *copies, size_t count)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (size_t i = 0; i < count; i++)
			memcpy(copies[i].dst, copies[i].src, copies[i].len);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}
