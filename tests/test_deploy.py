"""deploy/: no docker compose on these machines, so the files are parsed and checked against the code: every
command a service, the image or the unit runs is a real `troly` command with real options, every variable
the environment example sets is one the program reads, the proxy's upstreams and health path are the bots'."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from bot.cli import cli
from bot.webhook import HEALTH_PATH

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
CONFIG = Path(__file__).resolve().parent.parent / "bot" / "config.py"


def troly_command(args: list[str]) -> click.Command:
    """The click command `troly ARGS` would run, with its options checked (raises on anything unknown)."""
    command: click.Command = cli
    words = list(args)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        name = words.pop(0)
        assert name in command.commands, f"troly has no command {name!r} ({args})"
        command = command.commands[name]
    ctx = command.make_context("troly", list(words), resilient_parsing=False)
    ctx.close()
    return command


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_services_run_real_troly_commands() -> None:
    services = compose()["services"]
    assert {"postgres", "chroma", "migrate", "bot1", "bot2", "proxy"} <= set(services)
    assert troly_command(services["worker"]["command"]).name == "worker"
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # Nothing another process needs is on a volume: each process has its own (local caches only).
    volumes = [services[name]["volumes"][0].split(":")[0] for name in ("bot1", "bot2", "worker")]
    assert len(set(volumes)) == 3

    troly = [name for name, s in services.items() if s.get("image") == "troly:latest"]
    assert sorted(troly) == ["bot1", "bot2", "migrate", "worker"]
    for name in troly:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile" and service["env_file"] == "troly.env"
        assert service["environment"]["CHROMA_URL"] == "http://chroma:8000"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://troly:")
        assert service["environment"]["INGEST_MODE"] == "queue"
        troly_command(service["command"])
    assert troly_command(services["migrate"]["command"]).name == "upgrade"
    for bot in ("bot1", "bot2"):
        assert troly_command(services[bot]["command"]).name == "bot"
        assert services[bot]["command"][-1] == "8443"
        assert f"127.0.0.1:8443{HEALTH_PATH}" in " ".join(services[bot]["healthcheck"]["test"])
        assert services[bot]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["bot1"]["volumes"] != services["bot2"]["volumes"]  # a data dir each (see the README)
    assert services["chroma"]["command"][:1] == ["run"]


def test_the_proxy_balances_the_bots_on_their_health_path() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddy)
    assert upstreams and upstreams.group(1).split() == ["bot1:8443", "bot2:8443"]
    assert re.search(rf"health_uri {re.escape(HEALTH_PATH)}\n", caddy)
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in compose()["services"]["proxy"]["volumes"]


def test_dockerfile_installs_from_the_package_index_only() -> None:
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    runs = [line for line in docker.splitlines() if line.startswith("RUN")]
    assert runs and "pip install -c constraints.txt ." in runs[0]
    assert not re.search(r"--index-url|--extra-index-url|git\+|https?://", docker)
    assert 'ENTRYPOINT ["troly"]' in docker
    cmd = re.search(r"^CMD (\[.*\])$", docker, re.M)
    assert cmd and troly_command(yaml.safe_load(cmd.group(1))).name == "health"
    for copied in re.findall(r"^COPY (\S+) \./", docker, re.M):
        assert (DEPLOY.parent / copied).exists(), copied


@pytest.mark.parametrize(("file", "command"), [("troly-bot.service", "bot"), ("troly-worker.service", "worker")])
def test_systemd_units(file: str, command: str) -> None:
    unit = (DEPLOY / file).read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/troly/troly.env" in unit and "[Install]" in unit
    for key in ("ExecStartPre", "ExecStart"):
        line = re.search(rf"^{key}=(\S+) (.*)$", unit, re.M)
        assert line and line.group(1).endswith("/bin/troly"), key
        troly_command(line.group(2).split())
    assert troly_command(re.search(r"^ExecStart=\S+ (.*)$", unit, re.M).group(1).split()).name == command  # type: ignore[union-attr]


def test_environment_example() -> None:

    read = set(re.findall(r'get\("([A-Z_]+)"\)', CONFIG.read_text(encoding="utf-8")))
    example = (DEPLOY / "troly.env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?([A-Z_]+)=", example, re.M))
    assert {"TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "DATABASE_URL", "CHROMA_URL"} <= names
    assert names - read == {"TROLY_DOMAIN"}  # the proxy's, not the program's


def test_readme_documents_running_backups_and_what_is_not_shared() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for needle in (
        "pg_dump",
        "pg_restore",
        "troly_chroma",
        "NOT yet one",
        "deployment id",
        "issue 13 items 1–5",
        "/healthz",
        "troly health",
    ):
        assert needle.lower() in readme.lower(), needle
    for command in re.findall(r"compose\.yaml run --rm bot1 (\w+)", readme):
        troly_command([command])
