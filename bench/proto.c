/* SPDX-License-Identifier: MIT */
/* polychat-bench: the state the protocol drivers share across connections. */
#include <stddef.h>

#include "proto.h"

static const struct polychat_host *the_host;

/* proto_init - see proto.h. */
int proto_init(const struct polychat_host *host)
{
	the_host = host;
	return proto_pychat_init();
}

/* proto_fini - see proto.h. */
void proto_fini(void)
{
	proto_pychat_fini();
	proto_kylochat_fini();
}

/* proto_host - see proto.h. */
const struct polychat_host *proto_host(void)
{
	return the_host;
}
