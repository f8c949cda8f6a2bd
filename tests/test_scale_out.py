"""Scale-out on this machine: one PostgreSQL, one `chroma run`, two `troly bot` replicas in webhook mode and
one `troly worker`, each process with its own TROLY_DATA_DIR as on separate machines. Updates are posted
alternately to the replicas, as a load balancer would; a replica that does not acknowledge an update
(killed mid-flow) has it posted to the other one.

What must hold (issue 13 item 7): a document uploaded through replica 1 is answered by replica 2; the
morning digest arrives once per official although both replicas schedule it; killing replica 2 mid-flow
loses no update that was acknowledged; two concurrent /reload leave every live document with its vectors.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from fake_telegram import FakeTelegram, plain_text
from fakes import ADMIN, HA, HN_LEADER, chroma_run, free_port, link_telegram

from db.session import Database

pytestmark = [pytest.mark.timeout(420)]
BIN = Path(sys.executable).parent
TROLY = str(BIN / "troly")
SECRET = "scale-out-secret"
U_HA, U_LEADER, U_ADMIN = 601, 602, 603
TZ = "Asia/Ho_Chi_Minh"

PLAN = (
    "# Kế hoạch thử nghiệm số 01-KH/SCALE\n\n## I. Mục tiêu\n\n"
    "1. Đến năm 2027, 100% phường Hoàn Kiếm có điểm phát sóng wifi công cộng miễn phí.\n"
)
UPLOAD = (
    "# Hướng dẫn thử số 02-HD/SCALE\n\n## I. Yêu cầu\n\n"
    "1. Mỗi xã bố trí một tổ công nghệ số cộng đồng gồm ít nhất năm thành viên.\n"
)


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([TROLY, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    with chroma_run(tmp_path / "chroma") as url:
        yield url


class Deployment:
    """The processes of one deployment, each with the environment a machine of its own would have."""

    def __init__(self, base: dict[str, str], root: Path) -> None:
        self.base, self.root = base, root
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def env(self, name: str, **extra: str) -> dict[str, str]:
        data = self.root / name
        data.mkdir(exist_ok=True)
        return {**self.base, "TROLY_DATA_DIR": str(data), **extra}

    def start_bot(self, name: str) -> None:
        port = free_port()
        env = self.env(name, WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET=SECRET)
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            [TROLY, "bot", "--listen", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        self.ports[name] = port

    def start_worker(self, name: str) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115
        self.procs[name] = subprocess.Popen([TROLY, "worker"], env=self.env(name), stdout=log, stderr=log)

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=30)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
                print((self.root / f"{name}.log").read_text(errors="replace")[-3000:])

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")


class Balancer:
    """Posts each update to the next replica in turn; an update a replica does not acknowledge (no 200:
    refused, killed, timed out) goes to the next one. Records which updates were acknowledged."""

    def __init__(self, deployment: Deployment, replicas: list[str]) -> None:
        self.deployment, self.replicas = deployment, replicas
        self.turn = 0
        self.acknowledged: list[int] = []
        self.first_sent_to: dict[int, str] = {}
        self.acknowledged_by: dict[int, str] = {}

    async def post(self, http: aiohttp.ClientSession, update: dict[str, Any], *, to: str | None = None) -> str:
        """Post until a replica acknowledges it. A 503 (another replica has the update and may be alive) is
        tried again a second later, as Telegram retries, until that replica's lease on it runs out."""
        order = [to] if to else []
        order += [self.replicas[(self.turn + i) % len(self.replicas)] for i in range(len(self.replicas))]
        self.turn += 1
        self.first_sent_to.setdefault(int(update["update_id"]), order[0])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for name in dict.fromkeys(order):
                if self.deployment.procs[name].poll() is not None:
                    continue  # a dead replica: the balancer's health check took it out
                port = self.deployment.ports[name]
                try:
                    async with http.post(
                        f"http://127.0.0.1:{port}/hook",
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        timeout=aiohttp.ClientTimeout(total=120),
                    ) as r:
                        if r.status == 200:
                            self.acknowledged.append(int(update["update_id"]))
                            self.acknowledged_by[int(update["update_id"])] = name
                            return name
                except (TimeoutError, aiohttp.ClientError):
                    continue
            await asyncio.sleep(1)
        raise AssertionError(f"no replica acknowledged update {update['update_id']}")


def take(tg: FakeTelegram, update_id: int) -> dict[str, Any]:
    """The update the fake queued for getUpdates, taken out: in webhook mode it is posted instead."""
    update = next(u for u in tg.pending_updates if u["update_id"] == update_id)
    tg._updates.remove(update)  # noqa: SLF001 - the fake's queue; nobody polls in webhook mode
    return update


def live_documents_and_their_vectors(env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each live document of the shared catalog: its chunks, and how many of their vectors the Chroma server
    holds in the deployment's collection (read as another machine would, from the database and the server)."""
    from bot.config import Settings
    from retrieval.build import build_embedder, build_index
    from retrieval.index import chunk_id

    settings = Settings.from_env(env)
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    try:
        out = {}
        for doc_id, doc in index.documents().items():
            ids = [chunk_id(doc_id, doc.version, i) for i in range(doc.chunks)]
            out[doc_id] = (len(index.get_chunks(ids)), len(index._chroma().get(ids=ids, include=[])["ids"]))  # noqa: SLF001
        return out
    finally:
        index.close()


async def healthy(http: aiohttp.ClientSession, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                if r.status == 200:
                    return
                last = await r.text()
        except aiohttp.ClientError as exc:
            last = repr(exc)
        await asyncio.sleep(0.5)
    raise TimeoutError(f"replica on {port} never became healthy: {last}")


@pytest.mark.parametrize("blank_url", ["postgresql"], indirect=True)
def test_two_replicas_and_a_worker_are_one_deployment(blank_url: str, chroma_url: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "01-KH-SCALE_ke-hoach.md").write_text(PLAN, encoding="utf-8")
    root = tmp_path / "machines"
    root.mkdir()

    async def scenario() -> None:
        async with FakeTelegram() as tg:
            # The digest a few seconds after both replicas are up: both schedule it, one sends it.
            at = dt.datetime.now(ZoneInfo(TZ)) + dt.timedelta(seconds=45)
            base = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("TROLY_", "DATABASE_", "CHROMA_"))},
                "DATABASE_URL": blank_url,
                "CHROMA_URL": chroma_url,
                "DOCS_DIR": str(docs),
                "TELEGRAM_BOT_TOKEN": tg.token,
                "TELEGRAM_API_URL": tg.base_url,
                "TZ_NAME": TZ,
                "DIGEST_TIME": at.strftime("%H:%M:%S"),
                "INGEST_MODE": "queue",
                "UPDATE_LEASE_SECONDS": "5",  # a killed replica's update is taken over after 5 s, not 2 min
            }
            deployment = Deployment(base, root)
            admin_env = deployment.env("admin")
            cli(admin_env, "db", "upgrade")
            cli(admin_env, "db", "seed-demo")
            cli(admin_env, "ingest")
            database = Database(blank_url)
            for name, uid in ((HA, U_HA), (HN_LEADER, U_LEADER), (ADMIN, U_ADMIN)):
                link_telegram(database, name, uid)
            database.dispose()

            deployment.start_bot("replica1")
            deployment.start_bot("replica2")
            deployment.start_worker("worker")
            balancer = Balancer(deployment, ["replica1", "replica2"])
            try:
                async with aiohttp.ClientSession() as http:
                    await healthy(http, deployment.ports["replica1"])
                    await healthy(http, deployment.ports["replica2"])

                    # 1. Uploaded through replica 1 (a job the worker runs), answered by replica 2.
                    tg.add_file("up", UPLOAD.encode(), file_name="02-HD-SCALE_huong-dan.md")
                    upload = tg.push_message(
                        U_ADMIN, document={"file_id": "up", "file_name": "02-HD-SCALE_huong-dan.md"}
                    )
                    assert await balancer.post(http, take(tg, upload), to="replica1") == "replica1"
                    done = await tg.wait_for(
                        "editMessageText", lambda c: c.chat_id == U_ADMIN and "xong" in str(c.text), timeout=180
                    )
                    assert "Thêm mới: 1" in plain_text(str(done.text), "HTML")
                    question = tg.push_message(U_HA, "Tổ công nghệ số cộng đồng gồm ít nhất bao nhiêu thành viên?")
                    mark = tg.mark()
                    assert await balancer.post(http, take(tg, question), to="replica2") == "replica2"
                    answer = await tg.wait_for(
                        "sendMessage",
                        lambda c: c.chat_id == U_HA and "thành viên" in str(c.text),
                        timeout=60,
                        since=mark,
                    )
                    assert "năm thành viên" in plain_text(str(answer.text), "HTML")

                    # 2. The digest: both replicas run the job at DIGEST_TIME; each official gets it once.
                    wait = (at - dt.datetime.now(ZoneInfo(TZ))).total_seconds() + 15
                    await asyncio.sleep(max(wait, 0))
                    digests = [c for c in tg.calls_of("sendMessage") if "☀" in str(c.text) or "Bản tin" in str(c.text)]
                    per_chat: dict[Any, int] = {}
                    for c in digests:
                        per_chat[c.chat_id] = per_chat.get(c.chat_id, 0) + 1
                    assert per_chat and set(per_chat.values()) == {1}, per_chat

                    # 3. Replica 2 killed mid-flow: updates it never acknowledged go to replica 1.
                    ids = [tg.push_message(U_HA, "/viec") for _ in range(6)]
                    updates = [take(tg, i) for i in ids]
                    mark = tg.mark()
                    # Frozen first, so the updates posted to it are in flight when it dies rather than racing
                    # its answers (a 50 ms race once found all six already acknowledged).
                    deployment.procs["replica2"].send_signal(signal.SIGSTOP)
                    posts = [asyncio.create_task(balancer.post(http, u)) for u in updates]
                    await asyncio.sleep(0.5)
                    deployment.kill("replica2")
                    await asyncio.gather(*posts)
                    assert sorted(balancer.acknowledged[-6:]) == sorted(ids)
                    # Some were on replica 2 when it died: acknowledged by replica 1 instead, none lost.
                    moved = [
                        i
                        for i in ids
                        if balancer.first_sent_to[i] == "replica2" and balancer.acknowledged_by[i] == "replica1"
                    ]
                    assert moved, (balancer.first_sent_to, balancer.acknowledged_by)
                    # Every acknowledged /viec was answered (an update replica 2 took and died on is answered
                    # by replica 1 once the lease ran out).
                    replies = [c for c in tg.calls[mark:] if c.method == "sendMessage" and c.chat_id == U_HA]
                    assert len(replies) >= 6, [plain_text(str(c.text), "HTML")[:80] for c in replies]

                    # 4. Two /reload at once (replica 1 and, restarted, replica 2): one sync at a time; every
                    # live document keeps its vectors.
                    deployment.start_bot("replica2")
                    await healthy(http, deployment.ports["replica2"])
                    (docs / "03-KH-SCALE_ke-hoach-moi.md").write_text(
                        "# Kế hoạch số 03-KH/SCALE\n\n1. Mỗi phường có một trạm sạc xe điện công cộng trước năm 2028.\n",
                        encoding="utf-8",
                    )
                    reloads = [tg.push_message(U_ADMIN, "/capnhat") for _ in range(2)]
                    await asyncio.gather(
                        balancer.post(http, take(tg, reloads[0]), to="replica1"),
                        balancer.post(http, take(tg, reloads[1]), to="replica2"),
                    )
                    for _ in range(2):
                        await tg.wait_for("editMessageText", lambda c: "Đồng bộ xong" in str(c.text), timeout=180)
                    report = cli(deployment.env("admin"), "health", "--json")
                    assert '"healthy": true' in report
                    live = await asyncio.to_thread(live_documents_and_their_vectors, deployment.env("check"))
                    assert set(live) == {
                        "01-KH-SCALE_ke-hoach.md",
                        "02-HD-SCALE_huong-dan.md",
                        "03-KH-SCALE_ke-hoach-moi.md",
                    }
                    assert all(chunks == vectors > 0 for chunks, vectors in live.values()), live
            finally:
                deployment.stop()

    asyncio.run(scenario())
