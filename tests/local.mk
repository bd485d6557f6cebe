# SPDX-License-Identifier: MIT
# Test programs and test-only plugins; each area has its own fragment.
include %reldir%/stubs/local.mk
include %reldir%/unit/config.mk
include %reldir%/mariadb/local.mk
include %reldir%/store/local.mk
include %reldir%/plugins/local.mk
include %reldir%/unit/local.mk
include %reldir%/integration/local.mk
EXTRA_DIST += %reldir%/check-run.h
include %reldir%/fuzz/local.mk
include %reldir%/plugins/kylochat.mk
include %reldir%/plugins/common.mk
include %reldir%/plugins/pychat.mk
include %reldir%/plugins/fernet.mk
include %reldir%/plugins/e2ee.mk
include %reldir%/plugins/e2ee-client.mk
include %reldir%/plugins/auth-otp.mk
EXTRA_DIST += %reldir%/capture-stderr.h
