"""A catalog of popular GitHub Actions: inputs, required inputs, outputs and released majors.

Written by hand from the actions' ``action.yml`` files. It drives the ``with:`` key check, the
missing-required-input check, the ``steps.<id>.outputs.<name>`` check for a known action and
the unknown major version check (``actions/checkout@v99``).

Every fact here is conservative: an input list is the union over all major versions (so an
input that only an older or newer major knows is never reported), ``inputs=None`` or
``outputs=None`` means "not checked" (the list is long, changes often or is dynamic, like
``dorny/paths-filter`` whose outputs are named after its filters), ``required`` lists only
inputs without a default that the action refuses to run without, and ``max_major`` is the
newest major known when the catalog was written: a major up to :data:`MAJOR_SLACK` above it is
accepted silently, because an action may have released it since.

``deprecated`` names the inputs an action's metadata marks with ``deprecationMessage`` (with
that advice, shortened); ``using`` is the kind of runner (``node``, ``docker``, ``composite``;
empty when not recorded), which says whether the Docker-only inputs ``entrypoint`` and ``args``
mean anything; ``current_since`` is the first major that runs on a Node.js version GitHub still
provides (the majors before it run on node12 or node16, which GitHub's runners no longer have).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: majors above ``max_major`` by at most this much may have been released since the catalog
MAJOR_SLACK = 2


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What the catalog knows about one action."""

    name: str
    max_major: int
    inputs: frozenset[str] | None = None  # None: not checked
    required: tuple[tuple[str, int], ...] = ()  # (input, first major that requires it)
    outputs: frozenset[str] | None = None  # None: not checked (or dynamic)
    deprecated: tuple[tuple[str, str], ...] = ()  # (input, advice)
    using: str = ""  # node, docker, composite; "" not recorded
    current_since: int | None = None  # first major on a Node.js runtime GitHub still runs

    def deprecation(self, name: str) -> str | None:
        """The advice for a deprecated input (compared case-insensitively), else None."""
        low = name.lower()
        for inp, advice in self.deprecated:
            if inp.lower() == low:
                return advice
        return None

    def required_inputs(self, major: int | None) -> list[str]:
        """Inputs the given major (None: unknown ref) requires."""
        if major is None:
            return []
        return [name for name, since in self.required if major >= since]


def _spec(
    name: str,
    max_major: int,
    inputs: str | None = None,
    required: str = "",
    outputs: str | None = None,
    deprecated: dict[str, str] | None = None,
    using: str = "",
    current_since: int | None = None,
) -> ActionSpec:
    req: list[tuple[str, int]] = []
    for item in required.split():
        inp, _, since = item.partition("@")
        req.append((inp, int(since) if since else 0))
    return ActionSpec(
        name=name,
        max_major=max_major,
        inputs=frozenset(inputs.split()) if inputs is not None else None,
        required=tuple(req),
        outputs=frozenset(outputs.split()) if outputs is not None else None,
        deprecated=tuple(sorted((deprecated or {}).items())),
        using=using,
        current_since=current_since,
    )


_SPECS = [
    # -- actions/* ----------------------------------------------------------------------------
    _spec(
        "actions/checkout",
        6,
        inputs="repository ref token ssh-key ssh-known-hosts ssh-strict ssh-user persist-credentials path"
        " clean filter sparse-checkout sparse-checkout-cone-mode fetch-depth fetch-tags show-progress lfs"
        " submodules set-safe-directory github-server-url",
        outputs="ref commit",
    ),
    _spec(
        "actions/setup-node",
        5,
        inputs="always-auth node-version node-version-file architecture check-latest registry-url scope"
        " token cache cache-dependency-path mirror mirror-token package-manager-cache version",
        outputs="cache-hit node-version",
    ),
    _spec(
        "actions/setup-python",
        5,
        inputs="python-version python-version-file cache architecture check-latest token"
        " cache-dependency-path update-environment allow-prereleases freethreaded pip-version pip-install",
        outputs="python-version cache-hit python-path",
    ),
    _spec(
        "actions/setup-java",
        4,
        inputs="java-version java-version-file distribution java-package architecture jdkFile check-latest"
        " server-id server-username server-password settings-path overwrite-settings gpg-private-key"
        " gpg-passphrase cache cache-dependency-path job-status token mvn-toolchain-id mvn-toolchain-vendor",
        required="distribution@2",
        outputs="distribution path version cache-hit",
    ),
    _spec(
        "actions/setup-go",
        5,
        inputs="go-version go-version-file check-latest token cache cache-dependency-path architecture stable",
        outputs="go-version cache-hit",
    ),
    _spec(
        "actions/setup-dotnet",
        4,
        inputs="dotnet-version dotnet-quality global-json-file source-url owner config-file cache"
        " cache-dependency-path include-prerelease workloads architecture",
        outputs="cache-hit dotnet-version",
    ),
    _spec(
        "actions/cache",
        4,
        inputs="path key restore-keys upload-chunk-size enableCrossOsArchive fail-on-cache-miss lookup-only"
        " save-always",
        required="path key",
        outputs="cache-hit",
    ),
    _spec(
        "actions/cache/restore",
        4,
        inputs="path key restore-keys enableCrossOsArchive fail-on-cache-miss lookup-only",
        required="path key",
        outputs="cache-hit cache-primary-key cache-matched-key",
    ),
    _spec(
        "actions/cache/save",
        4,
        inputs="path key upload-chunk-size enableCrossOsArchive",
        required="path key",
        outputs="",
    ),
    _spec(
        "actions/upload-artifact",
        4,
        inputs="name path if-no-files-found retention-days compression-level overwrite include-hidden-files",
        required="path",
        outputs="artifact-id artifact-url artifact-digest",
    ),
    _spec(
        "actions/upload-artifact/merge",
        4,
        inputs="name pattern separate-directories retention-days compression-level delete-merged"
        " include-hidden-files",
        outputs="artifact-id artifact-url artifact-digest",
    ),
    _spec(
        "actions/download-artifact",
        4,
        inputs="name path pattern merge-multiple github-token repository run-id artifact-ids",
        outputs="download-path",
    ),
    _spec(
        "actions/github-script",
        7,
        inputs="script github-token debug user-agent previews result-encoding retries"
        " retry-exempt-status-codes base-url",
        required="script",
        # outputs=None: scripts set any output they like with core.setOutput
    ),
    _spec(
        "actions/labeler",
        5,
        inputs="repo-token configuration-path sync-labels dot pr-number",
        outputs="new-labels all-labels",
    ),
    _spec("actions/stale", 9),
    _spec("actions/first-interaction", 1),
    _spec(
        "actions/configure-pages",
        5,
        inputs="static_site_generator generator_config_file token enablement",
        outputs="base_url origin host base_path",
    ),
    _spec("actions/upload-pages-artifact", 3, inputs="name path retention-days", outputs="artifact_id"),
    _spec(
        "actions/deploy-pages",
        4,
        inputs="token timeout error_count reporting_interval artifact_name preview emit_telemetry conclusion",
        outputs="page_url",
    ),
    _spec("actions/jekyll-build-pages", 1, inputs="source destination future build_revision verbose token"),
    _spec("actions/dependency-review-action", 4),
    _spec("actions/attest-build-provenance", 2),
    _spec("actions/create-github-app-token", 2),
    _spec("actions/add-to-project", 1),
    _spec("actions/create-release", 1, outputs="id html_url upload_url"),
    _spec("actions/upload-release-asset", 1, outputs="browser_download_url"),
    _spec("actions/setup-haskell", 1),
    _spec("actions/delete-package-versions", 5),
    _spec("actions/go-dependency-submission", 2),
    # -- github/* -----------------------------------------------------------------------------
    _spec("github/codeql-action/init", 3),
    _spec("github/codeql-action/autobuild", 3),
    _spec("github/codeql-action/analyze", 3),
    _spec("github/codeql-action/upload-sarif", 3),
    _spec("github/super-linter", 7),
    # -- docker/* -----------------------------------------------------------------------------
    _spec("docker/login-action", 3),
    _spec("docker/setup-buildx-action", 3),
    _spec("docker/setup-qemu-action", 3, inputs="image platforms cache-image", outputs="platforms"),
    _spec(
        "docker/build-push-action",
        6,
        outputs="imageid digest metadata",
    ),
    _spec(
        "docker/metadata-action",
        5,
        outputs="version tags labels annotations json bake-file bake-file-tags bake-file-labels"
        " bake-file-annotations",
    ),
    _spec("docker/bake-action", 6),
    # -- popular third-party actions ---------------------------------------------------------
    _spec("aws-actions/configure-aws-credentials", 4, required="aws-region"),
    _spec("aws-actions/amazon-ecr-login", 2),
    _spec("aws-actions/amazon-ecs-render-task-definition", 1, outputs="task-definition"),
    _spec("aws-actions/amazon-ecs-deploy-task-definition", 2),
    _spec("azure/login", 2),
    _spec("azure/webapps-deploy", 3, outputs="webapp-url"),
    _spec("google-github-actions/auth", 2),
    _spec("google-github-actions/setup-gcloud", 2),
    _spec("hashicorp/setup-terraform", 3),
    _spec("softprops/action-gh-release", 2, outputs="url id upload_url assets"),
    _spec("peaceiris/actions-gh-pages", 4),
    _spec("peter-evans/create-pull-request", 7),
    _spec("codecov/codecov-action", 5),
    _spec("dorny/paths-filter", 3),  # outputs are named after the filters: dynamic
    _spec("ruby/setup-ruby", 1, outputs="ruby-prefix"),
    _spec("pnpm/action-setup", 4),
    _spec("golangci/golangci-lint-action", 6),
    _spec("JamesIves/github-pages-deploy-action", 4),
    _spec("slackapi/slack-github-action", 2),
    _spec("Swatinem/rust-cache", 2),
    _spec("gradle/actions/setup-gradle", 4),
    _spec("gradle/gradle-build-action", 3),
    _spec("shivammathur/setup-php", 2),
    _spec("subosito/flutter-action", 2),
    _spec("microsoft/setup-msbuild", 2),
    _spec("nuget/setup-nuget", 2),
    _spec("denoland/setup-deno", 2),
    _spec("oven-sh/setup-bun", 2),
    _spec("astral-sh/setup-uv", 6),
    _spec("sigstore/cosign-installer", 3),
    _spec("amannn/action-semantic-pull-request", 5),
    _spec("release-drafter/release-drafter", 6),
    _spec("stefanzweifel/git-auto-commit-action", 5),
    _spec("EndBug/add-and-commit", 9),
    _spec("mikepenz/action-junit-report", 5),
    _spec("tj-actions/changed-files", 46),
    _spec(
        "pypa/gh-action-pypi-publish",
        1,
        inputs="user password repository-url repository_url packages-dir packages_dir verify-metadata"
        " verify_metadata skip-existing skip_existing verbose print-hash print_hash attestations",
        outputs="",
        deprecated={
            "repository_url": 'use "repository-url" instead',
            "packages_dir": 'use "packages-dir" instead',
            "verify_metadata": 'use "verify-metadata" instead',
            "skip_existing": 'use "skip-existing" instead',
            "print_hash": 'use "print-hash" instead',
        },
    ),
    _spec(
        "reviewdog/action-actionlint",
        1,
        inputs="github_token workdir actionlint_flags tool_name level reporter filter_mode fail_on_error"
        " fail_level reviewdog_flags",
        deprecated={"fail_on_error": 'use "fail_level" instead'},
        using="docker",
    ),
    _spec("rhysd/action-setup-vim", 1, outputs="executable", using="node"),
]

#: JavaScript actions: the first major that runs on node20 or later (the earlier ones run on
#: node12 or node16); from each action's ``runs.using`` in its release history
_NODE_SINCE: dict[str, int] = {
    "actions/checkout": 4,
    "actions/setup-node": 4,
    "actions/setup-python": 5,
    "actions/setup-java": 4,
    "actions/setup-go": 5,
    "actions/setup-dotnet": 4,
    "actions/cache": 4,
    "actions/cache/restore": 4,
    "actions/cache/save": 4,
    "actions/upload-artifact": 4,
    "actions/download-artifact": 4,
    "actions/github-script": 7,
    "actions/labeler": 5,
    "actions/stale": 9,
    "actions/configure-pages": 4,
    "github/codeql-action/init": 3,
    "github/codeql-action/autobuild": 3,
    "github/codeql-action/analyze": 3,
    "github/codeql-action/upload-sarif": 3,
    "docker/login-action": 3,
    "docker/setup-buildx-action": 3,
    "docker/setup-qemu-action": 3,
    "docker/build-push-action": 5,
    "docker/metadata-action": 5,
    "aws-actions/configure-aws-credentials": 4,
    "azure/login": 2,
    "google-github-actions/auth": 2,
    "google-github-actions/setup-gcloud": 2,
    "hashicorp/setup-terraform": 3,
    "softprops/action-gh-release": 2,
    "peaceiris/actions-gh-pages": 4,
    "peter-evans/create-pull-request": 6,
    "codecov/codecov-action": 4,
    "dorny/paths-filter": 3,
    "golangci/golangci-lint-action": 4,
    "pnpm/action-setup": 3,
    "Swatinem/rust-cache": 2,
}


def _with_runtime(spec: ActionSpec) -> ActionSpec:
    since = _NODE_SINCE.get(spec.name)
    if since is None:
        return spec
    return replace(spec, using=spec.using or "node", current_since=since)


CATALOG: dict[str, ActionSpec] = {s.name.lower(): _with_runtime(s) for s in _SPECS}

_MAJOR = re.compile(r"^v?(\d+)(?:\.[0-9x*]+)*$")


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A parsed ``uses:`` value of a step; ``problem`` says what is wrong with an invalid one."""

    kind: str  # "local", "docker", "remote", "expression", "invalid"
    name: str  # owner/repo[/path] lower-cased for remote; the path for local
    ref: str = ""
    major: int | None = None
    problem: str = ""


def _invalid(value: str, problem: str) -> ActionRef:
    return ActionRef("invalid", value, problem=problem)


def parse_uses(value: str) -> ActionRef:
    """Split a step's ``uses:`` into its kind, name, ref and major version (if the ref is one).

    Local actions start with ``./`` (or ``../``), Docker images with ``docker://`` (an image,
    optionally ``:tag`` or ``@digest``), and the rest is ``owner/repo[/path]@ref``."""
    v = value.strip()
    if "${{" in v:
        return ActionRef("expression", v)
    if v.startswith("./") or v.startswith("../") or v == ".":
        return ActionRef("local", v)
    if v.startswith("docker://"):
        image = v[len("docker://") :]
        if not image:
            return _invalid(v, "the Docker image is empty")
        if "@" not in image:
            repo, colon, tag = image.rpartition(":")
            if colon and "/" not in tag:
                if not tag:
                    return _invalid(v, "the tag of the Docker image is empty")
                if not repo:
                    return _invalid(v, "the Docker image has a tag but no name")
        elif not image.partition("@")[2]:
            return _invalid(v, "the digest of the Docker image is empty")
        return ActionRef("docker", v)
    name, sep, ref = v.partition("@")
    if not sep:
        if name.count("/") >= 1 and not name.startswith((".", "/")):
            return _invalid(v, 'it names no ref; add one, such as "@v1" or a commit SHA')
        return _invalid(v, "")
    if not ref:
        return _invalid(v, 'the ref after "@" is empty')
    parts = name.split("/")
    if len(parts) < 2:
        return _invalid(v, "it names no owner")
    if any(not p for p in parts):
        return _invalid(v, "the owner, the repository or a path segment is empty")
    m = _MAJOR.match(ref)
    major = int(m.group(1)) if m else None
    return ActionRef("remote", name.lower(), ref, major)


def lookup(ref: ActionRef) -> ActionSpec | None:
    """The catalog entry of a remote action reference, if the catalog knows it."""
    if ref.kind != "remote":
        return None
    return CATALOG.get(ref.name)
