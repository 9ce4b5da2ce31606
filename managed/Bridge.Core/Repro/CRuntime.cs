namespace Bridge.Core.Repro;

/// <summary>
/// The fixed C of every reproducer: the block format (ARCHITECTURE.md §6, byte for byte what
/// <see cref="Blocks.BlockCodec"/> writes), the harness (the scenario's files, its mapping, step results), the
/// judge (what a read path saw against the embedded expectations, named as <see cref="Oracle.BlockJudge"/> names
/// it), and the pin paths' devices (the same calls as native/uring.c and native/verbs.c). The scenario's own part —
/// its facts, expectation tables, one function per step and <c>main</c> — is written by
/// <see cref="ReproGenerator"/>. Kept as text here (not a resource file) so that Core reads nothing at run time.
/// </summary>
internal static class CRuntime
{
    public const string Includes = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <inttypes.h>
        #include <linux/falloc.h>
        #include <linux/fs.h>
        #include <sys/ioctl.h>
        #include <limits.h>
        #include <pthread.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <sys/mount.h>
        #include <sys/random.h>
        #include <sys/stat.h>
        #include <sys/statfs.h>
        #include <sys/wait.h>
        #include <time.h>
        #include <unistd.h>
        """;

    public const string BlockFormat = """
        /* ---- Bridge's self-checking blocks (docs/ARCHITECTURE.md §6) ------------------------------------------
         * Every 512-byte sector starts with a 48-byte little-endian header:
         *   0 u32 magic "BRDG"   4 u16 version (1)   6 u16 sectors per block
         *   8 u64 run id        16 u32 file id      20 u8 writer, 3 zero bytes
         *  24 u64 byte offset of this sector in its file
         *  32 u32 generation    36 u32 iteration    40 u32 step index   44 u32 crc32c of the sector, this field 0
         *  48 payload: splitmix64 seeded by (run, file, offset, generation, iteration)
         * so `pinbridge check FILE` verifies what this program leaves. */
        #define SECTOR_SIZE 512
        #define HEADER_SIZE 48
        #define SECTORS_PER_BLOCK (BLOCK_BYTES / SECTOR_SIZE)
        #define BLOCK_MAGIC 0x47445242u
        #define FORMAT_VERSION 1
        #define FILE_ID 1 /* the data file; copies in output files keep the data file's id */

        static uint64_t run_id;
        static uint32_t crc_table[256];

        static void crc32c_init(void)
        {
        	for (uint32_t i = 0; i < 256; i++) {
        		uint32_t c = i;
        		for (int k = 0; k < 8; k++)
        			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        		crc_table[i] = c;
        	}
        }

        static uint32_t crc32c_update(uint32_t crc, const uint8_t *p, size_t n)
        {
        	while (n--)
        		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
        	return crc;
        }

        /* crc32c (RFC 3720) over the sector with its crc field taken as zero. */
        static uint32_t sector_crc(const uint8_t *sector)
        {
        	static const uint8_t zero[4];
        	uint32_t crc = crc32c_update(~0u, sector, 44);
        	crc = crc32c_update(crc, zero, 4);
        	return ~crc32c_update(crc, sector + 48, SECTOR_SIZE - 48);
        }

        static uint64_t splitmix64(uint64_t *state)
        {
        	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
        	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        	return z ^ (z >> 31);
        }

        static void put_le(uint8_t *p, uint64_t v, int bytes)
        {
        	for (int i = 0; i < bytes; i++)
        		p[i] = (uint8_t)(v >> (8 * i));
        }

        static uint64_t get_le(const uint8_t *p, int bytes)
        {
        	uint64_t v = 0;
        	for (int i = 0; i < bytes; i++)
        		v |= (uint64_t)p[i] << (8 * i);
        	return v;
        }

        /* Who writes a block: generation, race iteration, path and step (the run and file are global). */
        struct stamp {
        	uint32_t gen, iteration, step;
        	uint8_t writer;
        };

        static void stamp_sector(uint8_t *sector, const struct stamp *st, uint64_t offset)
        {
        	put_le(sector, BLOCK_MAGIC, 4);
        	put_le(sector + 4, FORMAT_VERSION, 2);
        	put_le(sector + 6, SECTORS_PER_BLOCK, 2);
        	put_le(sector + 8, run_id, 8);
        	put_le(sector + 16, FILE_ID, 4);
        	sector[20] = st->writer;
        	sector[21] = sector[22] = sector[23] = 0;
        	put_le(sector + 24, offset, 8);
        	put_le(sector + 32, st->gen, 4);
        	put_le(sector + 36, st->iteration, 4);
        	put_le(sector + 40, st->step, 4);
        	put_le(sector + 44, 0, 4);
        	uint64_t state = run_id ^ ((uint64_t)FILE_ID << 48) ^ (offset * 0x9E3779B97F4A7C15ull) ^
        			 ((uint64_t)st->gen << 20) ^ ((uint64_t)st->iteration << 40);
        	for (int i = HEADER_SIZE; i + 8 <= SECTOR_SIZE; i += 8)
        		put_le(sector + i, splitmix64(&state), 8);
        	put_le(sector + 44, sector_crc(sector), 4);
        }

        /* Stamps block `index` (its sectors' offsets are the block's place in the file), sector by sector: a
         * concurrent reader can catch a block half-written, as with Bridge's own stores. */
        static void stamp_block(uint8_t *block, int index, const struct stamp *st)
        {
        	for (int s = 0; s < SECTORS_PER_BLOCK; s++)
        		stamp_sector(block + s * SECTOR_SIZE, st, (uint64_t)index * BLOCK_BYTES + (uint64_t)s * SECTOR_SIZE);
        }

        enum sector_kind { SECTOR_ZERO, SECTOR_FOREIGN, SECTOR_BAD_CRC, SECTOR_VALID };

        struct sector_read {
        	enum sector_kind kind;
        	uint64_t run, offset;
        	uint32_t file, gen, iteration, step;
        	uint8_t writer;
        };

        static struct sector_read decode_sector(const uint8_t *sector)
        {
        	struct sector_read r = {0};
        	if (get_le(sector, 4) != BLOCK_MAGIC || get_le(sector + 4, 2) != FORMAT_VERSION) {
        		r.kind = SECTOR_ZERO;
        		for (int i = 0; i < SECTOR_SIZE; i++)
        			if (sector[i])
        				r.kind = SECTOR_FOREIGN;
        		return r;
        	}
        	r.run = get_le(sector + 8, 8);
        	r.file = (uint32_t)get_le(sector + 16, 4);
        	r.writer = sector[20];
        	r.offset = get_le(sector + 24, 8);
        	r.gen = (uint32_t)get_le(sector + 32, 4);
        	r.iteration = (uint32_t)get_le(sector + 36, 4);
        	r.step = (uint32_t)get_le(sector + 40, 4);
        	r.kind = sector_crc(sector) == (uint32_t)get_le(sector + 44, 4) ? SECTOR_VALID : SECTOR_BAD_CRC;
        	return r;
        }
        """;

    public const string Harness = """
        /* ---- the harness: files, mapping, step results ------------------------------------------------------ */
        #define NOT_RUN 1 /* a step function's "not attempted" (0: ok, -errno: failed) */
        #define MAYBE_UNUSED __attribute__((unused)) /* a helper this scenario's steps may not call */

        enum outcome { OUTCOME_OK, OUTCOME_ERRNO, OUTCOME_NOT_RUN };

        /* One step's result; inside a race, over all of its iterations (iteration i writes generation (gen, i)). */
        struct step_result {
        	enum outcome outcome;
        	int error;		      /* the first failure's errno */
        	long iterations, failures;    /* a race step's calls and failed calls */
        	long last_ok;		      /* the last iteration that succeeded, -1: none */
        	const char *why;	      /* why it was not run */
        	int declined;		      /* the step declined at run time (NOT_RUN: the harness would fault) */
        };

        static struct step_result results[STEP_COUNT];
        static int refused_pins;	/* bit i: the i-th pin step of the scenario was refused */

        /* A file the device and O_DIRECT reads take their data from: the data file's size, the blocks a step reads
         * stamped as the data file's blocks (so the copy verifies where it lands), the same bytes in memory. */
        struct source {
        	int fd;
        	uint8_t *buffer;
        	pthread_mutex_t lock;
        };

        /* A file steps copy the mapping (or the pinned pages) into: written with O_DIRECT, read back by checks through
         * O_DIRECT and the page cache. */
        struct output {
        	const char *name;
        	int direct_fd, buffered_fd;
        };

        static struct {
        	const char *dir, *aux_dir;
        	char data_path[4096];
        	unsigned memfd_flags;	/* the data file's memfd_create flags (its sibling files get the same) */
        	int data_fd, direct_fd, direct_write_fd;	/* the data file read-write, and O_RDONLY|O_DIRECT (-1: O_DIRECT unsupported) */
        	int direct_errno;
        	uint8_t *map;
        	int map_gone, map_read_only;
        	/* Stores hold it shared, mprotect and munmap exclusive (the harness's RunContext.MappingChange): a store that
        	 * looked at the protection before an mprotect(PROT_READ) landed would fault; with it, the store ends first
        	 * or sees the change and is not run. */
        	pthread_rwlock_t mapping_change;
        	struct source sources[STEP_COUNT];
        	struct output outputs[OUTPUT_COUNT + 1];
        	pid_t children[STEP_COUNT];
        	int child_release[STEP_COUNT];
        	int siblings[STEP_COUNT];
        } S = {.data_fd = -1, .direct_fd = -1, .direct_write_fd = -1, .mapping_change = PTHREAD_RWLOCK_INITIALIZER};

        static void die(const char *what)
        {
        	fprintf(stderr, "repro: %s: %s\n", what, strerror(errno));
        	exit(EXIT_SETUP);
        }

        static const char *errno_name(int e)
        {
        	switch (e) {
        	case EPERM: return "EPERM";
        	case ENOENT: return "ENOENT";
        	case EIO: return "EIO";
        	case ENXIO: return "ENXIO";
        	case EBADF: return "EBADF";
        	case ECHILD: return "ECHILD";
        	case EAGAIN: return "EAGAIN";
        	case ENOMEM: return "ENOMEM";
        	case EACCES: return "EACCES";
        	case EFAULT: return "EFAULT";
        	case EBUSY: return "EBUSY";
        	case EINVAL: return "EINVAL";
        	case ENOSPC: return "ENOSPC";
        	case ENOSYS: return "ENOSYS";
        	case EOPNOTSUPP: return "EOPNOTSUPP";
        	case ETIME: return "ETIME";
        	case EUCLEAN: return "EUCLEAN";
        	case ENODEV: return "ENODEV";
        	case EXDEV: return "EXDEV";
        	case ENODATA: return "ENODATA";
        	default: return "errno";
        	}
        }

        static int64_t now_ns(void)
        {
        	struct timespec ts;
        	clock_gettime(CLOCK_MONOTONIC, &ts);
        	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        }

        static void *aligned_alloc_or_die(size_t size)
        {
        	void *p;
        	if (posix_memalign(&p, 4096, size))
        		die("posix_memalign");
        	memset(p, 0, size);
        	return p;
        }

        /* The blocks the data file has now (after truncates); anonymous memory has them all. */
        static int file_blocks(void)
        {
        	struct stat st;
        	if (S.data_fd < 0)
        		return BLOCK_COUNT;
        	if (fstat(S.data_fd, &st))
        		die("fstat data");
        	return (int)(st.st_size / BLOCK_BYTES);
        }

        /* A run of consecutive blocks: steps issue one call per run, as Bridge does. */
        struct run {
        	int first, count;
        };

        #define OFFSET(block) ((off_t)(block) * BLOCK_BYTES)
        #define RUN_LEN(r) ((size_t)(r).count * BLOCK_BYTES)

        /* A whole transfer or an error: a short one is EIO's cousin Bridge calls a short transfer. */
        static MAYBE_UNUSED long complete(ssize_t done, size_t wanted)
        {
        	if (done < 0)
        		return -errno;
        	return (size_t)done == wanted ? 0 : -EIO;
        }

        static MAYBE_UNUSED void open_source(int step)
        {
        	char path[4200];
        	snprintf(path, sizeof(path), "%s/src-%d", S.aux_dir, step);
        	struct source *src = &S.sources[step];
        	src->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0600);
        	if (src->fd < 0 || ftruncate(src->fd, FILE_SIZE))
        		die(path);
        	src->buffer = aligned_alloc_or_die(FILE_SIZE);
        	pthread_mutex_init(&src->lock, NULL);
        }

        /* Stamps the step's blocks with (gen, iteration) and writes them with O_DIRECT: the read that follows finds
         * them on disk. */
        static MAYBE_UNUSED long prepare_source(int step, const struct run *runs, int nruns, const struct stamp *st)
        {
        	struct source *src = &S.sources[step];
        	for (int i = 0; i < nruns; i++) {
        		for (int b = runs[i].first; b < runs[i].first + runs[i].count; b++)
        			stamp_block(src->buffer + OFFSET(b), b, st);
        		long r = complete(pwrite(src->fd, src->buffer + OFFSET(runs[i].first), RUN_LEN(runs[i]),
        					 OFFSET(runs[i].first)),
        				  RUN_LEN(runs[i]));
        		if (r)
        			return r;
        	}
        	return 0;
        }

        /* A file beside the data file, on its filesystem (copy_file_range and FICLONERANGE need one superblock). */
        static MAYBE_UNUSED void open_sibling(int step)
        {
        	char path[4200];
        	snprintf(path, sizeof(path), "%s/src-%d", S.dir ? S.dir : "", step);
        	S.siblings[step] = S.dir ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) : memfd_create("bridge-src", S.memfd_flags);
        	if (S.siblings[step] < 0 || ftruncate(S.siblings[step], FILE_SIZE))
        		die("the file beside the data file");
        }

        /* Stamps the step's blocks into the step's buffer; with a sibling file, writes them there too. */
        static MAYBE_UNUSED long stamp_file_source(int step, const struct run *runs, int nruns, const struct stamp *st, int sibling)
        {
        	struct source *src = &S.sources[step];
        	if (!src->buffer)
        		src->buffer = aligned_alloc_or_die(FILE_SIZE);
        	for (int i = 0; i < nruns; i++) {
        		for (int b = runs[i].first; b < runs[i].first + runs[i].count; b++)
        			stamp_block(src->buffer + OFFSET(b), b, st);
        		if (!sibling)
        			continue;
        		long r = complete(pwrite(S.siblings[step], src->buffer + OFFSET(runs[i].first), RUN_LEN(runs[i]),
        					 OFFSET(runs[i].first)),
        				  RUN_LEN(runs[i]));
        		if (r)
        			return r;
        	}
        	return 0;
        }

        /* copy_file_range over one run, at the same offset in both files, looping over short copies. */
        static MAYBE_UNUSED long copy_run(int from, off_t offset, size_t len)
        {
        	off_t in = offset, out = offset;
        	while (len > 0) {
        		ssize_t n = copy_file_range(from, &in, S.data_fd, &out, len, 0);
        		if (n < 0)
        			return -errno;
        		if (n == 0)
        			return -ENODATA;
        		len -= (size_t)n;
        	}
        	return 0;
        }

        static MAYBE_UNUSED long clone_run(int from, off_t offset, size_t len)
        {
        	struct file_clone_range range = {
        	    .src_fd = from, .src_offset = (uint64_t)offset, .src_length = len, .dest_offset = (uint64_t)offset};
        	return ioctl(S.data_fd, FICLONERANGE, &range) ? -errno : 0;
        }

        /* The data file opened O_RDWR|O_DIRECT for odirect-write-file, at its first call. */
        static MAYBE_UNUSED long direct_write_fd(void)
        {
        	if (S.direct_write_fd < 0)
        		S.direct_write_fd = open(S.data_path, O_RDWR | O_DIRECT);
        	return S.direct_write_fd < 0 ? -errno : S.direct_write_fd;
        }

        static MAYBE_UNUSED void open_output(int index, const char *name)
        {
        	char path[4200];
        	snprintf(path, sizeof(path), "%s/out-%s", S.aux_dir, name);
        	struct output *out = &S.outputs[index];
        	out->name = name;
        	out->direct_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0600);
        	if (out->direct_fd < 0 || ftruncate(out->direct_fd, FILE_SIZE))
        		die(path);
        	out->buffered_fd = open(path, O_RDONLY);
        	if (out->buffered_fd < 0)
        		die(path);
        }

        /* The data file's directory must be the backing's filesystem: the finding depends on it. */
        static MAYBE_UNUSED void require_filesystem(const char *dir, long magic, const char *name)
        {
        	struct statfs st;
        	if (statfs(dir, &st))
        		die(dir);
        	if ((long)st.f_type != magic) {
        		fprintf(stderr, "repro: %s is not on %s (f_type 0x%lx, expected 0x%lx): mount a %s filesystem there\n",
        			dir, name, (long)st.f_type, magic, name);
        		exit(EXIT_SETUP);
        	}
        }

        /* Makes a filesystem on `device` — only ever the one named with -d: its contents are lost — and mounts it on dir,
         * where it stays for `pinbridge check`. */
        static MAYBE_UNUSED void make_filesystem(const char *device, const char *dir, const char *const *mkfs, const char *fstype)
        {
        	printf("making %s on %s, mounted on %s\n", fstype, device, dir);
        	pid_t pid = fork();
        	if (pid < 0)
        		die("fork");
        	if (pid == 0) {
        		execvp(mkfs[0], (char *const *)mkfs);
        		_exit(127);
        	}
        	int status;
        	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        		fprintf(stderr, "repro: %s %s failed\n", mkfs[0], device);
        		exit(EXIT_SETUP);
        	}
        	if (mkdir(dir, 0755) && errno != EEXIST)
        		die(dir);
        	if (mount(device, dir, fstype, 0, NULL))
        		die("mount");
        }

        static MAYBE_UNUSED void open_data_in(const char *dir)
        {
        	snprintf(S.data_path, sizeof(S.data_path), "%s/data", dir);
        	S.data_fd = open(S.data_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        	if (S.data_fd < 0)
        		die(S.data_path);
        }

        static MAYBE_UNUSED void open_data_memfd(unsigned flags)
        {
        	S.memfd_flags = flags;
        	S.data_fd = memfd_create("bridge-data", flags);
        	if (S.data_fd < 0)
        		die("memfd_create (for MFD_HUGETLB: echo 16 > /proc/sys/vm/nr_hugepages)");
        	snprintf(S.data_path, sizeof(S.data_path), "/proc/self/fd/%d", S.data_fd);
        }

        /* Generation 0 in every block (or a sparse file), synced; then the O_DIRECT descriptor and the mapping. */
        static void set_up_file_and_mapping(int map_flags, int fill, int fill_through_mapping)
        {
        	const struct stamp initial = {.gen = 0, .iteration = 0, .step = UINT32_MAX, .writer = WRITER_INITIAL};
        	if (S.data_fd >= 0) {
        		if (ftruncate(S.data_fd, FILE_SIZE))
        			die("ftruncate data");
        		if (fill && !fill_through_mapping) {
        			uint8_t *buffer = aligned_alloc_or_die(FILE_SIZE);
        			for (int b = 0; b < BLOCK_COUNT; b++)
        				stamp_block(buffer + OFFSET(b), b, &initial);
        			if (complete(pwrite(S.data_fd, buffer, FILE_SIZE, 0), FILE_SIZE))
        				die("initial fill");
        			free(buffer);
        		} else if (fill) {
        			uint8_t *m = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, S.data_fd, 0);
        			if (m == MAP_FAILED)
        				die("mmap for the initial fill");
        			for (int b = 0; b < BLOCK_COUNT; b++)
        				stamp_block(m + OFFSET(b), b, &initial);
        			munmap(m, FILE_SIZE);
        		}
        		if (fsync(S.data_fd))
        			die("fsync after the initial fill");
        		S.direct_fd = open(S.data_path, O_RDONLY | O_DIRECT);
        		S.direct_errno = S.direct_fd < 0 ? errno : 0;
        	}
        	S.map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, map_flags, S.data_fd, 0);
        	if (S.map == MAP_FAILED)
        		die("mmap");
        	if (fill && S.data_fd < 0)
        		for (int b = 0; b < BLOCK_COUNT; b++)
        			stamp_block(S.map + OFFSET(b), b, &initial);
        }

        static MAYBE_UNUSED void not_run(int step, const char *text, const char *why);

        /* Records one top-level call. */
        static MAYBE_UNUSED void record(int step, const char *text, long r)
        {
        	struct step_result *res = &results[step];
        	if (r == NOT_RUN) {
        		not_run(step, text, "the harness would fault");
        		res->declined = 1;
        		return;
        	}
        	res->iterations = 1;
        	if (r == 0) {
        		res->outcome = OUTCOME_OK;
        		res->last_ok = 0;
        		printf("#%d %s: ok\n", step, text);
        	} else {
        		res->outcome = OUTCOME_ERRNO;
        		res->error = (int)-r;
        		res->failures = 1;
        		res->last_ok = -1;
        		printf("#%d %s: failed with %s (%s)\n", step, text, errno_name(res->error), strerror(res->error));
        	}
        }

        static MAYBE_UNUSED void not_run(int step, const char *text, const char *why)
        {
        	results[step].outcome = OUTCOME_NOT_RUN;
        	results[step].why = why;
        	results[step].last_ok = -1;
        	printf("#%d %s: not run: %s\n", step, text, why);
        }

        /* ---- races: every body step on its own thread, released together, each repeating until the bound ---- */
        typedef long (*step_fn)(uint32_t iteration);

        struct racer {
        	int step;
        	step_fn fn;
        	long count;
        	int64_t until;
        	pthread_barrier_t *start;
        };

        static MAYBE_UNUSED void *race_loop(void *arg)
        {
        	struct racer *r = arg;
        	struct step_result *res = &results[r->step];
        	res->last_ok = -1;
        	pthread_barrier_wait(r->start);
        	for (long i = 0; i < r->count && now_ns() < r->until; i++) {
        		long ret = r->fn((uint32_t)i);
        		if (ret == NOT_RUN) {
        			res->outcome = res->iterations ? res->outcome : OUTCOME_NOT_RUN;
        			res->why = "the harness would fault";
        			res->declined = 1;
        			break;
        		}
        		res->iterations++;
        		if (ret == 0) {
        			res->last_ok = i;
        		} else if (res->failures++ == 0) {
        			res->outcome = OUTCOME_ERRNO;
        			res->error = (int)-ret;
        		}
        	}
        	return NULL;
        }

        static MAYBE_UNUSED void run_race(struct racer *racers, int n)
        {
        	pthread_t threads[STEP_COUNT];
        	pthread_barrier_t start;
        	pthread_barrier_init(&start, NULL, (unsigned)n);
        	for (int i = 0; i < n; i++) {
        		racers[i].start = &start;
        		if (pthread_create(&threads[i], NULL, race_loop, &racers[i]))
        			die("pthread_create");
        	}
        	for (int i = 0; i < n; i++)
        		pthread_join(threads[i], NULL);
        	pthread_barrier_destroy(&start);
        	for (int i = 0; i < n; i++) {
        		struct step_result *res = &results[racers[i].step];
        		printf("   #%d: %ld iterations, %ld failed%s%s, last ok %ld\n", racers[i].step, res->iterations,
        		       res->failures, res->failures ? " first with " : "", res->failures ? errno_name(res->error) : "",
        		       res->last_ok);
        	}
        }

        /* ---- fork: a child stores through its copy of the mapping and stays alive until the scenario ends, as
         * tools/testing/selftests/mm/cow.c's children do (native/fork.c) ---- */
        static MAYBE_UNUSED long fork_and_store(int step, const uint8_t *staged, const struct run *runs, int nruns)
        {
        	int ready[2], hold[2];
        	if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC))
        		return -errno;
        	pid_t pid = fork();
        	if (pid < 0)
        		return -errno;
        	if (pid == 0) {
        		char byte = 1;
        		close(ready[0]);
        		close(hold[1]);
        		for (int i = 0; i < nruns; i++)
        			memcpy(S.map + OFFSET(runs[i].first), staged + OFFSET(runs[i].first), RUN_LEN(runs[i]));
        		if (write(ready[1], &byte, 1) != 1)
        			_exit(1);
        		while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
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
        	S.children[step] = pid;
        	S.child_release[step] = hold[1];
        	return n == 1 ? 0 : -ECHILD;
        }

        static void release_children(void)
        {
        	for (int i = 0; i < STEP_COUNT; i++) {
        		if (S.children[i] > 0) {
        			close(S.child_release[i]);
        			waitpid(S.children[i], NULL, 0);
        		}
        	}
        }

        static MAYBE_UNUSED long drop_caches(void)
        {
        	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
        	if (fd < 0)
        		return -errno;
        	long r = write(fd, "3\n", 2) == 2 ? 0 : -errno;
        	close(fd);
        	return r;
        }
        """;

    public const string Judge = """
        /* ---- the judge: what a read path saw, against what Bridge's oracle allows --------------------------- */
        enum content_kind { CONTENT_DATA, CONTENT_HOLE, CONTENT_EOF };

        /* One content a block may hold. In a race the iteration is known only at run time: last_of names the race
         * step whose last successful iteration it is (or, with up_to, any iteration that step made up to its last). */
        struct content {
        	enum content_kind kind;
        	uint32_t gen, iteration;
        	int last_of, up_to;
        	int step; /* the step that wrote it, -1: the initial fill */
        	int moved; /* written this many blocks further on; a collapse or insert moved it here */
        };

        enum read_path { PATH_DISK, PATH_BUFFERED, PATH_MAPPING };
        static const char *const PATH_NAMES[] = {"O_DIRECT", "buffered", "mapping"};

        struct view {
        	int file; /* 0: the data file, i: outputs[i] */
        	enum read_path path;
        };

        /* What blocks first..last of one view may hold at one check; older: what completed steps wrote there before
         * (read back, it is a lost write on disk or stale in memory; anything else is a phantom). */
        struct expectation {
        	int check, view, first, last, mix_ok;
        	int allowed_count;
        	struct content allowed[MAX_ALLOWED];
        	int older_count;
        	struct content older[MAX_ALLOWED];
        };

        enum block_state { BLOCK_UNIFORM, BLOCK_MIXED, BLOCK_EOF, BLOCK_IO_ERROR, BLOCK_UNREAD };

        #ifndef MADV_POPULATE_READ
        #define MADV_POPULATE_READ 22 /* include/uapi/asm-generic/mman-common.h; glibc before 2.35 lacks it */
        #endif
        #define MAPPING_FAULT (-1) /* block_read.error of a mapping load that would raise SIGBUS */

        struct block_read {
        	enum block_state state;
        	enum content_kind kind; /* uniform: data or zeros */
        	uint32_t gen, iteration, step;
        	int moved; /* uniform data: written this many blocks further on (moved by a collapse or insert) */
        	int error;
        	struct sector_read sectors[SECTORS_PER_BLOCK];
        };

        static int findings, io_errors, cannot_judge;

        /* Output file i (1..OUTPUT_COUNT); the bound keeps a scenario without outputs free of out-of-range indexing. */
        static struct output *output_of(int file)
        {
        	return &S.outputs[file <= OUTPUT_COUNT ? file : 0];
        }

        static const char *file_name(int file)
        {
        	return file ? output_of(file)->name : "data";
        }

        /* How many blocks further on a sector at place s of `block` was written (its header's offset, less its place
         * in a block), or 0 with *ok cleared when the offset is not sector s's place in any block. */
        static int sector_moved(const struct sector_read *sr, int s, int block, int *ok)
        {
        	uint64_t start = sr->offset - (uint64_t)s * SECTOR_SIZE;
        	*ok = sr->offset >= (uint64_t)s * SECTOR_SIZE && start % BLOCK_BYTES == 0;
        	return *ok ? (int)((int64_t)(start / BLOCK_BYTES) - block) : 0;
        }

        static struct block_read decode_block(const uint8_t *data, int block)
        {
        	struct block_read r = {.state = BLOCK_UNIFORM};
        	int uniform = 1;
        	for (int s = 0; s < SECTORS_PER_BLOCK; s++) {
        		struct sector_read sr = decode_sector(data + s * SECTOR_SIZE);
        		r.sectors[s] = sr;
        		int placed, first_placed;
        		int moved = sector_moved(&sr, s, block, &placed);
        		if (sr.kind == SECTOR_ZERO)
        			uniform &= r.sectors[0].kind == SECTOR_ZERO;
        		else
        			uniform &= sr.kind == SECTOR_VALID && sr.run == run_id && sr.file == FILE_ID && placed &&
        				   r.sectors[0].kind == SECTOR_VALID && sr.gen == r.sectors[0].gen &&
        				   sr.iteration == r.sectors[0].iteration &&
        				   moved == sector_moved(&r.sectors[0], 0, block, &first_placed);
        		if (s == 0)
        			r.moved = moved;
        	}
        	if (!uniform) {
        		r.state = BLOCK_MIXED;
        		return r;
        	}
        	r.kind = r.sectors[0].kind == SECTOR_ZERO ? CONTENT_HOLE : CONTENT_DATA;
        	r.gen = r.sectors[0].gen;
        	r.iteration = r.sectors[0].iteration;
        	r.step = r.sectors[0].step;
        	return r;
        }

        /* The bound a race makes known at run time. */
        static long race_bound(const struct content *c)
        {
        	const struct step_result *res = &results[c->last_of];
        	return c->up_to ? res->iterations - 1 : res->last_ok;
        }

        static int content_is(const struct content *c, enum content_kind kind, uint32_t gen, uint32_t iteration, int moved)
        {
        	if (c->kind != kind)
        		return 0;
        	if (kind != CONTENT_DATA)
        		return 1;
        	if (c->gen != gen || c->moved != moved)
        		return 0;
        	long bound = c->last_of >= 0 ? race_bound(c) : (long)c->iteration;
        	return c->up_to ? (long)iteration <= bound : (long)iteration == bound;
        }

        static int contains(const struct content *list, int n, enum content_kind kind, uint32_t gen, uint32_t iteration, int moved)
        {
        	for (int i = 0; i < n; i++)
        		if (content_is(&list[i], kind, gen, iteration, moved))
        			return 1;
        	return 0;
        }

        static int describe_content(char *out, size_t n, const struct content *c)
        {
        	if (c->kind == CONTENT_HOLE)
        		return snprintf(out, n, "zeros (a hole)");
        	if (c->kind == CONTENT_EOF)
        		return snprintf(out, n, "end of file");
        	int len = snprintf(out, n, "generation %" PRIu32, c->gen);
        	if (c->last_of >= 0)
        		len += snprintf(out + len, n - (size_t)len, c->up_to ? " iteration 0..%ld" : " iteration %ld", race_bound(c));
        	else if (c->up_to)
        		len += snprintf(out + len, n - (size_t)len, " iteration 0..%" PRIu32, c->iteration);
        	else if (c->iteration)
        		len += snprintf(out + len, n - (size_t)len, " iteration %" PRIu32, c->iteration);
        	if (c->moved)
        		len += snprintf(out + len, n - (size_t)len, " written %+d blocks from here", c->moved);
        	return len + snprintf(out + len, n - (size_t)len, c->step >= 0 ? " (step #%d)" : " (initial fill)", c->step);
        }

        static void describe_expected(char *out, size_t n, const struct expectation *e)
        {
        	int len = snprintf(out, n, "%s", e->allowed_count > 1 ? "one of: " : "");
        	for (int i = 0; i < e->allowed_count && (size_t)len < n; i++) {
        		len += snprintf(out + len, n - (size_t)len, i ? ", " : "");
        		len += describe_content(out + len, n - (size_t)len, &e->allowed[i]);
        	}
        	if (e->mix_ok && e->allowed_count > 1 && (size_t)len < n)
        		snprintf(out + len, n - (size_t)len, " (a sector mix of them allowed)");
        }

        static void describe_read(char *out, size_t n, const struct block_read *r)
        {
        	switch (r->state) {
        	case BLOCK_IO_ERROR:
        		if (r->error == MAPPING_FAULT)
        			snprintf(out, n, "SIGBUS: the kernel could not read the page (MADV_POPULATE_READ: EFAULT)");
        		else
        			snprintf(out, n, "read failed with %s", errno_name(r->error));
        		return;
        	case BLOCK_EOF:
        		snprintf(out, n, "end of file");
        		return;
        	case BLOCK_UNREAD:
        		snprintf(out, n, "not read");
        		return;
        	case BLOCK_UNIFORM:
        		if (r->kind == CONTENT_HOLE)
        			snprintf(out, n, "zeros");
        		else if (r->step == UINT32_MAX)
        			snprintf(out, n, "generation %" PRIu32 " (initial fill)", r->gen);
        		else if (r->iteration)
        			snprintf(out, n, "generation %" PRIu32 " iteration %" PRIu32 " (step #%d)", r->gen, r->iteration, (int)r->step);
        		else
        			snprintf(out, n, "generation %" PRIu32 " (step #%d)", r->gen, (int)r->step);
        		if (r->kind == CONTENT_DATA && r->moved && strlen(out) < n)
        			snprintf(out + strlen(out), n - strlen(out), " written %+d blocks from here", r->moved);
        		return;
        	case BLOCK_MIXED: {
        		int len = snprintf(out, n, "sectors of");
        		for (int s = 0; s < SECTORS_PER_BLOCK && (size_t)len < n; s++) {
        			const struct sector_read *sr = &r->sectors[s];
        			len += sr->kind == SECTOR_ZERO	  ? snprintf(out + len, n - (size_t)len, " zeros")
        			       : sr->kind == SECTOR_FOREIGN ? snprintf(out + len, n - (size_t)len, " foreign")
        						    : snprintf(out + len, n - (size_t)len, " g%" PRIu32 ".%" PRIu32 "%s", sr->gen,
        							       sr->iteration, sr->kind == SECTOR_BAD_CRC ? "(bad crc)" : "");
        		}
        		return;
        	}
        	}
        }

        /* Names what a path saw where the expectation does not allow it, as Bridge's BlockJudge does; NULL: allowed. */
        static const char *classify(const struct expectation *e, enum read_path path, enum content_kind kind, uint32_t gen,
        			    uint32_t iteration, int moved)
        {
        	if (kind == CONTENT_HOLE)
        		return "zeroed";
        	if (contains(e->older, e->older_count, kind, gen, iteration, moved))
        		return path == PATH_DISK ? "lost-write" : "stale";
        	return moved ? "misplaced" : "phantom";
        }

        static const char *judge_block(const struct expectation *e, enum read_path path, const struct block_read *r, int block)
        {
        	switch (r->state) {
        	case BLOCK_UNREAD:
        		return NULL;
        	case BLOCK_IO_ERROR:
        		return "io-error";
        	case BLOCK_EOF:
        		return contains(e->allowed, e->allowed_count, CONTENT_EOF, 0, 0, 0) ? NULL : "zeroed";
        	case BLOCK_UNIFORM:
        		return contains(e->allowed, e->allowed_count, r->kind, r->gen, r->iteration, r->moved)
        			       ? NULL
        			       : classify(e, path, r->kind, r->gen, r->iteration, r->moved);
        	case BLOCK_MIXED:
        		break;
        	}
        	int distinct = 0, outsiders = 0, moved[SECTORS_PER_BLOCK];
        	for (int s = 0; s < SECTORS_PER_BLOCK; s++) {
        		const struct sector_read *sr = &r->sectors[s];
        		enum content_kind kind = sr->kind == SECTOR_ZERO ? CONTENT_HOLE : CONTENT_DATA;
        		int placed;
        		moved[s] = sr->kind == SECTOR_ZERO ? 0 : sector_moved(sr, s, block, &placed);
        		if (sr->kind == SECTOR_BAD_CRC &&
        		    !(e->mix_ok && contains(e->allowed, e->allowed_count, CONTENT_DATA, sr->gen, sr->iteration, moved[s])))
        			return "torn";
        		if (sr->kind == SECTOR_FOREIGN || (sr->kind == SECTOR_VALID && sr->run != run_id))
        			return "phantom";
        		if (sr->kind == SECTOR_VALID && (!placed || sr->file != FILE_ID))
        			return "misplaced";
        		int seen = 0;
        		for (int t = 0; t < s; t++) {
        			const struct sector_read *st = &r->sectors[t];
        			seen |= (st->kind == SECTOR_ZERO) == (sr->kind == SECTOR_ZERO) && st->gen == sr->gen &&
        				st->iteration == sr->iteration && moved[t] == moved[s];
        		}
        		if (!seen) {
        			distinct++;
        			outsiders += !contains(e->allowed, e->allowed_count, kind, sr->gen, sr->iteration, moved[s]);
        		}
        	}
        	if (outsiders == 0 && (e->mix_ok || distinct == 1))
        		return NULL;
        	if (distinct == 1)
        		return classify(e, path, r->sectors[0].kind == SECTOR_ZERO ? CONTENT_HOLE : CONTENT_DATA,
        				r->sectors[0].gen, r->sectors[0].iteration, moved[0]);
        	return "torn";
        }

        static const struct expectation *expectation_for(const struct expectation *table, int rows, int check, int view,
        						 int block)
        {
        	for (int i = 0; i < rows; i++)
        		if (table[i].check == check && table[i].view == view && table[i].first <= block && block <= table[i].last)
        			return &table[i];
        	return NULL;
        }

        /* Reads one view of a file: O_DIRECT or the page cache, in one call; a failing read is retried block by block
         * so the error lands on the block it belongs to; blocks past what the read returned are end of file. */
        static void read_file(int fd, uint8_t *buffer, struct block_read *blocks)
        {
        	ssize_t n = pread(fd, buffer, FILE_SIZE, 0);
        	for (int b = 0; b < BLOCK_COUNT; b++) {
        		if (n < 0) {
        			ssize_t one = pread(fd, buffer + OFFSET(b), BLOCK_BYTES, OFFSET(b));
        			blocks[b] = one < 0		   ? (struct block_read){.state = BLOCK_IO_ERROR, .error = errno}
        				    : one < BLOCK_BYTES ? (struct block_read){.state = BLOCK_EOF}
        						       : decode_block(buffer + OFFSET(b), b);
        		} else {
        			blocks[b] = OFFSET(b + 1) <= n ? decode_block(buffer + OFFSET(b), b)
        						 : (struct block_read){.state = BLOCK_EOF};
        		}
        	}
        }

        /* Loads through the mapping; past end of file a load would SIGBUS, so those blocks are end of file. Each block
         * is faulted in first with MADV_POPULATE_READ (Linux 5.14), which says EFAULT where a load would raise SIGBUS
         * because the kernel could not read the page (a filesystem that aborted and went read-only): that block is
         * recorded as such instead of the signal killing the reproducer. EINVAL (an older kernel, a huge page range not
         * aligned to its page) leaves the plain load. */
        static void read_mapping(struct block_read *blocks)
        {
        	int within = file_blocks();
        	for (int b = 0; b < BLOCK_COUNT; b++) {
        		if (b >= within)
        			blocks[b] = (struct block_read){.state = BLOCK_EOF};
        		else if (madvise(S.map + OFFSET(b), BLOCK_BYTES, MADV_POPULATE_READ) != 0 && errno == EFAULT)
        			blocks[b] = (struct block_read){.state = BLOCK_IO_ERROR, .error = MAPPING_FAULT};
        		else
        			blocks[b] = decode_block(S.map + OFFSET(b), b);
        	}
        }

        /* Prints a view's blocks, consecutive ones that read and judge alike on one line. */
        static void report_view(int check, const struct view *v, const struct expectation *table, int rows, int view,
        			struct block_read *blocks, const char **verdicts)
        {
        	char expected[1024], observed[512], next_observed[512];
        	const char *file = file_name(v->file);
        	for (int b = 0; b < BLOCK_COUNT;) {
        		const struct expectation *e = expectation_for(table, rows, check, view, b);
        		describe_read(observed, sizeof(observed), &blocks[b]);
        		int last = b;
        		while (last + 1 < BLOCK_COUNT && expectation_for(table, rows, check, view, last + 1) == e &&
        		       verdicts[last + 1] == verdicts[b]) {
        			describe_read(next_observed, sizeof(next_observed), &blocks[last + 1]);
        			if (strcmp(next_observed, observed))
        				break;
        			last++;
        		}
        		describe_expected(expected, sizeof(expected), e);
        		if (verdicts[b])
        			printf("  %-4s %-8s blocks %d-%d: %s: expected %s\n%24sobserved %s\n", file, PATH_NAMES[v->path], b, last,
        			       verdicts[b], expected, "", observed);
        		else
        			printf("  %-4s %-8s blocks %d-%d: ok: %s\n", file, PATH_NAMES[v->path], b, last, observed);
        		b = last + 1;
        	}
        }

        static int same_read(const struct block_read *a, const struct block_read *b)
        {
        	return a->state == b->state && a->kind == b->kind && a->gen == b->gen && a->iteration == b->iteration;
        }

        /* A check: reads every view in Bridge's order and judges every block. */
        static void check(int step, const char *text, const struct view *views, int nviews, const struct expectation *table,
        		  int rows, int shared_file_mapping)
        {
        	static struct block_read blocks[VIEW_COUNT][BLOCK_COUNT];
        	static const char *verdicts[VIEW_COUNT][BLOCK_COUNT];
        	uint8_t *buffer = aligned_alloc_or_die(FILE_SIZE);
        	printf("#%d %s\n", step, text);
        	int buffered = -1, mapping = -1;
        	for (int i = 0; i < nviews; i++) {
        		const struct view *v = &views[i];
        		const char *unavailable = NULL;
        		if (v->file == 0 && v->path == PATH_DISK && S.direct_fd < 0)
        			unavailable = "O_DIRECT open of the data file failed";
        		else if (v->path == PATH_MAPPING && S.map_gone)
        			unavailable = "the mapping is gone";
        		if (unavailable) {
        			printf("  %s %s: not read: %s\n", file_name(v->file), PATH_NAMES[v->path],
        			       unavailable);
        			for (int b = 0; b < BLOCK_COUNT; b++)
        				blocks[i][b] = (struct block_read){.state = BLOCK_UNREAD};
        		} else if (v->path == PATH_MAPPING) {
        			read_mapping(blocks[i]);
        		} else {
        			int fd = v->file == 0 ? (v->path == PATH_DISK ? S.direct_fd : S.data_fd)
        					      : (v->path == PATH_DISK ? output_of(v->file)->direct_fd : output_of(v->file)->buffered_fd);
        			read_file(fd, buffer, blocks[i]);
        		}
        		for (int b = 0; b < BLOCK_COUNT; b++) {
        			const struct expectation *e = expectation_for(table, rows, step, i, b);
        			verdicts[i][b] = e ? judge_block(e, v->path, &blocks[i][b], b) : NULL;
        			findings += verdicts[i][b] != NULL;
        		}
        		if (!unavailable)
        			report_view(step, v, table, rows, i, blocks[i], verdicts[i]);
        		if (v->file == 0 && v->path == PATH_BUFFERED && !unavailable)
        			buffered = i;
        		if (v->file == 0 && v->path == PATH_MAPPING && !unavailable)
        			mapping = i;
        	}
        	/* A shared mapping and a buffered read look at the same page: they must agree even where each alone is
        	 * allowed. */
        	if (shared_file_mapping && buffered >= 0 && mapping >= 0)
        		for (int b = 0; b < BLOCK_COUNT; b++)
        			if (!verdicts[buffered][b] && !verdicts[mapping][b] && !same_read(&blocks[buffered][b], &blocks[mapping][b])) {
        				printf("  data block %d: stale: the mapping and a buffered read disagree\n", b);
        				findings++;
        			}
        	free(buffer);
        }

        /* A step whose failure the embedded expectations do not cover: an io-error finding when the kernel says it lost
         * data (EIO, EUCLEAN, a failed persistence call); otherwise this program cannot judge what follows. */
        static void step_outcome(int step, const char *text, int persists, int is_pin)
        {
        	const struct step_result *r = &results[step];
        	if (r->declined && r->iterations == 0) {
        		/* A racing mprotect or munmap landed before its first call: the expectations, made when this program
        		 * was written, assume it wrote at least once. */
        		printf("  '%s' was not run (%s): the expectations below assume it ran; cannot judge\n", text, r->why);
        		cannot_judge++;
        		return;
        	}
        	if (r->outcome != OUTCOME_ERRNO || is_pin)
        		return;
        	if (r->error == EIO || r->error == EUCLEAN || persists) {
        		printf("  io-error: '%s' failed with %s\n", text, errno_name(r->error));
        		io_errors++;
        	} else if (r->last_ok < 0) {
        		printf("  '%s' failed with %s: the expectations below assume it succeeds; cannot judge\n", text,
        		       errno_name(r->error));
        		cannot_judge++;
        	}
        }
        """;

    public const string UringHeaders = "#include <liburing.h>\n#include <sys/uio.h>\n";
    public const string VerbsHeaders = "#include <infiniband/verbs.h>\n";

    public const string Uring = """
        /* ---- io_uring (liburing), as native/uring.c: rings, buffer registration (the long-term pin), one I/O at a
         * time submitted and waited for ---- */
        static MAYBE_UNUSED long uring_io(struct io_uring *ring, pthread_mutex_t *lock, int op, int fd, void *buf, size_t len, off_t offset)
        {
        	pthread_mutex_lock(lock);
        	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        	struct iovec iov = {.iov_base = buf, .iov_len = len};
        	long r = -EBUSY;
        	if (sqe) {
        		switch (op) {
        		case 0: io_uring_prep_readv(sqe, fd, &iov, 1, (uint64_t)offset); break;
        		case 1: io_uring_prep_writev(sqe, fd, &iov, 1, (uint64_t)offset); break;
        		case 2: io_uring_prep_read_fixed(sqe, fd, buf, (unsigned)len, (uint64_t)offset, 0); break;
        		default: io_uring_prep_write_fixed(sqe, fd, buf, (unsigned)len, (uint64_t)offset, 0); break;
        		}
        		struct io_uring_cqe *cqe;
        		r = io_uring_submit(ring);
        		if (r >= 0)
        			r = io_uring_wait_cqe(ring, &cqe);
        		if (r >= 0) {
        			r = cqe->res < 0 ? cqe->res : (size_t)cqe->res == len ? 0 : -EIO;
        			io_uring_cqe_seen(ring, cqe);
        		}
        	}
        	pthread_mutex_unlock(lock);
        	return r;
        }

        #define URING_READV 0
        #define URING_WRITEV 1
        #define URING_READ_FIXED 2
        #define URING_WRITE_FIXED 3

        struct uring {
        	struct io_uring ring;
        	pthread_mutex_t lock;
        };

        static MAYBE_UNUSED void uring_init(struct uring *u)
        {
        	int r = io_uring_queue_init(8, &u->ring, 0);
        	if (r < 0) {
        		errno = -r;
        		die("io_uring_queue_init");
        	}
        	pthread_mutex_init(&u->lock, NULL);
        }
        """;

    public const string UringPin = """
        /* The io_uring long-term pin: io_uring_register_buffers over the pinned range (io_uring/rsrc.c
         * io_sqe_buffer_register -> pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)). The device is the ring:
         * READ_FIXED from a file writes the pinned pages, WRITE_FIXED reads them. */
        static struct uring pin_ring;
        static uint8_t *pin_base;

        static MAYBE_UNUSED long pin_take(uint8_t *addr, size_t len, int access)
        {
        	(void)access; /* registration always pins for writing */
        	uring_init(&pin_ring);
        	struct iovec iov = {.iov_base = addr, .iov_len = len};
        	int r = io_uring_register_buffers(&pin_ring.ring, &iov, 1);
        	if (r < 0) {
        		io_uring_queue_exit(&pin_ring.ring);
        		return r;
        	}
        	pin_base = addr;
        	return 0;
        }

        static MAYBE_UNUSED long pin_release(void)
        {
        	int r = io_uring_unregister_buffers(&pin_ring.ring);
        	io_uring_queue_exit(&pin_ring.ring);
        	return r;
        }

        /* The device writes the source's bytes at `offset` into the pinned pages. */
        static MAYBE_UNUSED long device_write(struct source *src, off_t offset, size_t len)
        {
        	return uring_io(&pin_ring.ring, &pin_ring.lock, URING_READ_FIXED, src->fd, S.map + offset, len, offset);
        }

        /* The device reads the pinned pages at `offset` out to an output file. */
        static MAYBE_UNUSED long device_read(struct output *out, off_t offset, size_t len)
        {
        	return uring_io(&pin_ring.ring, &pin_ring.lock, URING_WRITE_FIXED, out->direct_fd, S.map + offset, len, offset);
        }
        """;

    public const string VerbsPin = """
        /* ---- RDMA (libibverbs), as native/verbs.c: the first RDMA device (soft-RoCE, rdma_rxe over a dummy netdev, as `pinbridge rxe up`
         * makes it), an RC QP connected to itself over RoCEv2 GID 1; ibv_reg_mr over the mapping is the
         * long-term pin (ib_umem_get -> pin_user_pages(FOLL_LONGTERM | FOLL_WRITE unless remote-read only)); RDMA WRITE
         * from a bounce buffer into the region is the device writing the pinned pages, RDMA READ it reading them. */
        #define GID_INDEX 1

        static struct {
        	struct ibv_context *ctx;
        	struct ibv_pd *pd;
        	struct ibv_cq *cq;
        	struct ibv_qp *qp;
        	uint8_t *bounce;
        	struct ibv_mr *bounce_mr, *mr;
        	uint8_t *base;
        	uint64_t sequence;
        	pthread_mutex_t lock;
        } rdma = {.lock = PTHREAD_MUTEX_INITIALIZER};

        static MAYBE_UNUSED void connect_to_self(void)
        {
        	struct ibv_port_attr port;
        	union ibv_gid gid;
        	if (ibv_query_port(rdma.ctx, 1, &port) || ibv_query_gid(rdma.ctx, 1, GID_INDEX, &gid))
        		die("ibv_query_port/gid");
        	struct ibv_qp_attr attr = {
        	    .qp_state = IBV_QPS_INIT,
        	    .port_num = 1,
        	    .qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ,
        	};
        	if (ibv_modify_qp(rdma.qp, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
        		die("QP to INIT");
        	memset(&attr, 0, sizeof(attr));
        	attr.qp_state = IBV_QPS_RTR;
        	attr.path_mtu = port.active_mtu;
        	attr.dest_qp_num = rdma.qp->qp_num;
        	attr.max_dest_rd_atomic = 1;
        	attr.min_rnr_timer = 12;
        	attr.ah_attr.is_global = 1;
        	attr.ah_attr.grh.dgid = gid;
        	attr.ah_attr.grh.sgid_index = GID_INDEX;
        	attr.ah_attr.grh.hop_limit = 1;
        	attr.ah_attr.port_num = 1;
        	if (ibv_modify_qp(rdma.qp, &attr,
        			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
        			      IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
        		die("QP to RTR");
        	memset(&attr, 0, sizeof(attr));
        	attr.qp_state = IBV_QPS_RTS;
        	attr.timeout = 14;
        	attr.retry_cnt = 7;
        	attr.rnr_retry = 7;
        	attr.max_rd_atomic = 1;
        	if (ibv_modify_qp(rdma.qp, &attr,
        			  IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
        			      IBV_QP_MAX_QP_RD_ATOMIC))
        		die("QP to RTS");
        }

        /* The device: the first RDMA device, a PD, a CQ, a self-connected QP and a registered bounce buffer. No
         * device is a setup failure, not a refusal. */
        static MAYBE_UNUSED void rdma_open(void)
        {
        	int count = 0;
        	struct ibv_device **list = ibv_get_device_list(&count);
        	if (!list || count == 0) {
        		fprintf(stderr, "repro: no RDMA device (soft-RoCE: modprobe rdma_rxe; ip link add rxe-net type dummy; ip addr add 10.77.0.1/24 dev rxe-net; ip link set rxe-net up; rdma link add rxe0 type rxe netdev rxe-net)\n");
        		exit(EXIT_SETUP);
        	}
        	rdma.ctx = ibv_open_device(list[0]);
        	ibv_free_device_list(list);
        	if (!rdma.ctx)
        		die("ibv_open_device");
        	rdma.pd = ibv_alloc_pd(rdma.ctx);
        	rdma.cq = rdma.pd ? ibv_create_cq(rdma.ctx, 16, NULL, NULL, 0) : NULL;
        	if (!rdma.cq)
        		die("ibv_alloc_pd/ibv_create_cq");
        	struct ibv_qp_init_attr init = {
        	    .send_cq = rdma.cq,
        	    .recv_cq = rdma.cq,
        	    .qp_type = IBV_QPT_RC,
        	    .cap = {.max_send_wr = 4, .max_recv_wr = 1, .max_send_sge = 1, .max_recv_sge = 1},
        	    .sq_sig_all = 1,
        	};
        	rdma.qp = ibv_create_qp(rdma.pd, &init);
        	if (!rdma.qp)
        		die("ibv_create_qp");
        	rdma.bounce = aligned_alloc_or_die(FILE_SIZE);
        	rdma.bounce_mr = ibv_reg_mr(rdma.pd, rdma.bounce, FILE_SIZE, IBV_ACCESS_LOCAL_WRITE);
        	if (!rdma.bounce_mr)
        		die("ibv_reg_mr of the bounce buffer");
        	connect_to_self();
        }

        static MAYBE_UNUSED long pin_take(uint8_t *addr, size_t len, int access)
        {
        	errno = 0;
        	rdma.mr = ibv_reg_mr(rdma.pd, addr, len, access);
        	if (!rdma.mr)
        		return errno ? -errno : -EINVAL;
        	rdma.base = addr;
        	return 0;
        }

        static MAYBE_UNUSED long pin_release(void)
        {
        	int r = ibv_dereg_mr(rdma.mr);
        	return r ? -r : 0;
        }

        /* A failed completion leaves the QP in the error state, and every later request would be flushed: as native/verbs.c,
         * the QP goes back through RESET and is connected to itself again, so each device operation stands alone. */
        static MAYBE_UNUSED void rdma_recover(void)
        {
        	struct ibv_qp_attr attr = {.qp_state = IBV_QPS_RESET};
        	if (ibv_modify_qp(rdma.qp, &attr, IBV_QP_STATE))
        		die("QP to RESET");
        	struct ibv_wc stale;
        	while (ibv_poll_cq(rdma.cq, 1, &stale) > 0)
        		;
        	connect_to_self();
        }

        /* One RDMA operation between the bounce buffer at `offset` and the region at the same file offset. */
        static MAYBE_UNUSED long rdma_transfer(enum ibv_wr_opcode opcode, off_t offset, size_t len)
        {
        	struct ibv_sge sge = {.addr = (uintptr_t)(rdma.bounce + offset), .length = (uint32_t)len, .lkey = rdma.bounce_mr->lkey};
        	struct ibv_send_wr wr = {
        	    .wr_id = ++rdma.sequence,
        	    .sg_list = &sge,
        	    .num_sge = 1,
        	    .opcode = opcode,
        	    .wr.rdma = {.remote_addr = (uintptr_t)(S.map + offset), .rkey = rdma.mr->rkey},
        	};
        	struct ibv_send_wr *bad;
        	int r = ibv_post_send(rdma.qp, &wr, &bad);
        	if (r)
        		return -r;
        	for (;;) {
        		struct ibv_wc wc;
        		int n = ibv_poll_cq(rdma.cq, 1, &wc);
        		if (n < 0)
        			return -EIO;
        		if (n == 1 && wc.wr_id == rdma.sequence) {
        			if (wc.status == IBV_WC_SUCCESS)
        				return 0;
        			rdma_recover();
        			return -EIO;
        		}
        	}
        }

        static MAYBE_UNUSED long device_write(struct source *src, off_t offset, size_t len)
        {
        	pthread_mutex_lock(&rdma.lock);
        	memcpy(rdma.bounce + offset, src->buffer + offset, len);
        	long r = rdma_transfer(IBV_WR_RDMA_WRITE, offset, len);
        	pthread_mutex_unlock(&rdma.lock);
        	return r;
        }

        static MAYBE_UNUSED long device_read(struct output *out, off_t offset, size_t len)
        {
        	pthread_mutex_lock(&rdma.lock);
        	long r = rdma_transfer(IBV_WR_RDMA_READ, offset, len);
        	if (r == 0)
        		r = complete(pwrite(out->direct_fd, rdma.bounce + offset, len, offset), len);
        	pthread_mutex_unlock(&rdma.lock);
        	return r;
        }
        """;
}
