"""Draw the example process's screenshots (a small invoicing app) and write its description.

Run once when the example changes; the output is committed under
resources/examples/send-an-invoice/ and shipped with Baton:

    QT_QPA_PLATFORM=offscreen python scripts/make_example.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

OUT = Path(__file__).resolve().parents[1] / "resources/examples/send-an-invoice"
STYLE = """
QWidget { font-family: "DejaVu Sans"; font-size: 14px; color: #1f2933; background: #f5f7fa; }
QFrame#top { background: #1f3a5f; } QFrame#top QLabel { color: white; font-size: 17px;
  font-weight: 600; background: transparent; }
QListWidget { background: #e4e9f0; border: none; padding-top: 10px; font-size: 15px; }
QListWidget::item { padding: 10px 16px; } QListWidget::item:selected { background: #cbd6e4;
  color: #1f2933; }
QLabel#heading { font-size: 22px; font-weight: 600; }
QPushButton { background: white; border: 1px solid #b8c4d2; border-radius: 5px;
  padding: 7px 16px; }
QPushButton#main { background: #2f6fde; color: white; border: none; font-weight: 600; }
QTableWidget { background: white; border: 1px solid #d3dbe4; gridline-color: #e6ebf1; }
QHeaderView::section { background: #eef2f6; border: none; padding: 6px; font-weight: 600; }
QLineEdit, QComboBox, QDateEdit, QPlainTextEdit { background: white; border: 1px solid #b8c4d2;
  border-radius: 4px; padding: 5px; }
"""
INVOICES = [
    ("INV-1041", "Harbour Café", "€ 420.00", "Paid"),
    ("INV-1042", "Meadow Florists", "€ 1,180.00", "Sent"),
    ("INV-1043", "Kite & Co.", "€ 96.50", "Overdue"),
    ("INV-1044", "Harbour Café", "€ 310.00", "Draft"),
]
STEPS = [
    {
        "title": "Click “New invoice”",
        "instruction": "Open **Invoices** in the left menu first if another page shows.",
    },
    {
        "title": "Choose the customer",
        "instruction": "Pick them from the list:\n- type the first letters to find them\n"
                       "- if they are not there, ask before adding a new customer",
    },
    {
        "title": "Type the amount",
        "instruction": "The amount **without** VAT, as on the order (the app adds the VAT).",
    },
    {
        "title": "Click “Send invoice”",
        "instruction": "✅ Done when the invoice shows **Sent** in the list.",
        "caution": "⚠️ A sent invoice cannot be changed: check the customer and the amount "
                   "twice.",
    },
]


class InvoiceApp(QWidget):
    """A stand-in for the owner's invoicing web app."""

    def __init__(self) -> None:
        super().__init__()
        self.resize(1200, 720)
        top = QFrame()
        top.setObjectName("top")
        top.setFixedHeight(54)
        bar = QHBoxLayout(top)
        bar.addWidget(QLabel("Northwind Books — Invoices"))
        nav = QListWidget()
        nav.setFixedWidth(190)
        nav.addItems(["Dashboard", "Invoices", "Customers", "Reports", "Settings"])
        nav.setCurrentRow(1)
        self.page = QWidget()
        self.page_layout = QVBoxLayout(self.page)
        self.page_layout.setContentsMargins(28, 22, 28, 22)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(nav)
        body.addWidget(self.page, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addLayout(body, 1)
        self.new_button = QPushButton("New invoice")
        self.new_button.setObjectName("main")
        self.customer = QComboBox()
        self.amount = QLineEdit()
        self.send = QPushButton("Send invoice")
        self.send.setObjectName("main")

    def _clear(self) -> None:
        while self.page_layout.count():
            item = self.page_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().setParent(None)  # type: ignore[union-attr]

    def show_list(self) -> None:
        self._clear()
        head = QHBoxLayout()
        title = QLabel("Invoices")
        title.setObjectName("heading")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.new_button)
        holder = QWidget()
        holder.setLayout(head)
        table = QTableWidget(len(INVOICES), 4)
        table.setHorizontalHeaderLabels(["Number", "Customer", "Amount", "Status"])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for row, values in enumerate(INVOICES):
            for column, text in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(text))
        self.page_layout.addWidget(holder)
        self.page_layout.addWidget(table, 1)

    def show_form(self, customer: str = "", amount: str = "") -> None:
        self._clear()
        title = QLabel("New invoice")
        title.setObjectName("heading")
        self.customer = QComboBox()
        self.customer.addItems([customer or "Choose a customer…", "Harbour Café"])
        self.amount = QLineEdit(amount)
        self.amount.setPlaceholderText("0.00")
        due = QDateEdit()
        due.setDisplayFormat("yyyy-MM-dd")
        notes = QPlainTextEdit("Thank you for your order.")
        notes.setFixedHeight(90)
        form = QFormLayout()
        form.setVerticalSpacing(14)
        form.addRow("Customer", self.customer)
        form.addRow("Amount (€, without VAT)", self.amount)
        form.addRow("Due date", due)
        form.addRow("Notes", notes)
        holder = QWidget()
        holder.setLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Save draft"))
        self.send = QPushButton("Send invoice")
        self.send.setObjectName("main")
        buttons.addWidget(self.send)
        row = QWidget()
        row.setLayout(buttons)
        self.page_layout.addWidget(title)
        self.page_layout.addWidget(holder)
        self.page_layout.addWidget(row)
        self.page_layout.addStretch(1)

    def shot(self, name: str, target: QWidget) -> list[int]:
        """Save the window as ``name`` and return the centre of ``target`` in it."""
        QApplication.processEvents()
        self.grab().save(str(OUT / name), "PNG", 9)
        centre = target.mapTo(self, QPoint(target.width() // 2, target.height() // 2))
        return [centre.x(), centre.y()]


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE)
    OUT.mkdir(parents=True, exist_ok=True)
    window = InvoiceApp()
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.show()
    window.show_list()
    clicks = [window.shot("01.png", window.new_button)]
    window.show_form()
    clicks.append(window.shot("02.png", window.customer))
    window.show_form("Meadow Florists")
    clicks.append(window.shot("03.png", window.amount))
    window.show_form("Meadow Florists", "240.00")
    clicks.append(window.shot("04.png", window.send))
    steps = [{**step, "screenshot": f"{number:02d}.png", "click": click}
             for number, (step, click) in enumerate(zip(STEPS, clicks, strict=True), start=1)]
    process = {
        "title": "Example: send a customer invoice",
        "summary": "How we invoice a customer once their order has shipped. An example "
                   "from Baton: open its steps, then send it to yourself to see what an "
                   "assistant gets.",
        "minutes_per_run": 10,
        "runs_per_week": 5,
        "steps": steps,
    }
    (OUT / "process.json").write_text(json.dumps(process, indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
