"""The one catalogue of user-facing text: Vietnamese first, English second."""

from __future__ import annotations

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
    "tasks.overdue_title": ("Nhiệm vụ quá hạn — {unit}", "Overdue tasks — {unit}"),
    "tasks.none_due": ("Không có nhiệm vụ nào đến hạn trong {days} ngày tới.", "Nothing is due in the next {days} days."),
    "tasks.none_overdue": ("Không có nhiệm vụ quá hạn.", "No overdue tasks."),
    "tasks.days_late": ("(trễ {n} ngày)", "({n} days late)"),
    "xlsx.sheet_summary": ("Tổng hợp", "Summary"),
    "xlsx.sheet_overdue": ("Nhiệm vụ quá hạn", "Overdue tasks"),
    "xlsx.title": ("Tổng hợp tình hình thực hiện nhiệm vụ — {unit}", "Task summary — {unit}"),
    "xlsx.as_of": ("Tính đến ngày", "As of"),
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
    "db.upgraded": ("Cơ sở dữ liệu đã ở phiên bản {rev}.", "Database schema is at {rev}."),
    "db.seeded": (
        "Đã tạo dữ liệu mẫu: {units} đơn vị, {tasks} nhiệm vụ, {officials} cán bộ.",
        "Demo data created: {units} units, {tasks} tasks, {officials} officials.",
    ),
    "error.prefix": ("Lỗi: {message}", "Error: {message}"),
}


def t(key: str, lang: str = "vi", /, **params: object) -> str:
    vi, en = MESSAGES[key]
    text = en if lang == "en" else vi
    return text.format(**params) if params else text
