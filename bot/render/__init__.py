"""Rendering of view objects: plain-text tables, HTML for Telegram, Excel workbooks, charts."""
