"""A Qt sign-up form with ten named targets (run with Baton's Python: PySide6).

Usage: qt_form.py TITLE X Y. Prints ``TARGETS {json}`` (screen centres of the targets)
once shown, and ``TYPED name length`` whenever a field changes (never the text).
"""

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QWidget,
)

app = QApplication(sys.argv[:1])
title, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
window = QWidget()
window.setWindowTitle(title)
form = QFormLayout(window)
targets = {}
for caption, key in (("Full name", "name"), ("Email", "email"), ("Password", "password")):
    field = QLineEdit()
    if key == "password":
        field.setEchoMode(QLineEdit.EchoMode.Password)
    field.textChanged.connect(lambda text, key=key: print(f"TYPED {key} {len(text)}", flush=True))
    form.addRow(caption, field)
    targets[key] = field
country = QComboBox()
country.addItems(["Canada", "Mexico", "Peru"])
form.addRow("Country", country)
targets["country"] = country
notes = QLineEdit()
notes.textChanged.connect(lambda text: print(f"TYPED notes {len(text)}", flush=True))
form.addRow("Notes", notes)
targets["notes"] = notes
copy = QCheckBox("Send a copy")
form.addRow(copy)
targets["copy"] = copy
row = QHBoxLayout()
weekly, monthly = QRadioButton("Weekly"), QRadioButton("Monthly")
row.addWidget(weekly)
row.addWidget(monthly)
row.addStretch()
form.addRow(row)
targets["monthly"] = monthly
terms = QToolButton()
terms.setText("Terms of service")
form.addRow(terms)
targets["terms"] = terms
buttons = QHBoxLayout()
cancel, create = QPushButton("Cancel"), QPushButton("Create account")
buttons.addWidget(cancel)
buttons.addWidget(create)
buttons.addStretch()
form.addRow(buttons)
targets["cancel"], targets["create"] = cancel, create
window.setGeometry(x, y, 560, 420)
window.show()


def centres() -> None:
    out = {}
    for key, widget in targets.items():
        rect = widget.rect()
        if key in ("copy", "monthly"):  # the label, where a user clicks
            point = widget.mapToGlobal(rect.center())
            point.setX(widget.mapToGlobal(rect.topLeft()).x() + min(rect.width() // 2, 40))
        else:
            point = widget.mapToGlobal(rect.center())
        out[key] = [point.x(), point.y()]
    print("TARGETS " + json.dumps(out), flush=True)


QTimer.singleShot(600, centres)
app.exec()
