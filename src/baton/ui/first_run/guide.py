"""The first hour, wired to the main window: the welcome, the example, sending it to yourself.

The empty Library offers these, and Help → Getting started opens the welcome again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from baton.core.assistants import AssistantDraft
from baton.errors import UserError
from baton.services import Services
from baton.ui import messages
from baton.ui.actions import Page
from baton.ui.first_run.example import add_example
from baton.ui.first_run.welcome import WelcomeActions, WelcomeDialog
from baton.ui.recording.microphone import MicrophonePicker, Microphones

if TYPE_CHECKING:
    from baton.ui.main_window import MainWindow

EXAMPLE_PREFIX = "Example: "
YOURSELF = "You (trying Baton out)"
"""The assistant the owner sends the example to, to see what an assistant gets."""


class FirstRun(QObject):
    """The welcome and the example, for one main window."""

    def __init__(self, window: MainWindow, services: Services,
                 microphones: Microphones | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._microphones = microphones
        self.welcome: WelcomeDialog | None = None

    def show_welcome(self) -> WelcomeDialog:
        """Open the welcome walk-through (not modal: Baton stays usable beside it)."""
        if self.welcome is not None:
            self.welcome.close()
        window = self._window
        picker = MicrophonePicker(self._services.settings,
                                  self._microphones or Microphones.real())
        actions = WelcomeActions(
            open_example=self.open_example, send_example=self.send_example_to_yourself,
            capture=lambda: window.capture_flow.begin(window.selected_process()),
            record=lambda: window.recording.begin(None),
        )
        self.welcome = WelcomeDialog(window, actions, picker)
        self.welcome.show()
        return self.welcome

    def open_example(self) -> int:
        """Add the example process that comes with Baton and open its steps (0: failed)."""
        services, window = self._services, self._window
        try:
            row = add_example(services.library, services.steps, services.media)
        except UserError as error:
            messages.show_problem(window, str(error))
            return 0
        window.show_page(Page.LIBRARY)
        window.library.refresh()
        window.library.select_where(lambda r: r.id == row.id)
        window.open_steps(row.id)
        window.notify(f"Added “{row.title}”: its steps are open. Send it to yourself next.")
        return row.id

    def send_example_to_yourself(self) -> None:
        """Send the example (added first if needed) to a "you" assistant."""
        services = self._services
        example = next((row for row in services.library.list_processes()
                        if row.title.startswith(EXAMPLE_PREFIX)), None)
        process_id = example.id if example is not None else self.open_example()
        if not process_id:
            return
        try:
            services.assistants.find(YOURSELF)
        except UserError:
            services.assistants.add(AssistantDraft(YOURSELF, notes="You, trying Baton out."))
        self._window.refresh()
        self._window.workflows.send(process_id)
