"""Wayland desktops: sway IPC windows, kernel input devices, and (h-wayland) the portal."""
