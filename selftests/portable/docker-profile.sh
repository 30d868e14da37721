#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Docker's default seccomp profile from Debian's package, cached; prints its path.
#
#   selftests/portable/docker-profile.sh     (REDIRECT_CACHE, default /var/cache/redirect)
exec "$(dirname "$0")/engine-profile.sh" docker
