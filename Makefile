# authz — PGXS build.  The version lives in authz.control only.
EXTENSION = authz
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" authz.control)
MODULE_big = authz

# core (pure C) and PostgreSQL layer; every .c under src/ is part of the module
SRCS = $(sort $(wildcard src/*.c src/*/*.c))
OBJS = $(SRCS:.c=.o)

DATA = $(wildcard authz--*.sql)

# suites run in this order in one database: each leaves the policy set it found
REGRESS = preload principal policy_table store cel check
REGRESS += session_rejects
# Cerbos test suites in SQL (authz_run_tests)
REGRESS += run_tests
REGRESS_OPTS = --inputdir=. --load-extension=authz
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

PG_CPPFLAGS = -I$(srcdir)/src -std=gnu11
SHLIB_LINK = -lyaml -ljwt -ljansson -lpcre2-8 -lssl -lcrypto -lm

EXTRA_CLEAN = test/unit/build

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# C unit tests of the core: no server needed.
.PHONY: unitcheck
unitcheck:
	$(MAKE) -C test/unit CC="$(CC)" EXTRA_CFLAGS="$(PG_CFLAGS)"

# resource limits on CEL and interrupts (hardening)
REGRESS += limits

# every privileged function refuses an ordinary role (hardening)
REGRESS += privileges

# authz_check calls rewritten into their query plan's SQL (planner support)
REGRESS += inline_check
# ALTER EXTENSION authz UPDATE from every released version (hardening)
REGRESS += upgrade
# compiled policy sets shared in memory
REGRESS += shared_set
