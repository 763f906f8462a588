"""Handoff packages: build, verify and import them, and read the assistant's receipts back.

A package is a zip an assistant opens in any browser (``index.html``), with the checklist as
Markdown and PDF, the step screenshots with redactions burned in and the walkthrough video.
Both formats (handoff package and progress receipt, format 1) are specified in
docs/package-format.md.
"""
