"""The fakes at the process edge behave like the real servers, as seen from the real client libraries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import openai
import pytest
from fake_llm import FakeLLM
from fake_telegram import FakeTelegram, plain_text
from langchain_openai import ChatOpenAI
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def build_app(tg: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return ApplicationBuilder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok:1")]])
    await update.effective_message.reply_text(
        f"Xin chào <b>{update.effective_user.first_name}</b> ({update.effective_user.language_code})",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text("echo: " + update.effective_message.text)


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
    await message.reply_text(f"got {message.document.file_name}: {bytes(data).decode()}")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"pressed {query.data}")


@asynccontextmanager
async def running_bot(tg: FakeTelegram) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = build_app(tg)
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# ----------------------------------------------------------------------------------------- Telegram


@pytest.mark.timeout(60)
def test_ptb_application_round_trip() -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            assert tg.base_url.endswith("/bot") and tg.base_file_url.endswith("/file/bot")
            async with running_bot(tg) as app:
                assert app.bot.username == "troly_test_bot"
                tg.push_message(42, "/start", first_name="Lan")
                reply = await tg.wait_for("sendMessage")
                assert reply.params["chat_id"] == 42
                assert reply.text == "Xin chào <b>Lan</b> (vi)"
                assert reply.params["parse_mode"] == "HTML"
                assert reply.result["text"] == "Xin chào Lan (vi)"  # entities parsed away, like Telegram
                assert reply.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok:1"

                tg.push_message(42, "chào bot")
                echo = await tg.wait_for("sendMessage")
                assert echo.text == "echo: chào bot"
                assert echo.result["message_id"] > reply.result["message_id"]

                tg.push_callback(42, "ok:1", reply.result["message_id"])
                await tg.wait_for("answerCallbackQuery")
                edit = await tg.wait_for("editMessageText")
                assert edit.text == "pressed ok:1"
                assert tg.messages[(42, reply.result["message_id"])]["text"] == "pressed ok:1"

                assert [c.text for c in await tg.sent_messages(42)] == [reply.text, echo.text, edit.text]
                assert tg.sent_messages(7) == []
            # PTB's final getUpdates(timeout=0) confirmed everything
            assert tg.pending_updates == []
            assert any(c.method == "deleteWebhook" for c in tg.calls)

    run(scenario())


@pytest.mark.timeout(60)
def test_document_upload_download_and_file_api() -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            tg.add_file("DOC1", "Báo cáo quý".encode(), "documents/file_1.txt")
            async with running_bot(tg) as app:
                tg.push_message(
                    42, None, document={"file_id": "DOC1", "file_name": "bc.txt", "mime_type": "text/plain"}
                )
                reply = await tg.wait_for("sendMessage")
                assert reply.text == "got bc.txt: Báo cáo quý"

                data = await (await app.bot.get_file("DOC1")).download_as_bytearray()
                assert bytes(data) == "Báo cáo quý".encode()
                with pytest.raises(BadRequest, match="(?i)invalid file_id"):
                    await app.bot.get_file("nope")

                sent = await app.bot.send_document(42, b"a,b\n1,2\n", filename="bang.csv", caption="Bảng")
                call = await tg.wait_for("sendDocument")
                assert call.files["document"].filename == "bang.csv"
                assert call.files["document"].data == b"a,b\n1,2\n"
                assert sent.document is not None and sent.document.file_name == "bang.csv"
                back = await (await app.bot.get_file(sent.document.file_id)).download_as_bytearray()
                assert bytes(back) == b"a,b\n1,2\n"

                png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
                photo_msg = await app.bot.send_photo(42, png, caption="Biểu đồ")
                assert photo_msg.photo[-1].width == 640
                assert (await tg.wait_for("sendPhoto")).files["photo"].data == png
                assert len(tg.sent_messages(42)) == 3

    run(scenario())


@pytest.mark.timeout(60)
def test_bot_api_errors_like_telegram() -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            app = build_app(tg)
            await app.initialize()
            try:
                bot = app.bot
                with pytest.raises(BadRequest, match="too long"):
                    await bot.send_message(42, "x" * 5000)
                await bot.send_message(42, "x" * 4096)
                # the limit counts the text after entity parsing
                await bot.send_message(42, "<b>" + "&lt;" * 4096 + "</b>", parse_mode=ParseMode.HTML)
                with pytest.raises(BadRequest, match="too long"):
                    await bot.send_message(42, "&amp;" * 4097, parse_mode=ParseMode.HTML)
                with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                    await bot.send_message(42, "a < b", parse_mode=ParseMode.HTML)
                with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                    await bot.send_message(42, "<b>open", parse_mode=ParseMode.HTML)
                with pytest.raises(BadRequest, match="caption is too long"):
                    await bot.send_document(42, b"x", filename="a.txt", caption="c" * 1025)
                with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                    await bot.send_message(
                        42,
                        "hi",
                        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="đ" * 33)]]),
                    )
                msg = await bot.send_message(42, "same")
                with pytest.raises(BadRequest, match="not modified"):
                    await bot.edit_message_text("same", chat_id=42, message_id=msg.message_id)
                with pytest.raises(BadRequest, match="not found"):
                    await bot.edit_message_text("x", chat_id=42, message_id=999)
                tg.fail_next("sendMessage", "Bad Request: chat not found")
                with pytest.raises(BadRequest, match="(?i)chat not found"):
                    await bot.send_message(43, "hi")
                assert await bot.send_chat_action(42, "typing") is True
                assert await bot.set_my_commands([("start", "Bắt đầu"), ("hoi", "Hỏi")]) is True
                assert [c["command"] for c in tg.commands] == ["start", "hoi"]
                assert await bot.set_webhook("https://example.invalid/hook") is True
                assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
                with pytest.raises(Conflict):
                    await bot.get_updates(timeout=0)
                assert await bot.delete_webhook() is True
                assert await bot.do_api_request("someFutureMethod", {"x": 1}) is True
                assert tg.calls[-1].method == "someFutureMethod" and tg.calls[-1].params == {"x": 1}
            finally:
                await app.shutdown()

    run(scenario())


@pytest.mark.timeout(60)
def test_long_polling_honours_timeout_offset_and_wakes_on_push() -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            async with httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}") as client:
                started = time.monotonic()
                r = await client.post("/getUpdates", data={"timeout": "0"})
                assert r.json() == {"ok": True, "result": []}
                assert time.monotonic() - started < 0.5

                started = time.monotonic()
                r = await client.post("/getUpdates", data={"timeout": "1"})
                assert r.json()["result"] == []
                assert 0.9 <= time.monotonic() - started < 3

                poll = asyncio.create_task(client.post("/getUpdates", data={"timeout": "20"}))
                await asyncio.sleep(0.2)
                started = time.monotonic()
                first = tg.push_message(5, "/hoi@troly_test_bot abc")
                updates = (await poll).json()["result"]
                assert time.monotonic() - started < 2
                assert [u["update_id"] for u in updates] == [first]
                message = updates[0]["message"]
                assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
                assert message["from"]["language_code"] == "vi" and message["chat"]["type"] == "private"

                second = tg.push_message(5, "hai", chat_id=-100)
                r = await client.post("/getUpdates", data={"offset": str(first), "timeout": "0"})
                assert [u["update_id"] for u in r.json()["result"]] == [first, second]
                assert r.json()["result"][1]["message"]["chat"]["type"] == "group"
                r = await client.post("/getUpdates", data={"offset": str(second + 1), "timeout": "0"})
                assert r.json()["result"] == [] and tg.pending_updates == []

                r = await client.post("/getUnknownThing", json={"a": 1})
                assert r.json() == {"ok": True, "result": True}
            async with httpx.AsyncClient() as client:
                r = await client.post(f"{tg.base_url}wrong:token/getMe")
                assert r.status_code == 401

            # a long poll in flight does not hold up shutdown
            async with httpx.AsyncClient(base_url=f"{tg.base_url}{tg.token}") as client:
                poll = asyncio.create_task(client.post("/getUpdates", data={"timeout": "30"}))
                await asyncio.sleep(0.2)
                started = time.monotonic()
                await tg.stop()
                assert time.monotonic() - started < 5
                assert (await poll).json()["result"] == []

    run(scenario())


@pytest.mark.timeout(60)
def test_wait_for_times_out_with_a_useful_message() -> None:
    async def scenario() -> None:
        async with FakeTelegram() as tg:
            with pytest.raises(TimeoutError, match="sendPhoto"):
                await tg.wait_for("sendPhoto", timeout=0.2)

    run(scenario())


def test_plain_text_counts_visible_characters() -> None:
    assert plain_text('<a href="http://x">Mục &amp; II</a> › 3', "HTML") == "Mục & II › 3"
    assert plain_text('<pre><code class="language-python">x</code></pre>', "HTML") == "x"
    assert plain_text("*đậm* \\. _nghiêng_", "MarkdownV2") == "đậm . nghiêng"
    assert plain_text("<b>raw</b>", None) == "<b>raw</b>"


# ----------------------------------------------------------------------------------------- LLM


@pytest.mark.timeout(60)
def test_langchain_gets_the_scripted_reply_from_a_thread() -> None:
    with FakeLLM(reply="Theo Nghị quyết 57-NQ/TW …").run_in_thread() as llm:
        assert llm.base_url.endswith("/v1")
        chat = ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake", max_retries=0)  # type: ignore[arg-type]
        assert chat.invoke("hi").content == "Theo Nghị quyết 57-NQ/TW …"
        assert llm.last_user_message == "hi"
        assert llm.last_request["model"] == "fake"
        assert llm.headers[-1]["Authorization"] == "Bearer x"

        llm.reply = lambda req: "echo " + req["messages"][-1]["content"]
        streamed = "".join(str(c.content) for c in chat.stream("xin chào các đồng chí"))
        assert streamed == "echo xin chào các đồng chí"
        assert llm.last_request["stream"] is True

        models = httpx.get(llm.base_url + "/models").json()
        assert models["data"][0]["id"] == "fake"


@pytest.mark.timeout(60)
def test_llm_delay_beyond_client_timeout_raises() -> None:
    with FakeLLM(reply="late", delay=3.0).run_in_thread() as llm:
        chat = ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake", timeout=0.5, max_retries=0)  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat.invoke("hi")
        assert time.monotonic() - started < 2.5


@pytest.mark.timeout(60)
def test_llm_fail_status_raises() -> None:
    with FakeLLM(fail_status=500).run_in_thread() as llm:
        chat = ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake", max_retries=0)  # type: ignore[arg-type]
        with pytest.raises(openai.InternalServerError):
            chat.invoke("hi")
        llm.fail_status = None
        assert chat.invoke("hi").content == "Đây là câu trả lời giả."
        assert len(llm.requests) == 2


@pytest.mark.timeout(60)
def test_llm_in_the_event_loop() -> None:
    async def scenario() -> None:
        async def reply(req: dict[str, Any]) -> str:
            await asyncio.sleep(0)
            return "async " + str(len(req["messages"]))

        async with FakeLLM(reply=reply) as llm:
            chat = ChatOpenAI(base_url=llm.base_url, api_key="x", model="fake", max_retries=0)  # type: ignore[arg-type]
            assert (await chat.ainvoke([("system", "s"), ("user", "u")])).content == "async 2"

    run(scenario())
