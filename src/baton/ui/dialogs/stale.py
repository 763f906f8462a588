"""Who holds an older version of a process, what changed, and re-send in one action."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baton.core.changes import StaleHandoff


class StaleDialog(QDialog):
    """Lists stale handoffs with their step changes; OK means "send them the new version"."""

    def __init__(self, title: str, stale: list[StaleHandoff], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Update “{title}”")
        self.resize(640, 420)
        heading = QLabel(
            f"{len(stale)} assistant(s) work from an older version of “{title}”. "
            "Send them the latest one?"
        )
        heading.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Assistant / change", "Holds", "Status"])
        for item in stale:
            top = QTreeWidgetItem([
                item.assistant_name, f"v{item.held_version} → v{item.latest_version}",
                item.status.value.replace("-", " "),
            ])
            top.setToolTip(0, item.diff.summary())
            for change in item.diff.steps:
                top.addChild(QTreeWidgetItem([change.describe(), "", ""]))
            for detail in item.diff.details:
                top.addChild(QTreeWidgetItem([f"The process {detail} changed", "", ""]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox()
        self.resend = buttons.addButton("Send the new version to all",
                                        QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, stale: list[StaleHandoff]) -> bool:
        return cls(title, stale, parent).exec() == QDialog.DialogCode.Accepted
