/* SPDX-License-Identifier: MIT */
/* Unit tests of core/loader.c against tiny fake plugins. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/host.h"
#include "../../core/loader.h"
#include "../capture-stderr.h"
#include "../check-run.h"

static struct pc_loader *loader;
static char err[1024];

static const char *plugin(const char *name)
{
	static char path[4096];
	const char *build = getenv("POLYCHAT_BUILDDIR");
	snprintf(path, sizeof(path), "%s/tests/plugins/%s.la", build ? build : ".", name);
	return path;
}

static void setup(void)
{
	pc_host_setup(uv_default_loop(), NULL);
	loader = pc_loader_new(pc_host());
	ck_assert_ptr_nonnull(loader);
	err[0] = '\0';
}

static void teardown(void)
{
	pc_loader_free(loader);
}

START_TEST(good_plugin_loads_and_gets_defaults)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-good"), err, sizeof(err)), 0);
	const struct pc_component *c = pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "fake");
	ck_assert_ptr_nonnull(c);
	ck_assert(c->has_server);
	ck_assert(!c->has_client);
	/* Optional members are filled so call sites never test them. */
	ck_assert_ptr_nonnull(c->ops.suite.check);
	ck_assert_ptr_nonnull(c->ops.suite.session_shutdown);
	ck_assert_ptr_nonnull(c->ops.suite.client_help);
	ck_assert_ptr_null(c->ops.suite.client_help());
	ck_assert_int_eq(c->ops.suite.check(pc_host(), NULL), 0);
	ck_assert_str_eq(pc_plugin_name(c->plugin), "fake-fake");
	ck_assert_ptr_null(pc_loader_find(loader, POLYCHAT_COMPONENT_AUTH, "fake"));
	/* Loading the same file again changes nothing. */
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-good"), err, sizeof(err)), 0);
}
END_TEST

START_TEST(other_abi_major_is_refused_with_both_numbers)
{
	int rc = pc_loader_load(loader, plugin("fake-abi"), err, sizeof(err));
	ck_assert_int_eq(rc, POLYCHAT_EABI);
	ck_assert_ptr_nonnull(strstr(err, "ABI 2.0"));
	/* This core's own ABI, whatever its minor. */
	char own[32];
	snprintf(own, sizeof(own), "ABI %d.%d", POLYCHAT_ABI_MAJOR, POLYCHAT_ABI_MINOR);
	ck_assert_ptr_nonnull(strstr(err, own));
	ck_assert_ptr_nonnull(strstr(err, "fake-abi"));
	ck_assert_ptr_null(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "abi2"));
}
END_TEST

START_TEST(short_table_is_zero_filled)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-short"), err, sizeof(err)), 0);
	const struct pc_component *c = pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "short");
	ck_assert_ptr_nonnull(c);
	ck_assert(c->has_server);
	ck_assert(!c->has_client);
	ck_assert_ptr_null(c->ops.suite.client_open);
	ck_assert_ptr_nonnull(c->ops.suite.client_help);
}
END_TEST

START_TEST(long_table_with_empty_tail_is_accepted)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-longnull"), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "longnull"));
}
END_TEST

START_TEST(long_table_with_set_tail_is_refused)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-longset"), err, sizeof(err)),
		POLYCHAT_EABI);
	ck_assert_ptr_nonnull(strstr(err, "longer than this core's"));
	ck_assert_ptr_null(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "longset"));
}
END_TEST

START_TEST(missing_mandatory_method_is_named)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-missing"), err, sizeof(err)),
		POLYCHAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "session_input"));
	ck_assert_ptr_nonnull(strstr(err, "fake-missing"));
}
END_TEST

START_TEST(unknown_kind_is_refused)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-kind"), err, sizeof(err)),
		POLYCHAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "unknown kind 9"));
}
END_TEST

START_TEST(missing_symbol_is_refused)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-nosym"), err, sizeof(err)),
		POLYCHAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "exports no 'polychat_plugin'"));
}
END_TEST

START_TEST(failing_init_is_refused)
{
	int rc = pc_loader_load(loader, plugin("fake-initfail"), err, sizeof(err));
	ck_assert_int_eq(rc, POLYCHAT_EUNAVAIL);
	ck_assert_ptr_nonnull(strstr(err, "init failed"));
	ck_assert_ptr_null(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "initfail"));
}
END_TEST

START_TEST(duplicate_component_is_refused)
{
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-good"), err, sizeof(err)), 0);
	ck_assert_int_eq(pc_loader_load(loader, plugin("fake-dup"), err, sizeof(err)),
		POLYCHAT_EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "already provided by plugin fake-fake"));
}
END_TEST

START_TEST(missing_file_is_reported)
{
	ck_assert_int_eq(pc_loader_load(loader, "/nonexistent/plugin.so", err, sizeof(err)),
		POLYCHAT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/plugin.so"));
}
END_TEST

START_TEST(directory_scan_keeps_good_and_explains_refusals)
{
	char dir[4096];
	const char *build = getenv("POLYCHAT_BUILDDIR");
	snprintf(dir, sizeof(dir), "%s/tests/plugins", build ? build : ".");
	int loaded = pc_loader_load_dir(loader, dir);
	/* testline, good, short, longnull (dup loses to good by name order). */
	ck_assert_int_ge(loaded, 4);
	ck_assert_ptr_nonnull(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "testline"));
	ck_assert_ptr_nonnull(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "testline2"));
	char why[4096];
	pc_loader_explain(loader, POLYCHAT_COMPONENT_SUITE, "abi2", why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "'abi2'"));
	ck_assert_ptr_nonnull(strstr(why, dir));
	ck_assert_ptr_nonnull(strstr(why, "testline"));
	ck_assert_ptr_nonnull(strstr(why, "ABI 2.0"));
}
END_TEST

START_TEST(convenience_libraries_are_passed_over)
{
	/* The kylochat plugin's build directory also holds libkylocrypto.la,
	 * a convenience library: no plugin, and no warning about it. */
	char dir[4096], out[8192];
	const char *build = getenv("POLYCHAT_BUILDDIR");
	snprintf(dir, sizeof(dir), "%s/plugins/crypto-rsa-cbc", build ? build : ".");
	struct pc_capture cap;
	pc_capture_begin(&cap);
	int loaded = pc_loader_load_dir(loader, dir);
	fputs("scanned\n", stderr); /* the capture wants some output */
	pc_capture_end(&cap, out, sizeof(out));
	ck_assert_int_eq(loaded, 1);
	ck_assert_ptr_nonnull(pc_loader_find(loader, POLYCHAT_COMPONENT_SUITE, "kylochat"));
	ck_assert_str_eq(out, "scanned\n");
}
END_TEST

START_TEST(empty_directory_loads_nothing)
{
	/* A plugin directory with no plugin in it yet (a build directory
	 * before its first make) is scanned without complaint. */
	char dir[] = "/tmp/polychat-loader-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	int loaded = pc_loader_load_dir(loader, dir);
	rmdir(dir);
	ck_assert_int_eq(loaded, 0);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_plugin_loads_and_gets_defaults);
	tcase_add_test(tc, empty_directory_loads_nothing);
	tcase_add_test(tc, other_abi_major_is_refused_with_both_numbers);
	tcase_add_test(tc, short_table_is_zero_filled);
	tcase_add_test(tc, long_table_with_empty_tail_is_accepted);
	tcase_add_test(tc, long_table_with_set_tail_is_refused);
	tcase_add_test(tc, missing_mandatory_method_is_named);
	tcase_add_test(tc, unknown_kind_is_refused);
	tcase_add_test(tc, missing_symbol_is_refused);
	tcase_add_test(tc, failing_init_is_refused);
	tcase_add_test(tc, duplicate_component_is_refused);
	tcase_add_test(tc, missing_file_is_reported);
	tcase_add_test(tc, directory_scan_keeps_good_and_explains_refusals);
	tcase_add_test(tc, convenience_libraries_are_passed_over);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return pc_check_run(loader_suite());
}
