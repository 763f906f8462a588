"""A GTK 3 sign-up form with ten named targets (run with Debian's /usr/bin/python3).

Usage: gtk_form.py TITLE X Y. Prints ``TARGETS {json}`` (screen centres of the targets)
once drawn, and ``TYPED name length`` whenever a field changes (never the text).
"""

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

title, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
window = Gtk.Window(title=title)
window.move(x, y)
window.set_default_size(560, 460)
grid = Gtk.Grid(row_spacing=8, column_spacing=10, margin=12)
window.add(grid)
targets = {}


def labelled(row, caption, widget, key):
    label = Gtk.Label(label=caption, xalign=0)
    label.set_mnemonic_widget(widget)  # the label names the field (LABELLED_BY)
    grid.attach(label, 0, row, 1, 1)
    grid.attach(widget, 1, row, 1, 1)
    targets[key] = widget


def report(entry, key):
    print(f"TYPED {key} {len(entry.get_text())}", flush=True)


name, email, password = Gtk.Entry(), Gtk.Entry(), Gtk.Entry()
password.set_visibility(False)
for row, (caption, entry, key) in enumerate(
    (("Full name", name, "name"), ("Email", email, "email"), ("Password", password, "password"))
):
    entry.set_hexpand(True)
    labelled(row, caption, entry, key)
    entry.connect("changed", report, key)
country = Gtk.ComboBoxText()
for choice in ("Canada", "Mexico", "Peru"):
    country.append_text(choice)
labelled(3, "Country", country, "country")
notes = Gtk.Entry()
labelled(4, "Notes", notes, "notes")
notes.connect("changed", report, "notes")
copy = Gtk.CheckButton(label="Send a copy")
grid.attach(copy, 1, 5, 1, 1)
targets["copy"] = copy
weekly = Gtk.RadioButton.new_with_label(None, "Weekly")
monthly = Gtk.RadioButton.new_with_label_from_widget(weekly, "Monthly")
box = Gtk.Box(spacing=10)
box.pack_start(weekly, False, False, 0)
box.pack_start(monthly, False, False, 0)
grid.attach(box, 1, 6, 1, 1)
targets["monthly"] = monthly
terms = Gtk.LinkButton.new_with_label("https://example.invalid/terms", "Terms of service")
terms.connect("activate-link", lambda *_: True)  # no browser
grid.attach(terms, 1, 7, 1, 1)
targets["terms"] = terms
buttons = Gtk.Box(spacing=10)
cancel, create = Gtk.Button(label="Cancel"), Gtk.Button(label="Create account")
buttons.pack_start(cancel, False, False, 0)
buttons.pack_start(create, False, False, 0)
grid.attach(buttons, 1, 8, 1, 1)
targets["cancel"], targets["create"] = cancel, create
window.connect("destroy", Gtk.main_quit)
window.show_all()


def centres():
    origin_x, origin_y = window.get_window().get_origin()[1:]
    out = {}
    for key, widget in targets.items():
        wx, wy = widget.translate_coordinates(window, 0, 0)
        allocation = widget.get_allocation()
        # Check and radio buttons: their label, where a user clicks.
        dx = min(allocation.width // 2, 40) if key in ("copy", "monthly") else allocation.width // 2
        out[key] = [origin_x + wx + dx, origin_y + wy + allocation.height // 2]
    print("TARGETS " + json.dumps(out), flush=True)
    return False


GLib.timeout_add(600, centres)
Gtk.main()
