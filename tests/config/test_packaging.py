"""What the image installs and how it runs: read from requirements.txt and the Dockerfile."""

import ast
import re
import shlex
import subprocess
import sys
from importlib.metadata import distributions, packages_distributions
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("claims", "sources", "config")


def pinned_requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def imported_modules() -> set[str]:
    modules = set()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - set(APP_PACKAGES)


def test_every_library_the_app_imports_is_pinned_in_requirements():
    pins = pinned_requirements()
    distributions = packages_distributions()
    unpinned = {
        module: distributions.get(module)
        for module in imported_modules()
        if not any(name.lower().replace("_", "-") in pins for name in distributions.get(module, [module]))
    }
    assert unpinned == {}
    assert all(version for version in pins.values())


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_copies_existing_files_and_installs_the_pinned_requirements():
    instructions = dockerfile_instructions()
    for instruction, arguments in instructions:
        if instruction == "COPY" and "--from=" not in arguments:
            *sources, _target = [part for part in arguments.split() if not part.startswith("--")]
            assert all((ROOT / source).exists() for source in sources), arguments
    runs = " ".join(arguments for instruction, arguments in instructions if instruction == "RUN")
    assert "-r requirements.txt -c constraints.txt" in runs
    assert "collectstatic" in runs
    assert instructions[-1][0] == "CMD" and "gunicorn" in instructions[-1][1]


def test_image_runs_as_a_numeric_non_root_user_that_cannot_rewrite_the_code():
    instructions = dockerfile_instructions()
    user = [arguments for instruction, arguments in instructions if instruction == "USER"][-1]
    # Kubernetes' runAsNonRoot can only verify a numeric user.
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), user
    copies = [arguments for instruction, arguments in instructions if instruction == "COPY" and "--from=" not in arguments]
    assert not any("--chown" in arguments for arguments in copies)


@pytest.mark.parametrize(("load_seeds", "seeded"), [(None, False), ("false", False), ("true", True)])
def test_the_compose_migration_job_loads_the_demo_claims_only_when_asked(load_seeds, seeded):
    """The job's shell command, run with each step replaced by `echo`, after compose's interpolation."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["migrate"]["command"]
    command = re.sub(r"\$\{LOAD_SEEDS:-(\w+)\}", lambda match: load_seeds or match.group(1), command)
    program, flag, script = shlex.split(command)
    assert (program, flag) == ("sh", "-c")
    steps = subprocess.run(["sh", "-c", script.replace("python manage.py ", "echo ")], capture_output=True, text=True, check=True)
    steps = steps.stdout.split()
    assert steps[:2] == ["migrate", "--noinput"] and "store_api_list_items" in steps
    assert ("load_seeds" in steps) is seeded


def _versions(path: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def test_constraints_pin_every_package_of_the_tested_environment_and_agree_with_the_requirements():
    """The image and `make venv` install with -c constraints.txt: transitive packages too are
    at the versions the tests ran with."""
    constraints = _versions("constraints.txt")
    assert all(constraints.values()), "every constraint names one version"
    for path in ("requirements.txt", "requirements-dev.txt"):
        for name, version in _versions(path).items():
            assert constraints.get(name) == version, f"{path}: {name}=={version}, constraints.txt: {constraints.get(name)}"
    installed = {
        distribution.metadata["Name"].lower().replace("_", "-"): distribution.version
        for distribution in distributions()
        if distribution.metadata["Name"].lower() not in ("pip", "setuptools")
    }
    assert installed == constraints


def test_make_constraints_installs_changed_requirements_without_the_old_constraints():
    """After a pin changes in requirements*.txt the old constraints.txt contradicts it, and pip refuses an install
    with both: rewriting the constraints must not install through them first."""
    dry_run = subprocess.run(["make", "-n", "-B", "constraints"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    installs = [line for line in dry_run.splitlines() if "pip install" in line and "-r requirements" in line]
    assert installs
    assert not any("-c constraints.txt" in line for line in installs), installs
    assert "pip freeze" in dry_run


def test_the_compose_web_ports_are_reachable_only_through_the_proxy_on_the_host():
    """The app trusts the address the proxy appended to X-Forwarded-For: a client that reached
    it directly could write any address there and escape rate limits and the login lockout."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert published and all(port.startswith("127.0.0.1:") for port in published), published
