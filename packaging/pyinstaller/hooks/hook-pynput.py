# Replaces the contributed hook, which imports pynput to list its submodules and so fails
# (with a warning) where no display is open, e.g. on a build server. pynput picks its
# backend by platform at run time; bundle that platform's backend.
import sys

if sys.platform == "win32":
    backend = "win32"
elif sys.platform == "darwin":
    backend = "darwin"
else:
    backend = "xorg"

hiddenimports = [
    f"pynput.keyboard._{backend}",
    f"pynput.mouse._{backend}",
    f"pynput._util.{backend}",
]
if backend == "xorg":
    hiddenimports.append("pynput._util.xorg_keysyms")
