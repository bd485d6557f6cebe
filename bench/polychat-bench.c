/* SPDX-License-Identifier: MIT */
/* polychat-bench: the command line and the order of a run (limits, each suite, the null relay, the peer), then the report. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <polychat/status.h>

#include "accounts.h"
#include "bench.h"
#include "configs.h"
#include "core/host.h"
#include "core/log.h"
#include "limit.h"
#include "load.h"
#include "null-relay.h"
#include "proc.h"
#include "proto.h"
#include "report.h"

#define LOGIN_PASSWORD "bench-login-pw"
#define FILL_PASSWORD "bench-fill-pw"

static const char *const target_names[BT_COUNT] = {
	"kylochat", "pychat", "fernet-hybrid", "ngircd", "null-relay",
};

/* bench_target_name - see bench.h. */
const char *bench_target_name(int target)
{
	return target >= 0 && target < BT_COUNT ? target_names[target] : "?";
}

/* bench_say - see bench.h. */
void bench_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("== ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct run {
	struct bench_opts *o;
	struct report *rep;
	char self[1024];
	int failures;
};

static void opts_default(struct bench_opts *o)
{
	static const unsigned fan[] = { 10, 100, 1000 }, paced[] = { 10, 100 };
	memset(o, 0, sizeof(*o));
	o->outdir = "bench-results";
	o->targets = (1u << BT_KYLOCHAT) | (1u << BT_PYCHAT) | (1u << BT_FERNET) |
		(1u << BT_NGIRCD);
	o->want_peer = 1;
	o->hs_conc = 64;
	o->hs_seconds = 2.0;
	o->login_conc = 8;
	o->login_seconds = 4.0;
	o->login_cost = 12;
	memcpy(o->fan_n, fan, sizeof(fan));
	o->n_fan_n = 3;
	memcpy(o->paced_n, paced, sizeof(paced));
	o->n_paced_n = 2;
	o->senders = 10;
	o->msg_size = 100;
	o->window = 4;
	o->fan_seconds = 1.5;
	o->logins_under_load = 8;
	o->idle_k = 10000;
	o->idle_room = 100;
	o->ramp = 128;
	o->fill_cost = 4;
	o->limit_seconds = 1.0;
	o->threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	o->settle_s = 60;
}

/* Seconds-long: only whether every part runs and writes its files. */
static void opts_smoke(struct bench_opts *o)
{
	o->smoke = 1;
	o->hs_conc = 4;
	o->hs_seconds = 0.3;
	o->login_conc = 2;
	o->login_seconds = 0.5;
	o->login_cost = 4;
	o->fan_n[0] = 4;
	o->n_fan_n = 1;
	o->paced_n[0] = 4;
	o->n_paced_n = 1;
	o->senders = 2;
	o->msg_size = 64;
	o->window = 2;
	o->fan_seconds = 0.3;
	o->logins_under_load = 1;
	o->idle_k = 20;
	o->idle_room = 10;
	o->ramp = 8;
	o->limit_seconds = 0.1;
	o->settle_s = 20;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: polychat-bench [OPTIONS]\n"
		"Starts a private polychatd (and ngIRCd, where installed) on loopback and measures\n"
		"handshakes/s, room fan-out and idle sessions per suite, beside the crypto limit.\n"
		"  --out DIR            results.csv, results.json, .dat, plots.gp (default %s)\n"
		"  --build DIR          the build tree (default: $POLYCHAT_BUILDDIR, else ..)\n"
		"  --smoke              a seconds-long run that only checks the tool works\n"
		"  --targets LIST       kylochat,pychat,fernet-hybrid,ngircd (default all)\n"
		"  --no-peer            leave ngIRCd out\n"
		"  --conc C             handshakes in flight (64)\n"
		"  --hs-seconds T       per handshake measurement (2)\n"
		"  --login-conc C       kylochat logins in flight, and login accounts (8)\n"
		"  --login-seconds T    (4)     --login-cost N   bcrypt cost of those (12)\n"
		"  --fanout LIST        N for the unpaced sweep (10,100,1000)\n"
		"  --paced LIST         N for the protocol-faithful sweep (10,100)\n"
		"  --senders M (10)     --size S body bytes (100)     --window W (4)\n"
		"  --fan-seconds T      per fan-out phase (1.5)\n"
		"  --logins-under-load L  kylochat bcrypt logins beside the N=100 room (8; 0: off)\n"
		"  --idle K (10000)     --idle-room R members per room (100)\n"
		"  --ramp R             connections set up at once (128)\n"
		"  --limit-seconds T    per OpenSSL operation (1)    --threads N (all cores)\n",
		"bench-results");
}

static int parse_list(const char *s, unsigned *out, size_t *n)
{
	*n = 0;
	while (*s && *n < BENCH_MAX_SWEEP) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v < 2 || v > 1000000)
			return -1;
		out[(*n)++] = (unsigned)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return *n ? 0 : -1;
}

static int parse_targets(const char *s, unsigned *mask)
{
	*mask = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int found = 0;
		for (int i = 0; i < BT_NULL; i++)
			if (strcmp(t, target_names[i]) == 0 || (i == BT_FERNET && strcmp(t, "fernet") == 0)) {
				*mask |= 1u << i;
				found = 1;
			}
		if (!found)
			return -1;
	}
	return *mask ? 0 : -1;
}

static unsigned max_of(const unsigned *v, size_t n)
{
	unsigned m = 0;
	for (size_t i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/*
 * Room for K sessions: this process holds K sockets, and so does the
 * server, which inherits the limit. Root may raise the hard limit too.
 * Returns the sessions the limit allows.
 */
static unsigned raise_nofile(unsigned want, struct report *rep)
{
	rlim_t need = (rlim_t)want + 2048;
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need) {
		struct rlimit up = { need, rl.rlim_max > need ? rl.rlim_max : need };
		if (setrlimit(RLIMIT_NOFILE, &up) != 0) {
			up.rlim_cur = up.rlim_max = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &up);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return want;
	unsigned k = rl.rlim_cur > 2048 ? (unsigned)(rl.rlim_cur - 2048) : 0;
	report_note(rep, "RLIMIT_NOFILE is %llu: idle sessions capped at %u instead of %u",
		(unsigned long long)rl.rlim_cur, k, want);
	return k;
}

/* Stop a server and count a failed exit of polychatd (a crash, or a leak
 * under ASan); the peer's exit is only noted: it is not ours to fix. */
static void stop(struct run *r, struct proc *p)
{
	if (proc_stop(p) != 0) {
		report_note(r->rep, "%s did not exit cleanly", p->what);
		if (strcmp(p->what, "ngircd") != 0)
			r->failures++;
	}
}

static void add_hs(struct run *r, int target, const char *variant, int full, unsigned conc,
	const struct churn_result *res)
{
	struct report *rep = r->rep;
	if (rep->n_hs >= REPORT_MAX)
		return;
	struct rep_hs *h = &rep->hs[rep->n_hs++];
	h->target = target;
	snprintf(h->variant, sizeof(h->variant), "%s", variant);
	h->full = full;
	h->conc = conc;
	h->r = *res;
	bench_say("%s %s %s: %.1f/s (p99 %.1f ms, %llu failed)", bench_target_name(target),
		variant, full ? "logins" : "handshakes", res->rate, res->p99_ms,
		(unsigned long long)res->failed);
}

static void add_fan(struct run *r, int target, const char *variant, const struct fan_result *f)
{
	struct report *rep = r->rep;
	if (rep->n_fan >= REPORT_MAX)
		return;
	struct rep_fan *e = &rep->fan[rep->n_fan++];
	e->target = target;
	snprintf(e->variant, sizeof(e->variant), "%s", variant);
	e->r = *f;
	bench_say("%s %s fan-out N=%u: %u ready, peak %.0f deliveries/s, half p99 %.2f ms",
		bench_target_name(target), variant, f->n, f->ready, f->peak.rate, f->half.p99_ms);
}

static void add_idle(struct run *r, int target, const char *variant, const struct idle_result *d)
{
	struct report *rep = r->rep;
	if (rep->n_idle >= REPORT_MAX)
		return;
	struct rep_idle *e = &rep->idle[rep->n_idle++];
	e->target = target;
	snprintf(e->variant, sizeof(e->variant), "%s", variant);
	e->r = *d;
	bench_say("%s idle: %u of %u sessions, %.0f bytes each", bench_target_name(target),
		d->ready, d->k, d->bytes_per_session);
}

/* Start polychatd on a generated configuration. 0 or -1 (noted). */
static int start_polychatd(struct run *r, struct proc *p, int target, int unpaced,
	unsigned listeners, unsigned members)
{
	const struct cfg_costs costs = { r->o->login_cost, r->o->fill_cost };
	char *yaml = cfg_polychatd(p->dir, target, unpaced, listeners, members, &costs);
	char path[512];
	int rc = yaml && proc_write_file(p, "polychatd.yaml", yaml, path, sizeof(path)) == 0 &&
		proc_start_polychatd(p, r->o->builddir, "polychatd.yaml", listeners) == 0 ? 0 : -1;
	free(yaml);
	if (rc != 0) {
		report_note(r->rep, "%s: polychatd did not start", bench_target_name(target));
		r->failures++;
		proc_stop(p);
	}
	return rc;
}

/* The kylochat accounts: login ones at the login cost, fill ones cheap. */
static int make_accounts(struct run *r, struct proc *p, unsigned fill)
{
	const struct cfg_costs costs = { r->o->login_cost, r->o->fill_cost };
	char *yaml = cfg_accounts(p->dir, &costs);
	char path[512];
	int rc = -1;
	uint64_t t = bench_now_ns();
	if (yaml && proc_write_file(p, "accounts.yaml", yaml, path, sizeof(path)) == 0 &&
	    accounts_create(r->o->builddir, path, "login", "l", r->o->login_conc, LOGIN_PASSWORD,
		    r->o->threads) == 0 &&
	    accounts_create(r->o->builddir, path, "fill", "f", fill, FILL_PASSWORD,
		    r->o->threads) == 0)
		rc = 0;
	free(yaml);
	bench_say("kylochat: %u + %u accounts in %.1f s", r->o->login_conc, fill,
		(double)(bench_now_ns() - t) / 1e9);
	if (rc != 0) {
		report_note(r->rep, "kylochat: the accounts could not be made");
		r->failures++;
	}
	return rc;
}

static const struct bench_proto *proto_of(int target)
{
	switch (target) {
	case BT_KYLOCHAT: return &proto_kylochat;
	case BT_PYCHAT: return &proto_pychat;
	case BT_NGIRCD: return &proto_irc;
	default: return &proto_fernet;
	}
}

/* A room sweep on fresh servers, one per N. */
static void sweep_polychat(struct run *r, struct proc *p, int target, int unpaced,
	const unsigned *ns, size_t count)
{
	const struct bench_opts *o = r->o;
	const char *variant = unpaced ? "unpaced" : "faithful";
	for (size_t i = 0; i < count; i++) {
		unsigned n = ns[i];
		if (start_polychatd(r, p, target, unpaced, 1, n) != 0)
			return;
		int port = proc_port(p, "r0");
		struct server_ref srv = { target, proto_of(target), p->pid, &port, 1, 0,
			target == BT_KYLOCHAT ? "f" : "m", FILL_PASSWORD };
		struct server_ref login = srv;
		login.prefix = "l";
		login.password = LOGIN_PASSWORD;
		/* The logins-beside-chat phase runs where the targets are set:
		 * the room of 100 (or the one sweep point in a smoke run). */
		int with_logins = target == BT_KYLOCHAT && (n == 100 || (o->smoke && i == 0));
		struct fan_result f;
		bench_say("%s %s fan-out, N=%u", bench_target_name(target), variant, n);
		if (load_fanout(&srv, with_logins ? &login : NULL, o, n, &f) != 0) {
			report_note(r->rep, "%s %s fan-out N=%u: %u of %u members came up",
				bench_target_name(target), variant, n, f.ready, n);
			if (!o->smoke && n > 100)
				report_note(r->rep, "(a room that large may need --ramp or fds)");
			r->failures += o->smoke;
		}
		add_fan(r, target, variant, &f);
		stop(r, p);
	}
}

static void run_polychat(struct run *r, int target)
{
	struct bench_opts *o = r->o;
	struct proc p;
	const char *name = bench_target_name(target);
	if (proc_init(&p, "polychatd") != 0) {
		report_note(r->rep, "%s: no temp dir", name);
		r->failures++;
		return;
	}
	unsigned fill = max_of(o->fan_n, o->n_fan_n);
	fill = o->idle_k > fill ? o->idle_k : fill;
	if (target == BT_KYLOCHAT && make_accounts(r, &p, fill < 1000 ? 1000 : fill) != 0) {
		proc_cleanup(&p);
		return;
	}
	/* kylochat has no pacing to turn off: its one variant is faithful. */
	int variants = target == BT_KYLOCHAT ? 1 : 2;
	for (int unpaced = 0; unpaced < variants; unpaced++) {
		const char *variant = unpaced ? "unpaced" : "faithful";
		if (start_polychatd(r, &p, target, unpaced, 1, o->hs_conc * 2) != 0)
			break;
		int port = proc_port(&p, "r0");
		struct server_ref srv = { target, proto_of(target), p.pid, &port, 1, 0,
			target == BT_KYLOCHAT ? "f" : "m", FILL_PASSWORD };
		struct churn_result res;
		bench_say("%s %s handshakes, %u in flight", name, variant, o->hs_conc);
		if (load_handshakes(&srv, o->hs_conc, o->hs_conc * 4, 0, o->hs_seconds, &res) == 0)
			add_hs(r, target, variant, 0, o->hs_conc, &res);
		if (target == BT_KYLOCHAT) {
			srv.prefix = "l";
			srv.password = LOGIN_PASSWORD;
			bench_say("kylochat logins at bcrypt cost %u, %u in flight", o->login_cost,
				o->login_conc);
			if (load_handshakes(&srv, o->login_conc, o->login_conc, 1, o->login_seconds,
				    &res) == 0)
				add_hs(r, target, variant, 1, o->login_conc, &res);
		}
		stop(r, &p);
	}
	if (target == BT_KYLOCHAT) {
		sweep_polychat(r, &p, target, 0, o->fan_n, o->n_fan_n);
	} else {
		sweep_polychat(r, &p, target, 0, o->paced_n, o->n_paced_n);
		sweep_polychat(r, &p, target, 1, o->fan_n, o->n_fan_n);
	}
	if (o->idle_k > 0) {
		unsigned rooms = (o->idle_k + o->idle_room - 1) / o->idle_room;
		bench_say("%s idle: %u sessions in %u rooms", name, o->idle_k, rooms);
		if (start_polychatd(r, &p, target, 0, rooms, o->idle_room) == 0) {
			int *ports = calloc(rooms, sizeof(*ports));
			for (unsigned i = 0; ports && i < rooms; i++) {
				char l[16];
				snprintf(l, sizeof(l), "r%u", i);
				ports[i] = proc_port(&p, l);
			}
			struct server_ref srv = { target, proto_of(target), p.pid, ports, rooms, 0,
				target == BT_KYLOCHAT ? "f" : "m", FILL_PASSWORD };
			struct idle_result d;
			if (ports && load_idle(&srv, o, o->idle_k, &d) == 0)
				add_idle(r, target, "faithful", &d);
			else
				report_note(r->rep, "%s idle: no session came up", name);
			free(ports);
			stop(r, &p);
		}
	}
	proc_cleanup(&p);
}

/* The crypto-free relay: fernet-hybrid's ceiling. */
static void run_null(struct run *r)
{
	struct bench_opts *o = r->o;
	struct proc p;
	if (proc_init(&p, "null relay") != 0)
		return;
	bench_say("null relay: handshakes and fan-out");
	if (proc_start_null(&p, r->self) == 0) {
		int port = proc_port(&p, "null");
		struct server_ref srv = { BT_NULL, &proto_fernet, p.pid, &port, 1, 0, "m", NULL };
		struct churn_result res;
		if (load_handshakes(&srv, o->hs_conc, o->hs_conc * 4, 0, o->hs_seconds, &res) == 0)
			add_hs(r, BT_NULL, "unpaced", 0, o->hs_conc, &res);
		stop(r, &p);
	}
	for (size_t i = 0; i < o->n_fan_n; i++) {
		if (proc_start_null(&p, r->self) != 0)
			break;
		int port = proc_port(&p, "null");
		struct server_ref srv = { BT_NULL, &proto_fernet, p.pid, &port, 1, 0, "m", NULL };
		struct fan_result f;
		load_fanout(&srv, NULL, o, o->fan_n[i], &f);
		add_fan(r, BT_NULL, "unpaced", &f);
		stop(r, &p);
	}
	proc_cleanup(&p);
}

static int start_ngircd(struct run *r, struct proc *p, int unpaced)
{
	int port = proc_free_port();
	char *conf = port > 0 ? cfg_ngircd(port, unpaced) : NULL;
	char path[512];
	int rc = conf && proc_write_file(p, "ngircd.conf", conf, path, sizeof(path)) == 0 &&
		proc_start_ngircd(p, "ngircd.conf") == 0 ? 0 : -1;
	free(conf);
	if (rc != 0) {
		report_note(r->rep, "ngircd did not start");
		proc_stop(p);
	}
	return rc;
}

/* The peer: ngIRCd, the same workloads over IRC. */
static void run_ngircd(struct run *r)
{
	struct bench_opts *o = r->o;
	if (access("/usr/sbin/ngircd", X_OK) != 0) {
		report_note(r->rep, "SKIP peer: ngircd is not installed (apt-get install ngircd);"
			" no polychat/peer ratios in this run");
		return;
	}
	struct proc p;
	if (proc_init(&p, "ngircd") != 0)
		return;
	for (int unpaced = 0; unpaced < 2; unpaced++) {
		const char *variant = unpaced ? "unpaced" : "faithful";
		const unsigned *ns = unpaced ? o->fan_n : o->paced_n;
		size_t count = unpaced ? o->n_fan_n : o->n_paced_n;
		if (start_ngircd(r, &p, unpaced) != 0)
			break;
		int port = proc_port(&p, "ngircd");
		struct server_ref srv = { BT_NGIRCD, &proto_irc, p.pid, &port, 1, 1, "m", NULL };
		struct churn_result res;
		bench_say("ngircd %s registrations, %u in flight", variant, o->hs_conc);
		if (load_handshakes(&srv, o->hs_conc, o->hs_conc * 4, 0, o->hs_seconds, &res) == 0)
			add_hs(r, BT_NGIRCD, variant, 0, o->hs_conc, &res);
		stop(r, &p);
		for (size_t i = 0; i < count; i++) {
			if (start_ngircd(r, &p, unpaced) != 0)
				break;
			port = proc_port(&p, "ngircd");
			srv.pid = p.pid;
			struct fan_result f;
			bench_say("ngircd %s fan-out, N=%u", variant, ns[i]);
			load_fanout(&srv, NULL, o, ns[i], &f);
			add_fan(r, BT_NGIRCD, variant, &f);
			stop(r, &p);
		}
	}
	/* Penalties off for the idle set-up: they only slow each JOIN down
	 * (by seconds, times K) and change nothing the server keeps. */
	if (o->idle_k > 0 && start_ngircd(r, &p, 1) == 0) {
		int port = proc_port(&p, "ngircd");
		struct server_ref srv = { BT_NGIRCD, &proto_irc, p.pid, &port, 1, 1, "m", NULL };
		struct idle_result d;
		bench_say("ngircd idle: %u sessions in channels of %u", o->idle_k, o->idle_room);
		if (load_idle(&srv, o, o->idle_k, &d) == 0)
			add_idle(r, BT_NGIRCD, "unpaced", &d);
		stop(r, &p);
	}
	proc_cleanup(&p);
}

static void run_limits(struct run *r)
{
	bench_say("limit: OpenSSL on %u threads", r->o->threads);
	if (limit_measure(r->o->threads, r->o->limit_seconds, &r->rep->limit) == 0) {
		r->rep->have_limit = 1;
	} else {
		report_note(r->rep, "the OpenSSL limit could not be measured");
		r->failures++;
	}
}

/* The build tree: --build, $POLYCHAT_BUILDDIR, or the parent of bench/. */
static void find_builddir(struct run *r)
{
	if (r->o->builddir)
		return;
	const char *env = getenv("POLYCHAT_BUILDDIR");
	if (env && *env) {
		r->o->builddir = env;
		return;
	}
	static char dir[1024];
	snprintf(dir, sizeof(dir), "%s", r->self);
	/* bench/.libs/lt-* when libtool wraps it, else bench/polychat-bench */
	char *d = dirname(dir);
	if (strstr(d, "/.libs"))
		d = dirname(d);
	r->o->builddir = dirname(d);
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	enum { O_OUT = 256, O_BUILD, O_SMOKE, O_TARGETS, O_NOPEER, O_CONC, O_HSSEC, O_LCONC,
		O_LSEC, O_LCOST, O_FAN, O_PACED, O_SENDERS, O_SIZE, O_WINDOW, O_FANSEC, O_LUL,
		O_IDLE, O_ROOM, O_RAMP, O_LIMSEC, O_THREADS, O_HELP };
	static const struct option longs[] = {
		{ "out", 1, NULL, O_OUT }, { "build", 1, NULL, O_BUILD },
		{ "smoke", 0, NULL, O_SMOKE }, { "targets", 1, NULL, O_TARGETS },
		{ "no-peer", 0, NULL, O_NOPEER }, { "conc", 1, NULL, O_CONC },
		{ "hs-seconds", 1, NULL, O_HSSEC }, { "login-conc", 1, NULL, O_LCONC },
		{ "login-seconds", 1, NULL, O_LSEC }, { "login-cost", 1, NULL, O_LCOST },
		{ "fanout", 1, NULL, O_FAN }, { "paced", 1, NULL, O_PACED },
		{ "senders", 1, NULL, O_SENDERS }, { "size", 1, NULL, O_SIZE },
		{ "window", 1, NULL, O_WINDOW }, { "fan-seconds", 1, NULL, O_FANSEC },
		{ "logins-under-load", 1, NULL, O_LUL }, { "idle", 1, NULL, O_IDLE },
		{ "idle-room", 1, NULL, O_ROOM }, { "ramp", 1, NULL, O_RAMP },
		{ "limit-seconds", 1, NULL, O_LIMSEC }, { "threads", 1, NULL, O_THREADS },
		{ "help", 0, NULL, O_HELP }, { NULL, 0, NULL, 0 },
	};
	/* --smoke first, so that other options given with it still count. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--smoke") == 0)
			opts_smoke(o);
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		unsigned long v = optarg ? strtoul(optarg, NULL, 10) : 0;
		double d = optarg ? strtod(optarg, NULL) : 0;
		switch (c) {
		case O_OUT: o->outdir = optarg; break;
		case O_BUILD: o->builddir = optarg; break;
		case O_SMOKE: break;
		case O_TARGETS:
			if (parse_targets(optarg, &o->targets) != 0)
				return -1;
			break;
		case O_NOPEER: o->want_peer = 0; break;
		case O_CONC: o->hs_conc = (unsigned)v; break;
		case O_HSSEC: o->hs_seconds = d; break;
		case O_LCONC: o->login_conc = (unsigned)v; break;
		case O_LSEC: o->login_seconds = d; break;
		case O_LCOST: o->login_cost = (unsigned)v; break;
		case O_FAN:
			if (parse_list(optarg, o->fan_n, &o->n_fan_n) != 0)
				return -1;
			break;
		case O_PACED:
			if (parse_list(optarg, o->paced_n, &o->n_paced_n) != 0)
				return -1;
			break;
		case O_SENDERS: o->senders = (unsigned)v; break;
		case O_SIZE: o->msg_size = v; break;
		case O_WINDOW: o->window = (unsigned)v; break;
		case O_FANSEC: o->fan_seconds = d; break;
		case O_LUL: o->logins_under_load = (unsigned)v; break;
		case O_IDLE: o->idle_k = (unsigned)v; break;
		case O_ROOM: o->idle_room = (unsigned)v; break;
		case O_RAMP: o->ramp = (unsigned)v; break;
		case O_LIMSEC: o->limit_seconds = d; break;
		case O_THREADS: o->threads = (unsigned)v; break;
		case O_HELP:
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || o->hs_conc < 1 || o->login_conc < 1 || o->senders < 1 ||
	    o->msg_size < 32 || o->window < 1 || o->idle_room < 1 || o->ramp < 1 ||
	    o->login_cost < 4 || o->login_cost > 31 || o->hs_seconds <= 0 ||
	    o->fan_seconds <= 0 || o->login_seconds <= 0 || o->limit_seconds <= 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--serve-null") == 0)
		return null_relay_main();
	static struct bench_opts opts;
	static struct report rep;
	struct run r = { .o = &opts, .rep = &rep };
	opts_default(&opts);
	if (parse_args(argc, argv, &opts) != 0) {
		usage(stderr);
		return 2;
	}
	ssize_t n = readlink("/proc/self/exe", r.self, sizeof(r.self) - 1);
	r.self[n > 0 ? n : 0] = '\0';
	find_builddir(&r);
	signal(SIGPIPE, SIG_IGN);
	pc_host_setup(NULL, NULL);
	pc_log_setup(POLYCHAT_LOG_WARNING, 0, "polychat-bench");
	report_machine(&rep, &opts);
	opts.idle_k = raise_nofile(opts.idle_k, &rep);
	if (proto_init(pc_host()) != 0) {
		fprintf(stderr, "polychat-bench: no pychat key pair\n");
		return 1;
	}
	uint64_t t0 = bench_now_ns();
	if (opts.targets & ((1u << BT_KYLOCHAT) | (1u << BT_PYCHAT)))
		run_limits(&r);
	for (int t = BT_KYLOCHAT; t <= BT_FERNET; t++)
		if (opts.targets & (1u << t))
			run_polychat(&r, t);
	if (opts.targets & (1u << BT_FERNET))
		run_null(&r);
	if (opts.want_peer && (opts.targets & (1u << BT_NGIRCD)))
		run_ngircd(&r);
	rep.elapsed_s = (double)(bench_now_ns() - t0) / 1e9;
	report_print(&rep);
	if (report_write(&rep) != 0)
		r.failures++;
	else
		bench_say("results in %s", opts.outdir);
	proto_fini();
	return r.failures ? 1 : 0;
}
