# tools/common.sh — shared by tools/demo and tools/test (sourced, not run).
#
# Installs what is missing (Debian 12), builds and installs the extension,
# and manages a throwaway PostgreSQL cluster owned by the postgres user
# (PostgreSQL refuses to run as root).

set -euo pipefail

AUTHZ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
# AUTHZ_PG_PREFIX=/tmp/some-dir: build, install and test against a private
# copy of the server there instead of the system one (PostgreSQL finds its
# share and lib directories relative to its binaries), so that several
# checkouts can be tested side by side without overwriting each other.
if [ -n "${AUTHZ_PG_PREFIX:-}" ]; then
	if [ ! -x "$AUTHZ_PG_PREFIX/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ]; then
		mkdir -p "$AUTHZ_PG_PREFIX/usr/lib/postgresql" "$AUTHZ_PG_PREFIX/usr/share/postgresql" "$AUTHZ_PG_PREFIX/usr/include"
		cp -a "/usr/lib/postgresql/$PG_MAJOR" "$AUTHZ_PG_PREFIX/usr/lib/postgresql/"
		cp -a "/usr/share/postgresql/$PG_MAJOR" "$AUTHZ_PG_PREFIX/usr/share/postgresql/"
		ln -sfn /usr/include/postgresql "$AUTHZ_PG_PREFIX/usr/include/postgresql"
		chmod 755 "$AUTHZ_PG_PREFIX"
	fi
	PG_BIN=$AUTHZ_PG_PREFIX/usr/lib/postgresql/$PG_MAJOR/bin
fi
APT_PACKAGES="make gcc clang llvm libclang-rt-14-dev postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	libyaml-dev libjwt-dev libjansson-dev libpcre2-dev libssl-dev libipc-run-perl
	openssl ca-certificates tzdata python3 curl"
# memcheck for tools/test_valgrind (also brings valgrind/memcheck.h)
APT_PACKAGES="$APT_PACKAGES valgrind"
# warnings are errors in CI and tests, not in the Makefile
AUTHZ_PG_CFLAGS="-DUSE_ASSERT_CHECKING -Wall -Wextra -Werror -Wno-unused-parameter"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the postgres user from a directory it can enter (the
# checkout may live where postgres has no access).
as_postgres() {
	(cd / && as_root runuser -u postgres -- "$@")
}

# Installs the Debian packages that are not installed yet.
install_packages() {
	local missing=()
	for p in $APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	# Node.js may come from elsewhere than Debian; only its absence matters
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v npm >/dev/null 2>&1 || missing+=(npm)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing: ${missing[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# The reference Cerbos binary (npm @cerbos/cerbos-linux-x64), for the
# differential tests; sets CERBOS to its path.
CERBOS_VERSION=0.55.0
ensure_cerbos() {
	local cache="$AUTHZ_ROOT/.cache/cerbos-$CERBOS_VERSION"
	if [ ! -x "$cache/package/cerbos-linux-x64" ]; then
		echo "== fetching the reference Cerbos $CERBOS_VERSION from npm"
		mkdir -p "$cache"
		(cd "$cache" && npm pack -q "@cerbos/cerbos-linux-x64@$CERBOS_VERSION" >/dev/null &&
			tar xzf cerbos-cerbos-linux-x64-$CERBOS_VERSION.tgz && rm -f ./*.tgz)
	fi
	CERBOS="$cache/package/cerbos-linux-x64"
	export CERBOS
}

# Builds with warnings as errors and installs into the server's directories.
build_and_install() {
	echo "== building authz"
	make -C "$AUTHZ_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" PG_CFLAGS="$AUTHZ_PG_CFLAGS" >/dev/null
	as_root make -C "$AUTHZ_ROOT" -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null
}

# Starts a throwaway cluster with authz preloaded; sets CLUSTER_DIR, PGPORT.
# Extra postgresql.conf lines may be passed as arguments.
start_cluster() {
	CLUSTER_DIR=$(mktemp -d /tmp/authz-cluster.XXXXXX)
	chown postgres:postgres "$CLUSTER_DIR"
	PGPORT=${AUTHZ_TEST_PORT:-$(( 55000 + RANDOM % 5000 ))}
	export PGPORT PGHOST=/tmp PGUSER=postgres
	as_postgres "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -A trust -U postgres >/dev/null
	{
		echo "shared_preload_libraries = 'authz'"
		echo "port = $PGPORT"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '/tmp'"
		echo "max_worker_processes = 16"
		for line in "$@"; do echo "$line"; done
	} >> "$CLUSTER_DIR/data/postgresql.conf"
	as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w start >/dev/null
	echo "== throwaway cluster on port $PGPORT in $CLUSTER_DIR"
}

stop_cluster() {
	if [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR/data" ]; then
		as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$CLUSTER_DIR"
	fi
}

# psql as postgres against the throwaway cluster.
run_psql() {
	as_postgres env PGPORT="$PGPORT" PGHOST=/tmp "$PG_BIN/psql" -X -v ON_ERROR_STOP=1 "$@"
}

# A copy of the source tree that the postgres user owns (pg_regress and the
# TAP tests write results next to the sources).
postgres_tree() {
	local dir
	dir=$(mktemp -d /tmp/authz-tree.XXXXXX)
	(cd "$AUTHZ_ROOT" && tar --exclude=.git -cf - .) | (cd "$dir" && tar xf -)
	chown -R postgres:postgres "$dir"
	echo "$dir"
}
