"""A minimal keyring backend that does what Chainguard's Python keyring backend
does, for credgen's benchmarks (make bench, BENCHMARKS.md).

For a service URL on cgr.dev or *.cgr.dev it runs
``chainctl auth token --audience=libraries.cgr.dev`` and returns the token as
the password of user ``_token``; every other service is not its business.
Nothing is cached: like the real backend, every lookup is one chainctl run,
which is the cost credgen removes from install time.

The folder beside this package holds its dist-info with a ``keyring.backends``
entry point, so with this folder on PYTHONPATH keyring discovers the backend
the way it discovers a pip-installed plugin.
"""

import os
import shutil
import subprocess
import urllib.parse

from keyring import backend, credentials, errors

AUDIENCE = "libraries.cgr.dev"
USERNAME = "_token"
CHAINCTL_TIMEOUT = 30  # seconds, as credgen allows chainctl


def is_chainguard(service):
    """Whether service (a URL or a bare host, as pip passes both) is on cgr.dev."""
    if "://" not in service:
        service = "https://" + service
    host = (urllib.parse.urlsplit(service).hostname or "").rstrip(".")
    return host == "cgr.dev" or host.endswith(".cgr.dev")


def chainctl_token():
    """One token from chainctl (CHAINCTL overrides the one on PATH)."""
    chainctl = os.environ.get("CHAINCTL") or shutil.which("chainctl")
    if not chainctl:
        raise errors.KeyringError("chainctl not found on PATH")
    proc = subprocess.run(
        [chainctl, "auth", "token", "--audience=" + AUDIENCE],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHAINCTL_TIMEOUT,
    )
    if proc.returncode != 0:
        # chainctl's stderr says what to do; its stdout could hold a secret.
        raise errors.KeyringError("chainctl auth token failed: " + proc.stderr.strip())
    return proc.stdout.strip()


class ChainguardKeyring(backend.KeyringBackend):
    """Read-only backend: tokens for Chainguard Libraries, minted on each lookup."""

    priority = 9

    def get_password(self, service, username):
        if username != USERNAME or not is_chainguard(service):
            return None
        return chainctl_token()

    def get_credential(self, service, username):
        if username not in (None, USERNAME) or not is_chainguard(service):
            return None
        return credentials.SimpleCredential(USERNAME, chainctl_token())

    def set_password(self, service, username, password):
        raise errors.PasswordSetError("the Chainguard backend is read-only")

    def delete_password(self, service, username):
        raise errors.PasswordDeleteError("the Chainguard backend is read-only")
