/* SPDX-License-Identifier: MIT */
/* polychatctl's audit command: what suites recorded of logins and messages (addresses, sizes). */
#include <stdio.h>

#include "ctl.h"

/* audit_list callback: one tab-separated row per record. */
static int print_record(void *arg, const struct polychat_audit *rec)
{
	(void)arg;
	ctl_put_time(rec->at);
	putchar('\t');
	ctl_put_field(rec->name);
	putchar('\t');
	ctl_put_field(rec->event);
	putchar('\t');
	ctl_put_field(rec->address[0] ? rec->address : "-");
	printf("\t%lld\n", (long long)rec->size);
	return 0;
}

/* audit list NAME [--limit N]: one user's records, newest first. */
int ctl_audit_list(struct ctl *ctl, const struct ctl_args *a)
{
	int rc = ctl_open(ctl, 0);
	if (rc != CTL_OK)
		return rc;
	printf("at\tname\tevent\taddress\tsize\n");
	rc = ctl->store.ops->audit_list(ctl->store.db, ctl->realm,
		a->arg[0], NULL, a->limit, print_record, NULL);
	return rc ? ctl_fail(a->cmd, NULL, rc) : CTL_OK;
}
