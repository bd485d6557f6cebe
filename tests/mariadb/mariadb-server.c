/* SPDX-License-Identifier: MIT */
/* A private MariaDB server for tests: own data directory, socket, loopback port and user. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <errmsg.h>

#include "mariadb-server.h"

/* Bounds on every wait; nothing is timed. */
#define INSTALL_TIMEOUT_MS 120000
#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS 60000
/* How often a port is tried again when another process took it first. */
#define PORT_ATTEMPTS 5

static char base_dir[256];
static pid_t base_owner = -1;
/* Servers started and not yet stopped, for mdb_fini. */
static struct mdb_server *started[16];

static const char *const daemon_paths[] = {
	"/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/libexec/mariadbd",
};
static const char *const install_paths[] = {
	"/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db",
	"/usr/scripts/mariadb-install-db",
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The program named by the environment variable `env` when it is set (a
 * server built elsewhere, or a path that does not exist, to see the
 * skip), else the first executable of `paths`; NULL if none is. */
static const char *find_program(const char *env, const char *const *paths,
	size_t n)
{
	const char *chosen = getenv(env);

	if (chosen && *chosen)
		return access(chosen, X_OK) == 0 ? chosen : NULL;
	for (size_t i = 0; i < n; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

#define DAEMON() find_program("POLYCHAT_MARIADBD", daemon_paths, \
	sizeof(daemon_paths) / sizeof(daemon_paths[0]))
#define INSTALLER() find_program("POLYCHAT_MARIADB_INSTALL_DB", \
	install_paths, sizeof(install_paths) / sizeof(install_paths[0]))

/* Remove a directory tree (files, sockets and directories; no links are
 * followed). */
static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *ent;
	while ((ent = readdir(dir))) {
		if (strcmp(ent->d_name, ".") == 0
				|| strcmp(ent->d_name, "..") == 0)
			continue;
		char child[1024];
		struct stat st;
		snprintf(child, sizeof(child), "%s/%s", path, ent->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(child);
		else
			unlink(child);
	}
	closedir(dir);
	rmdir(path);
}

/* mdb_available - see mariadb-server.h. */
int mdb_available(char *why, size_t len)
{
	if (!DAEMON()) {
		snprintf(why, len, "mariadbd not found (in /usr/sbin, "
			"/usr/libexec or $POLYCHAT_MARIADBD): install the "
			"Debian package mariadb-server");
		return 0;
	}
	if (!INSTALLER()) {
		snprintf(why, len, "mariadb-install-db not found (in "
			"/usr/bin or $POLYCHAT_MARIADB_INSTALL_DB): install "
			"the Debian package mariadb-server");
		return 0;
	}
	return 1;
}

/* mdb_missing_status - see mariadb-server.h. */
int mdb_missing_status(const char *program, const char *why)
{
	const char *ci = getenv("CI");

	if (ci && strcmp(ci, "true") == 0) {
		fprintf(stderr, "%s: FAILED: %s (CI=true: the CI image must "
			"have mariadb-server)\n", program, why);
		return 1;
	}
	fprintf(stderr, "%s: SKIPPED: %s\n", program, why);
	return 77;
}

/* mdb_init - see mariadb-server.h. */
int mdb_init(void)
{
	const char *tmp = getenv("TMPDIR");

	/* Socket paths must stay well under 108 bytes. */
	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(base_dir, sizeof(base_dir), "%s/polychat-mdb-XXXXXX", tmp);
	if (!mkdtemp(base_dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", base_dir, strerror(errno));
		return -1;
	}
	base_owner = getpid();
	/* Connector/C's own set-up, once, before any test thread or child
	 * uses it. */
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "mysql_library_init failed\n");
		return -1;
	}
	return 0;
}

static void forget(struct mdb_server *s)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] == s)
			started[i] = NULL;
}

static void remember(struct mdb_server *s)
{
	forget(s);
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (!started[i]) {
			started[i] = s;
			return;
		}
}

/* mdb_fini - see mariadb-server.h. */
void mdb_fini(void)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] && started[i]->owner == getpid())
			mdb_stop(started[i]);
	if (base_owner != getpid())
		return;
	remove_tree(base_dir);
	base_owner = -1;
	mysql_library_end();
}

/* A TCP port on 127.0.0.1 that nobody listens on right now. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0
			&& getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/*
 * Run argv[0] with its output appended to `log`. With `tied`, the child
 * is killed when the calling thread's process ends, whatever the reason.
 */
static pid_t spawn(char *const *argv, const char *log, int tied)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (tied) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The parent may have died before prctl. */
		if (getppid() != parent)
			_exit(127);
	}
	int null = open("/dev/null", O_RDONLY);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	execv(argv[0], argv);
	_exit(127);
}

/* Wait at most `ms` for `pid` to exit: its status, or -1 (then killed). */
static int wait_exit(pid_t pid, long long ms)
{
	long long deadline = now_ms() + ms;
	int status;

	while (now_ms() < deadline) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		pause_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Print the last lines of a log file to stderr. */
static void print_tail(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	char lines[40][512];
	size_t n = 0;
	while (fgets(lines[n % 40], sizeof(lines[0]), fp))
		n++;
	fclose(fp);
	fprintf(stderr, "--- end of %s ---\n", path);
	for (size_t i = n > 40 ? n - 40 : 0; i < n; i++)
		fputs(lines[i % 40], stderr);
}

/* mdb_log_contains - see mariadb-server.h. */
int mdb_log_contains(const struct mdb_server *s, const char *text)
{
	FILE *fp = fopen(s->errlog, "r");
	char line[1024];
	int found = 0;

	while (fp && !found && fgets(line, sizeof(line), fp))
		found = strstr(line, text) != NULL;
	if (fp)
		fclose(fp);
	return found;
}

/* Write `text` to `path` with mode 0600. 0 or -1. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	int rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return rc;
}

/* A random password: hex from the kernel, with a fixed prefix that tests
 * grep for in logs. */
static int make_password(char *out, size_t len)
{
	unsigned char raw[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	size_t n = (size_t)snprintf(out, len, "PcTest-");
	for (size_t i = 0; i < sizeof(raw) && n + 3 <= len; i++)
		n += (size_t)snprintf(out + n, len - n, "%02x", raw[i]);
	return 0;
}

/* The data directory, made by mariadb-install-db. */
static int install(struct mdb_server *s)
{
	char datadir_arg[700], tmpdir_arg[700], log[700];
	char *argv[10];
	size_t n = 0;

	snprintf(datadir_arg, sizeof(datadir_arg), "--datadir=%s",
		s->datadir);
	snprintf(tmpdir_arg, sizeof(tmpdir_arg), "--tmpdir=%s", s->dir);
	snprintf(log, sizeof(log), "%s/install.log", s->dir);
	argv[n++] = (char *)INSTALLER();
	argv[n++] = "--no-defaults";
	argv[n++] = datadir_arg;
	/* Not the shared /tmp: bootstraps running at once (make -j) would
	 * remove each other's temporary tables there. */
	argv[n++] = tmpdir_arg;
	argv[n++] = "--auth-root-authentication-method=socket";
	argv[n++] = "--skip-test-db";
	/* mariadbd refuses to run as root unless told to. */
	if (geteuid() == 0)
		argv[n++] = "--user=root";
	argv[n] = NULL;

	pid_t pid = spawn(argv, log, 1);
	if (pid < 0 || wait_exit(pid, INSTALL_TIMEOUT_MS) != 0) {
		fprintf(stderr, "mariadb-install-db failed\n");
		print_tail(log);
		return -1;
	}
	return 0;
}

/* The user the tests log in as, made (or found) at every start. */
static int write_init_file(const struct mdb_server *s, const char *path)
{
	char sql[2048];
	static const char *const hosts[] = { "localhost", "127.0.0.1" };
	size_t n = 0;

	for (size_t i = 0; i < 2; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
			"CREATE USER IF NOT EXISTS '" MDB_USER "'@'%s'"
			" IDENTIFIED BY '%s';\n"
			"GRANT ALL PRIVILEGES ON `polychat\\_%%`.* TO '"
			MDB_USER "'@'%s';\n", hosts[i], s->password,
			hosts[i]);
	return n < sizeof(sql) ? write_file(path, sql) : -1;
}

/* A session as MDB_USER, over the socket or over TCP; NULL quietly, with
 * the message in `err` and the MariaDB error in *code (may be NULL). */
static MYSQL *try_connect(const struct mdb_server *s, int tcp,
	const char *database, char *err, size_t err_len, unsigned *code)
{
	MYSQL *m = mysql_init(NULL);
	unsigned timeout = 10;
	unsigned protocol = tcp ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;

	if (!m) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
	if (!mysql_real_connect(m, tcp ? "127.0.0.1" : NULL, MDB_USER,
			s->password, database, tcp ? (unsigned)s->port : 0,
			tcp ? NULL : s->socket, 0)) {
		snprintf(err, err_len, "%s", mysql_error(m));
		if (code)
			*code = mysql_errno(m);
		mysql_close(m);
		return NULL;
	}
	/* A test's own statements take effect at once, whatever the
	 * server's default. */
	mysql_autocommit(m, 1);
	return m;
}

/* Start mariadbd with the server's arguments and wait until MDB_USER
 * can log in. 0, 1 (the port was taken: try another), or -1. */
static int launch(struct mdb_server *s)
{
	char a_datadir[700], a_socket[700], a_port[32], a_pid[700];
	char a_log[700], a_init[700], a_tmp[700], init[600];
	char *argv[32];
	size_t n = 0;

	snprintf(init, sizeof(init), "%s/init.sql", s->dir);
	if (write_init_file(s, init) != 0) {
		fprintf(stderr, "cannot write %s\n", init);
		return -1;
	}
	snprintf(a_datadir, sizeof(a_datadir), "--datadir=%s", s->datadir);
	snprintf(a_socket, sizeof(a_socket), "--socket=%s", s->socket);
	snprintf(a_port, sizeof(a_port), "--port=%d", s->port);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s/mariadbd.pid", s->dir);
	snprintf(a_log, sizeof(a_log), "--log-error=%s", s->errlog);
	snprintf(a_init, sizeof(a_init), "--init-file=%s", init);
	snprintf(a_tmp, sizeof(a_tmp), "--tmpdir=%s", s->dir);
	argv[n++] = (char *)DAEMON();
	/* First, or it is ignored: no /etc/mysql, no ~/.my.cnf. */
	argv[n++] = "--no-defaults";
	if (geteuid() == 0)
		argv[n++] = "--user=root";
	argv[n++] = a_datadir;
	argv[n++] = a_socket;
	argv[n++] = a_port;
	argv[n++] = "--bind-address=127.0.0.1";
	argv[n++] = a_pid;
	argv[n++] = a_log;
	argv[n++] = a_init;
	argv[n++] = a_tmp;
	argv[n++] = "--skip-name-resolve";
	/* Small: a test server, several at once on a small machine. */
	argv[n++] = "--innodb-log-file-size=8M";
	argv[n++] = "--innodb-buffer-pool-size=32M";
	for (int i = 0; i < s->n_args; i++)
		argv[n++] = s->args[i];
	argv[n] = NULL;

	char out[700];
	snprintf(out, sizeof(out), "%s/mariadbd.out", s->dir);
	s->pid = spawn(argv, out, 1);
	if (s->pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return -1;
	}
	s->owner = getpid();
	remember(s);

	long long deadline = now_ms() + START_TIMEOUT_MS;
	char err[512] = "";
	while (now_ms() < deadline) {
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = -1;
			forget(s);
			if (mdb_log_contains(s, "Address already in use"))
				return 1;
			fprintf(stderr, "mariadbd exited during start-up\n");
			print_tail(s->errlog);
			print_tail(out);
			return -1;
		}
		MYSQL *m = try_connect(s, 0, NULL, err, sizeof(err), NULL);
		unsigned tcp_err = 0;
		if (m) {
			mysql_close(m);
			m = try_connect(s, 1, NULL, err, sizeof(err),
				&tcp_err);
		}
		if (m)
			mysql_close(m);
		/* Over TCP an answer is enough: a server that requires TLS
		 * refuses this plain session, but it listens. */
		if (m || (tcp_err > 0 && tcp_err < CR_MIN_ERROR))
			return 0;
		pause_ms(50);
	}
	fprintf(stderr, "mariadbd did not accept %s within %d ms: %s\n",
		MDB_USER, START_TIMEOUT_MS, err);
	print_tail(s->errlog);
	mdb_stop(s);
	return -1;
}

/* mdb_start - see mariadb-server.h. */
int mdb_start(struct mdb_server *s, const char *const *extra)
{
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->owner = getpid();
	if (base_owner < 0) {
		fprintf(stderr, "mdb_start: mdb_init was not called\n");
		return -1;
	}
	snprintf(s->dir, sizeof(s->dir), "%s/server-XXXXXX", base_dir);
	if (!mkdtemp(s->dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", s->dir, strerror(errno));
		return -1;
	}
	snprintf(s->datadir, sizeof(s->datadir), "%s/data", s->dir);
	snprintf(s->socket, sizeof(s->socket), "%s/mysqld.sock", s->dir);
	snprintf(s->errlog, sizeof(s->errlog), "%s/error.log", s->dir);
	snprintf(s->password_file, sizeof(s->password_file), "%s/db.password",
		s->dir);
	for (size_t i = 0; extra && extra[i]; i++) {
		if (i >= sizeof(s->args) / sizeof(s->args[0])) {
			fprintf(stderr, "mdb_start: too many arguments\n");
			return -1;
		}
		snprintf(s->args[i], sizeof(s->args[i]), "%s", extra[i]);
		s->n_args = (int)i + 1;
	}
	char line[80];
	if (make_password(s->password, sizeof(s->password)) != 0
			|| snprintf(line, sizeof(line), "%s\n", s->password) < 0
			|| write_file(s->password_file, line) != 0) {
		fprintf(stderr, "cannot make the test password\n");
		return -1;
	}
	if (install(s) != 0)
		return -1;
	for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
		s->port = free_port();
		if (s->port <= 0) {
			fprintf(stderr, "no free loopback port\n");
			return -1;
		}
		int rc = launch(s);
		if (rc <= 0)
			return rc;
	}
	fprintf(stderr, "every loopback port tried was taken\n");
	return -1;
}

/* mdb_start_again - see mariadb-server.h. */
int mdb_start_again(struct mdb_server *s)
{
	if (s->pid > 0) {
		fprintf(stderr, "mdb_start_again: still running\n");
		return -1;
	}
	int rc = launch(s);
	if (rc > 0)
		fprintf(stderr, "port %d was taken while the server was down\n",
			s->port);
	return rc == 0 ? 0 : -1;
}

/* mdb_stop - see mariadb-server.h. */
int mdb_stop(struct mdb_server *s)
{
	if (s->pid <= 0 || s->owner != getpid())
		return -1;
	kill(s->pid, SIGTERM);
	/* A frozen server would never see the SIGTERM. */
	kill(s->pid, SIGCONT);
	int rc = wait_exit(s->pid, STOP_TIMEOUT_MS);
	s->pid = -1;
	forget(s);
	if (rc != 0) {
		fprintf(stderr, "mariadbd did not shut down cleanly\n");
		print_tail(s->errlog);
	}
	return rc == 0 ? 0 : -1;
}

/* The state letter of /proc/PID/stat ('T' once stopped), or 0. */
static char process_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold spaces and parentheses. */
	char *end = strrchr(buf, ')');
	return end && end[1] == ' ' ? end[2] : 0;
}

/* mdb_freeze - see mariadb-server.h. */
void mdb_freeze(struct mdb_server *s, int frozen)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, frozen ? SIGSTOP : SIGCONT);
	/* kill() only queues the signal: on a busy machine the server
	 * could still answer a query sent right after. Wait until it has
	 * stopped (bounded; a test that then sees answers fails visibly). */
	for (int i = 0; frozen && i < 500 && process_state(s->pid) != 'T'; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
}

/* mdb_cleanup - see mariadb-server.h. */
void mdb_cleanup(struct mdb_server *s)
{
	if (s->owner != getpid())
		return;
	if (s->pid > 0)
		mdb_stop(s);
	if (s->dir[0])
		remove_tree(s->dir);
	s->dir[0] = '\0';
}

/* mdb_connect - see mariadb-server.h. */
MYSQL *mdb_connect(const struct mdb_server *s, const char *database)
{
	char err[512];
	MYSQL *m = try_connect(s, 0, database, err, sizeof(err), NULL);

	if (!m)
		fprintf(stderr, "cannot connect to the test server as %s: %s\n",
			MDB_USER, err);
	return m;
}

/* Run `sql` on a new session; the session, or NULL (error printed). */
static MYSQL *run(const struct mdb_server *s, const char *database,
	const char *sql)
{
	MYSQL *m = mdb_connect(s, database);

	if (m && mysql_real_query(m, sql, (unsigned long)strlen(sql)) != 0) {
		fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* mdb_query - see mariadb-server.h. */
int mdb_query(const struct mdb_server *s, const char *database,
	const char *sql)
{
	MYSQL *m = run(s, database, sql);
	if (!m)
		return -1;
	MYSQL_RES *res = mysql_store_result(m);
	if (res)
		mysql_free_result(res);
	mysql_close(m);
	return 0;
}

/* mdb_query_value - see mariadb-server.h. */
int mdb_query_value(const struct mdb_server *s, const char *database,
	const char *sql, char *out, size_t len)
{
	MYSQL *m = run(s, database, sql);
	if (!m)
		return -1;
	int rc = -1;
	MYSQL_RES *res = mysql_store_result(m);
	MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
	if (row) {
		snprintf(out, len, "%s", row[0] ? row[0] : "NULL");
		rc = 0;
	} else {
		fprintf(stderr, "%s: no row\n", sql);
	}
	if (res)
		mysql_free_result(res);
	mysql_close(m);
	return rc;
}

/* mdb_new_database - see mariadb-server.h. */
int mdb_new_database(const struct mdb_server *s, const char *options,
	char *name, size_t len)
{
	static unsigned counter;
	char sql[256];

	snprintf(name, len, "polychat_t%ld_%u", (long)getpid(), ++counter);
	snprintf(sql, sizeof(sql), "CREATE DATABASE `%s` %s", name,
		options ? options : "");
	return mdb_query(s, NULL, sql);
}

/* mdb_drop_database - see mariadb-server.h. */
int mdb_drop_database(const struct mdb_server *s, const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", name);
	return mdb_query(s, NULL, sql);
}
