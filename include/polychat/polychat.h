/* SPDX-License-Identifier: MIT */
/* The whole polychat plugin SDK: include this one header. */
#ifndef POLYCHAT_POLYCHAT_H
#define POLYCHAT_POLYCHAT_H

#include <polychat/status.h>
#include <polychat/host.h>
#include <polychat/store.h>
#include <polychat/auth.h>
#include <polychat/suite.h>
#include <polychat/plugin.h>

#endif /* POLYCHAT_POLYCHAT_H */
