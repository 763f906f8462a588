"""Baton's own files: the stylesheet, icons, desktop entry and AppStream metainfo sources.

This folder sits at the top of the repository and is installed as the package
``baton.resources`` (``setup.py``; the PyInstaller spec copies it to the same place), so code
finds a file with ``baton.paths.resource("icons", "baton.svg")`` wherever Baton runs from.

    style.qss        the app's stylesheet
    icons/           baton.svg (the .deb, .ico and .icns icons are rendered from it)
    linux/           baton.desktop and baton.metainfo.xml.in (filled in by the .deb build)
    examples/        sample data, when there is some (packaged like the rest)
"""
