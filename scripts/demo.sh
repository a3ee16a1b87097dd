#!/usr/bin/env bash
# make demo: credgen end to end on this machine, against local fakes of
# chainctl and menda-cloud, a TLS index that answers for libraries.cgr.dev and
# a CodeArtifact host (reached through a CONNECT proxy, so /etc/hosts is not
# touched), and a real `pip install`. Everything lives in a temporary HOME
# that is removed at the end.
set -euo pipefail
credgen=$(realpath "${1:-bin/credgen}")
work=$(mktemp -d "${TMPDIR:-/tmp}/credgen-demo.XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { # a file with every secret masked
  printf -- '--- %s\n' "${1/#$HOME/\~}"
  sed -E -e 's#(password )[^ ]+#\1****#g' -e 's#(://[^:/@]+:)[^@]+@#\1****@#g' "$1"
}

step "building the fakes (chainctl, TLS index + CONNECT proxy + menda-cloud)"
go build -o "$work/bin/chainctl" ./testdata/cmd/fakechainctl
go build -o "$work/bin/fakeserve" ./testdata/cmd/fakeserve
"$work/bin/fakeserve" -dir "$work" -env "$work/fakes.env" >"$work/fakeserve.out" 2>"$work/fakeserve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q ready "$work/fakeserve.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/fakeserve.out" || { cat "$work/fakeserve.log"; exit 1; }
set -a; . "$work/fakes.env"; set +a

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_STATE_HOME="$work/home/.local/state" XDG_CACHE_HOME="$work/home/.cache"
export CREDGEN_CHAINCTL="$work/bin/chainctl"
unset NETRC PIP_CONFIG_FILE UV_CONFIG_FILE PIP_INDEX_URL PIP_EXTRA_INDEX_URL
mkdir -p "$HOME"
python=$(python3 -c 'import sys; print(sys.executable)')
# pip as a user runs it, with this machine's CA and pip settings out of the
# way (requests lets REQUESTS_CA_BUNDLE override --cert).
pip() {
  local extra=()
  [ "$1" = install ] && extra=(--root-user-action=ignore) # we run as whoever runs the demo
  env -i HOME="$HOME" PATH="$PATH" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" HTTPS_PROXY="$HTTPS_PROXY" \
    "$python" -m pip "$1" --no-deps --disable-pip-version-check --no-input -q ${extra[@]+"${extra[@]}"} --cert "$FAKE_CA" "${@:2}"
}
cgr=https://libraries.cgr.dev/python/simple/
ca=https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/

step "a user's existing ~/.netrc"
printf '# my machines\nmachine github.com login octocat password ghp_example\n' >"$HOME/.netrc"
show "$HOME/.netrc"

step "pip before credgen: the private index answers 401 Unauthorized"
if pip download -d "$work/dl" --index-url "$cgr" credgen-probe 2>/dev/null; then
  echo "unexpected: pip got in without credentials"; exit 1
fi
echo "pip: no matching distribution found"

step "credgen write --default-index $cgr --index $ca"
"$credgen" write --default-index "$cgr" --index "$ca"

step "what credgen wrote (secrets masked here)"
show "$HOME/.netrc"
show "$XDG_CONFIG_HOME/pip/pip.conf"
show "$XDG_CONFIG_HOME/uv/uv.toml"
ls -l "$HOME/.netrc" "$XDG_CONFIG_HOME/pip/pip.conf" "$XDG_CONFIG_HOME/uv/uv.toml" | awk '{print $1, $NF}'

step "credgen status"
"$credgen" status

step "credgen write again: everything fresh, nothing minted, nothing rewritten"
"$credgen" write
echo "(no output: nothing to do)"

step "real pip install from the Chainguard index, then from the CodeArtifact index (netrc only)"
pip install --target "$work/site" credgen-probe
PYTHONPATH="$work/site" "$python" -c 'import credgen_probe; print("imported credgen_probe", credgen_probe.__version__)'
pip download -d "$work/dl2" --isolated --index-url "$ca" credgen-probe
ls "$work/dl2"

step "credgen remove: credentials out, your own entries untouched"
"$credgen" remove
show "$HOME/.netrc"

step "no files at all: credgen as the keyring pip calls (--keyring-provider subprocess)"
PATH="$work/kbin:$PATH" "$credgen" keyring install "$work/kbin"
env -i HOME="$HOME" PATH="$work/kbin:$PATH" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" \
  XDG_CACHE_HOME="$XDG_CACHE_HOME" CREDGEN_CHAINCTL="$CREDGEN_CHAINCTL" HTTPS_PROXY="$HTTPS_PROXY" \
  "$python" -m pip download --no-deps --disable-pip-version-check --no-input -q --cert "$FAKE_CA" \
  -d "$work/dl3" --isolated --keyring-provider subprocess --index-url "https://_token@${cgr#https://}" credgen-probe
ls "$work/dl3"
grep -q libraries.cgr.dev "$HOME/.netrc" || echo "(no credgen entry in ~/.netrc: the credential came on demand)"

step "credgen doctor: a stale PIP_INDEX_URL exported in the shell wins over pip.conf"
"$credgen" write --default-index "$cgr"
"$credgen" doctor --client pip,uv,curl
export PIP_INDEX_URL="https://_token:an-old-expired-token@libraries.cgr.dev/python/simple/"
echo "\$ export PIP_INDEX_URL=https://_token:****@libraries.cgr.dev/python/simple/"
rc=0
"$credgen" doctor --client pip || rc=$?
[ "$rc" = 1 ] || { echo "unexpected: doctor exited $rc, want 1 (a problem found)"; exit 1; }
unset PIP_INDEX_URL
echo "\$ unset PIP_INDEX_URL"
"$credgen" doctor --client pip
printf '\ndemo done.\n'
